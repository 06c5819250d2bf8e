"""SendGrid's signed event webhook: verify the signature, then parse the events.

Verification uses the SDK's EventWebhook helper on the raw body. A timestamp
outside the window is refused, so a captured request cannot be replayed later.
Parsing yields plain ProviderEvents; applying them to deliveries is the
caller's business (see lessons/tracking.py).
"""

import binascii
import json
from dataclasses import dataclass

from sendgrid.helpers.eventwebhook import EventWebhook
from sendgrid.helpers.eventwebhook.eventwebhook_header import EventWebhookHeader

SIGNATURE_HEADER = EventWebhookHeader.SIGNATURE
TIMESTAMP_HEADER = EventWebhookHeader.TIMESTAMP
# A signature from the future is refused beyond this much clock skew.
CLOCK_SKEW_SECONDS = 600
KNOWN_EVENTS = frozenset(
    {
        "processed", "delivered", "open", "click", "bounce", "dropped", "deferred",
        "spamreport", "unsubscribe", "group_unsubscribe", "group_resubscribe",
    }
)  # fmt: skip


class SignatureError(Exception):
    """Not signed by SendGrid with our key, or signed too long ago."""


class PayloadError(ValueError):
    """Signed, but not a SendGrid event batch."""


@dataclass(frozen=True)
class ProviderEvent:
    kind: str
    timestamp: int
    event_id: str
    message_id: str
    delivery_id: int | None
    machine_open: bool = False
    bounce_type: str = ""
    reason: str = ""  # of a dropped event, e.g. "Bounced Address"


def verify_signature(
    *, body: bytes, signature: str, timestamp: str, public_key: str, now: float, max_age: float
) -> None:
    """Refuse a body not signed with our key, or signed more than ``max_age`` seconds ago
    (SENDGRID_WEBHOOK_MAX_AGE_SECONDS: SendGrid retries for up to 24 hours)."""
    if not (public_key and signature and timestamp):
        raise SignatureError("missing signature, timestamp or verification key")
    try:
        sent_at = int(timestamp)
    except ValueError:
        raise SignatureError("timestamp is not a number") from None
    if now - sent_at > max_age or sent_at - now > CLOCK_SKEW_SECONDS:
        raise SignatureError("timestamp outside the replay window")
    try:
        checker = EventWebhook(public_key)
        valid = checker.verify_signature(body.decode("utf-8"), signature, timestamp)
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise SignatureError("malformed signature or key") from None
    if not valid:
        raise SignatureError("signature does not match")


def parse_events(body: bytes) -> tuple[list[ProviderEvent], int]:
    """The events we know, and how many items were of a kind we do not (skipped, not refused:
    one new event type must not lose the batch's other events)."""
    try:
        items = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise PayloadError("body is not JSON") from None
    if not isinstance(items, list):
        raise PayloadError("expected a JSON list of events")
    events = [_event(item, index) for index, item in enumerate(items)]
    known = [event for event in events if event is not None]
    return known, len(events) - len(known)


def _event(item: object, index: int) -> ProviderEvent | None:
    if not isinstance(item, dict):
        raise PayloadError(f"event {index} is not an object")
    kind, timestamp = item.get("event"), item.get("timestamp")
    if not isinstance(timestamp, int) or isinstance(timestamp, bool):
        raise PayloadError(f"event {index} has no integer 'timestamp'")
    if kind not in KNOWN_EVENTS:
        return None
    raw_id = item.get("delivery_id")
    delivery_id = (
        int(raw_id) if isinstance(raw_id, str | int) and str(raw_id).isascii() and str(raw_id).isdigit() else None
    )
    return ProviderEvent(
        kind=str(kind),
        timestamp=timestamp,
        event_id=str(item.get("sg_event_id") or ""),
        message_id=str(item.get("sg_message_id") or ""),
        delivery_id=delivery_id,
        machine_open=bool(item.get("sg_machine_open")),
        bounce_type=str(item.get("type") or ""),
        reason=str(item.get("reason") or ""),
    )
