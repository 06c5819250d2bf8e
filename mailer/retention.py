"""How long SendGrid's events are kept: long enough for every decision that reads them, no longer.

An event is read twice after it is applied: its ``event_id`` refuses a second delivery of the
same event (SendGrid retries a webhook for up to 24 hours), and the silent-resend sweep asks
whether a batch left any event (within the drip's grace period, 6 hours). A year at 100,000
learners holds 54 million events, more than three times the deliveries (docs/performance.md,
P5); kept for a month, the table stops growing with the platform's age.

Rows are walked oldest first along the primary key, a chunk at a time, so pruning never scans
the table for old rows: ids grow with ``received_at``, and the first chunk that holds a row
younger than the cutoff ends the walk.
"""

import datetime as dt

from mailer.models import ProviderEvent

# Below this an event could be forgotten while SendGrid may still retry it.
MINIMUM_DAYS = 3


def provider_events_prune(*, now: dt.datetime, keep_days: int, chunk: int = 10_000) -> int:
    """Delete the events received more than ``keep_days`` ago; return how many went."""
    if keep_days < MINIMUM_DAYS:
        raise ValueError(f"events are kept at least {MINIMUM_DAYS} days, not {keep_days}")
    cutoff = now - dt.timedelta(days=keep_days)
    removed = 0
    while True:
        oldest = list(ProviderEvent.objects.order_by("pk").values_list("pk", "received_at")[:chunk])
        old = [pk for pk, received_at in oldest if received_at < cutoff]
        if old:
            removed += ProviderEvent.objects.filter(pk__lte=old[-1], received_at__lt=cutoff).delete()[0]
        if len(old) < chunk:
            return removed
