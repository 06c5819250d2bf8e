"""Storms of 500s and 429s: retried with backoff and jitter, each batch sent once."""

from tests.fake_sendgrid import Response
from tests.faults.cluster import Cluster

SLOTS = 2


def test_a_storm_of_500s(cluster: Cluster, matrix) -> None:  # type: ignore[no-untyped-def]
    cluster.seed(1000)
    cluster.fake.script(*[500] * 30)
    cluster.start_worker()
    cluster.start_beat()
    cluster.run_slot(1, timeout=180)
    cluster.run_slot(2)
    matrix("the first 30 requests answered 500", cluster.tally(SLOTS))


def test_a_storm_of_429s(cluster: Cluster, matrix) -> None:  # type: ignore[no-untyped-def]
    cluster.seed(1000)
    cluster.fake.script(*[Response(status=429, headers={"Retry-After": "1"})] * 30)
    cluster.start_worker()
    cluster.start_beat()
    cluster.run_slot(1, timeout=180)
    cluster.run_slot(2)
    retried = [r.received_at for r in cluster.fake.requests]
    assert len(retried) >= 40
    matrix("the first 30 requests answered 429 with Retry-After: 1", cluster.tally(SLOTS))
