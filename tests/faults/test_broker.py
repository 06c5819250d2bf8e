"""Redis restarted (with nothing on disk: every message gone) mid-slot and while retries wait."""

import threading

from django.db.models import Q

from lessons.models import SendBatch
from tests.fake_sendgrid import Response
from tests.faults.cluster import Cluster
from tests.faults.harness import wait_until
from tests.faults.test_crashes import on_request

SLOTS = 2


def test_redis_restarted_and_flushed_mid_slot(cluster: Cluster, matrix) -> None:  # type: ignore[no-untyped-def]
    cluster.seed(1000)
    cluster.start_worker()
    cluster.start_beat()
    cluster.fake.script(*[Response(status=202, delay=0.3)] * 10)
    done = on_request(cluster, 3, lambda: threading.Thread(target=cluster.redis.restart).start())
    cluster.run_slot(1, timeout=180)
    cluster.run_slot(2)
    assert done
    matrix("Redis restarted (queue flushed) while slot 1's batches were queued and sending", cluster.tally(SLOTS))


def test_redis_flushed_mid_slot(cluster: Cluster, matrix) -> None:  # type: ignore[no-untyped-def]
    cluster.seed(1000)
    cluster.start_worker()
    cluster.start_beat()
    cluster.fake.script(*[Response(status=202, delay=0.3)] * 10)
    done = on_request(cluster, 3, cluster.redis.flush)
    cluster.run_slot(1, timeout=180)
    cluster.run_slot(2)
    assert done
    matrix("FLUSHALL on Redis while slot 1's batches were queued and sending", cluster.tally(SLOTS))


def test_redis_restarted_while_retries_wait(cluster: Cluster, matrix) -> None:  # type: ignore[no-untyped-def]
    """Every batch of slot 1 is refused (429, Retry-After 4 s); Redis restarts while they wait."""
    cluster.seed(1000)
    cluster.fake.script(*[Response(status=429, headers={"Retry-After": "4"})] * 10)
    cluster.start_worker()
    cluster.start_beat()
    cluster.next_slot()
    waiting = Q(status=SendBatch.Status.WAITING)
    assert wait_until(lambda: SendBatch.objects.filter(waiting).count() >= 8, timeout=60), cluster.state()
    cluster.redis.restart()
    cluster.run_slot(1, timeout=180)
    cluster.run_slot(2)
    matrix("slot 1 refused with 429 (Retry-After 4 s); Redis restarted while the retries waited", cluster.tally(SLOTS))
