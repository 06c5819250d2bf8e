"""SendGrid-shaped event webhook payloads, signed with a real ECDSA key made for the test.

The fake SendGrid uses these to post events back to Druppel's webhook, the way
SendGrid does after it accepts a mail.
"""

import base64
import itertools
import json
import time
import urllib.request
from dataclasses import dataclass

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from mailer.webhook import SIGNATURE_HEADER, TIMESTAMP_HEADER
from tests.fake_sendgrid import RecordedRequest

_ids = itertools.count(1)


@dataclass(frozen=True)
class SigningKey:
    private: ec.EllipticCurvePrivateKey

    @classmethod
    def generate(cls) -> "SigningKey":
        return cls(ec.generate_private_key(ec.SECP256R1()))

    @property
    def public(self) -> str:
        """The verification key as SendGrid shows it under Mail Settings (base64 DER)."""
        der = self.private.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        return base64.b64encode(der).decode()

    def headers(self, body: bytes, timestamp: int | None = None) -> dict[str, str]:
        stamp = str(int(time.time()) if timestamp is None else timestamp)
        signature = self.private.sign(stamp.encode() + body, ec.ECDSA(hashes.SHA256()))
        return {SIGNATURE_HEADER: base64.b64encode(signature).decode(), TIMESTAMP_HEADER: stamp}


def events_for(request: RecordedRequest, kind: str, **extra: object) -> list[dict]:
    """One event of ``kind`` per personalization of an accepted mail-send request."""
    events = []
    for index, personalization in enumerate(request.body["personalizations"]):
        event = {
            "email": personalization["to"][0]["email"],
            "timestamp": int(time.time()),
            "event": kind,
            "sg_event_id": f"ev-{next(_ids)}",
            "sg_message_id": f"{request.message_id}.filter0001.{index}.0",
            **personalization.get("custom_args", {}),
            **extra,
        }
        events.append(event)
    return events


def post_events(url: str, events: list[dict], key: SigningKey) -> int:
    """POST events to a webhook URL as SendGrid does; returns the HTTP status."""
    body = json.dumps(events).encode()
    request = urllib.request.Request(
        url, data=body, method="POST", headers={"Content-Type": "application/json", **key.headers(body)}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
