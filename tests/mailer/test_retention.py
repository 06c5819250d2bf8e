"""SendGrid's events are kept for a month: the oldest go, a chunk at a time, walking the primary key."""

import datetime as dt

import pytest
from django.utils import timezone

from mailer.models import ProviderEvent
from mailer.retention import provider_events_prune

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 12, 1, 3, 20, tzinfo=dt.UTC)


def events(*days_ago: float) -> list[int]:
    rows = [
        ProviderEvent(event_id=f"e{n}", kind="delivered", timestamp=n, received_at=NOW - dt.timedelta(days=days))
        for n, days in enumerate(days_ago)
    ]
    return [row.pk for row in ProviderEvent.objects.bulk_create(rows)]


def test_events_older_than_the_retention_go_and_the_younger_stay() -> None:
    events(45, 40, 31, 30.5, 29, 2, 0)

    assert provider_events_prune(now=NOW, keep_days=30, chunk=2) == 4

    left = sorted(ProviderEvent.objects.values_list("event_id", flat=True))
    assert left == ["e4", "e5", "e6"]


def test_a_second_run_finds_nothing_and_reads_one_chunk(django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    events(40, 1, 0)
    provider_events_prune(now=NOW, keep_days=30)

    with django_assert_num_queries(1):
        assert provider_events_prune(now=NOW, keep_days=30, chunk=2) == 0
    assert ProviderEvent.objects.count() == 2


def test_a_retention_shorter_than_sendgrids_retries_is_refused() -> None:
    events(2)
    with pytest.raises(ValueError, match="at least 3 days"):
        provider_events_prune(now=timezone.now(), keep_days=1)
    assert ProviderEvent.objects.count() == 1
