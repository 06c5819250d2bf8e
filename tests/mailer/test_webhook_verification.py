"""Signature, replay window and payload checks of the event webhook, with a real ECDSA key."""

import base64
import json
import time

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from mailer.webhook import PayloadError, SignatureError, parse_events, verify_signature

EVENTS = [
    {
        "email": "eva@avelgem.example",
        "timestamp": 1772353800,
        "event": "delivered",
        "sg_event_id": "ZGVsaXZlcmVkLTAtMQ",
        "sg_message_id": "14c5d75ce93.dfd.64b469.filter0001.16648.5515E0B88.0",
        "delivery_id": "42",
        "response": "250 OK",
    },
    {
        "email": "eva@avelgem.example",
        "timestamp": 1772353860,
        "event": "open",
        "sg_machine_open": True,
        "sg_event_id": "b3Blbi0wLTI",
        "sg_message_id": "14c5d75ce93.dfd.64b469.filter0001.16648.5515E0B88.0",
        "delivery_id": "42",
        "useragent": "Mozilla/5.0",
        "ip": "255.255.255.255",
    },
    {"timestamp": 1772353900, "event": "bounce", "type": "bounce", "sg_event_id": "x", "sg_message_id": "m"},
]


@pytest.fixture(scope="module")
def key():  # type: ignore[no-untyped-def]
    private = ec.generate_private_key(ec.SECP256R1())
    public = private.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return private, base64.b64encode(public).decode()


WINDOW = 600  # seconds; production's window is a setting (SENDGRID_WEBHOOK_MAX_AGE_SECONDS)


def sign(private, body: bytes, timestamp: str) -> str:  # type: ignore[no-untyped-def]
    return base64.b64encode(private.sign(timestamp.encode() + body, ec.ECDSA(hashes.SHA256()))).decode()


def test_a_correctly_signed_recent_batch_verifies_and_parses(key):  # type: ignore[no-untyped-def]
    private, public = key
    body = json.dumps(EVENTS).encode()
    now = time.time()
    stamp = str(int(now))
    verify_signature(
        body=body, signature=sign(private, body, stamp), timestamp=stamp, public_key=public, now=now, max_age=WINDOW
    )
    (delivered, opened, bounced), ignored = parse_events(body)
    assert ignored == 0
    assert (delivered.kind, delivered.delivery_id, delivered.event_id) == ("delivered", 42, "ZGVsaXZlcmVkLTAtMQ")
    assert opened.machine_open is True
    assert (bounced.bounce_type, bounced.delivery_id) == ("bounce", None)


def test_a_tampered_body_is_refused(key):  # type: ignore[no-untyped-def]
    private, public = key
    body = json.dumps(EVENTS).encode()
    stamp = str(int(time.time()))
    signature = sign(private, body, stamp)
    tampered = body.replace(b'"42"', b'"43"')
    with pytest.raises(SignatureError, match="does not match"):
        verify_signature(
            body=tampered, signature=signature, timestamp=stamp, public_key=public, now=time.time(), max_age=WINDOW
        )


def test_a_replayed_batch_outside_the_window_is_refused(key):  # type: ignore[no-untyped-def]
    private, public = key
    body = json.dumps(EVENTS).encode()
    stamp = str(int(time.time()) - 3600)
    with pytest.raises(SignatureError, match="replay window"):
        verify_signature(
            body=body,
            signature=sign(private, body, stamp),
            timestamp=stamp,
            public_key=public,
            now=time.time(),
            max_age=WINDOW,
        )


@pytest.mark.parametrize("signature", ["", "not base64!!", base64.b64encode(b"garbage").decode()])
def test_missing_or_garbage_signatures_are_refused(key, signature):  # type: ignore[no-untyped-def]
    _, public = key
    stamp = str(int(time.time()))
    with pytest.raises(SignatureError):
        verify_signature(
            body=b"[]", signature=signature, timestamp=stamp, public_key=public, now=time.time(), max_age=WINDOW
        )


@pytest.mark.parametrize(
    "body",
    [b"not json", b'{"event": "open"}', b'[{"event": "open"}]', b"[1]"],
)
def test_malformed_payloads_are_refused(body):  # type: ignore[no-untyped-def]
    with pytest.raises(PayloadError):
        parse_events(body)


def test_an_unknown_event_type_is_skipped_and_the_rest_of_the_batch_kept():
    body = json.dumps([{"event": "teleported", "timestamp": 1}, {"event": "delivered", "timestamp": 2}]).encode()
    events, ignored = parse_events(body)
    assert [event.kind for event in events] == ["delivered"]
    assert ignored == 1


def test_a_batch_signed_within_the_window_but_an_hour_ago_verifies(key):  # type: ignore[no-untyped-def]
    """SendGrid retries a failed POST for up to 24 hours; the default window covers that."""
    from django.conf import settings

    private, public = key
    body = json.dumps(EVENTS).encode()
    stamp = str(int(time.time()) - 3600)
    verify_signature(
        body=body,
        signature=sign(private, body, stamp),
        timestamp=stamp,
        public_key=public,
        now=time.time(),
        max_age=settings.SENDGRID_WEBHOOK_MAX_AGE_SECONDS,
    )
    assert settings.SENDGRID_WEBHOOK_MAX_AGE_SECONDS >= 24 * 3600
