"""Workers killed mid-send, on a first attempt and on a retry: the batch goes to reconciliation,
never out twice, and nothing is lost."""

from tests.fake_sendgrid import RecordedRequest, Response
from tests.faults.cluster import Cluster

SLOTS = 2
RATE_LIMITED = Response(status=429, headers={"Retry-After": "1"})


def first_delivery(record: RecordedRequest) -> str:
    return record.body["personalizations"][0]["custom_args"]["delivery_id"]


def on_request(cluster: Cluster, number: int, fault) -> list[bool]:  # type: ignore[no-untyped-def]
    """Inject ``fault`` when the ``number``-th request reaches SendGrid (before it is answered)."""
    done: list[bool] = []

    def hook(record: RecordedRequest) -> None:
        if len(cluster.fake.requests) >= number and not done:
            done.append(True)
            fault()

    cluster.fake.add_received_hook(hook)
    return done


def on_retry(cluster: Cluster, fault) -> list[bool]:  # type: ignore[no-untyped-def]
    """Inject ``fault`` when a batch refused before comes back (its retry reaches SendGrid)."""
    seen: set[str] = set()
    done: list[bool] = []

    def hook(record: RecordedRequest) -> None:
        first = first_delivery(record)
        if first in seen and not done:
            done.append(True)
            fault()

    def remember(record: RecordedRequest) -> None:
        seen.add(first_delivery(record))

    cluster.fake.add_received_hook(hook)
    original = cluster.fake._begin

    def begin(*args, **kwargs):  # type: ignore[no-untyped-def]
        record, scripted, generation = original(*args, **kwargs)
        if scripted is not None and scripted.status == 429 and isinstance(record.body, dict) and record.body:
            remember(record)
        return record, scripted, generation

    cluster.fake._begin = begin  # type: ignore[method-assign]
    return done


def test_a_pool_process_killed_during_its_first_attempt(cluster: Cluster, matrix) -> None:  # type: ignore[no-untyped-def]
    cluster.seed(1000)
    worker = cluster.start_worker()
    cluster.start_beat()
    done = on_request(cluster, 3, worker.kill_children)
    cluster.run_slot(1)
    cluster.run_slot(2)
    assert done, "the fault was not injected"
    matrix("SIGKILL of the pool processes while the 3rd request is at SendGrid", cluster.tally(SLOTS))


def test_a_pool_process_killed_during_a_retry(cluster: Cluster, matrix) -> None:  # type: ignore[no-untyped-def]
    cluster.seed(1000)
    worker = cluster.start_worker()
    cluster.start_beat()
    cluster.fake.script(*[RATE_LIMITED] * 4)
    done = on_retry(cluster, worker.kill_children)
    cluster.run_slot(1)
    cluster.run_slot(2)
    assert done, "the fault was not injected"
    matrix("429 for 4 requests, then SIGKILL of the pool processes during a retry", cluster.tally(SLOTS))


def test_a_worker_killed_during_its_first_attempt(cluster: Cluster, matrix) -> None:  # type: ignore[no-untyped-def]
    cluster.seed(1000)
    worker = cluster.start_worker()
    cluster.start_beat()
    done = on_request(cluster, 3, worker.crash)
    cluster.run_slot(1)
    cluster.run_slot(2)
    assert done, "the fault was not injected"
    assert worker.restarts >= 1
    matrix("SIGKILL of the worker's main process while the 3rd request is at SendGrid", cluster.tally(SLOTS))


def test_a_worker_killed_during_a_retry(cluster: Cluster, matrix) -> None:  # type: ignore[no-untyped-def]
    cluster.seed(1000)
    worker = cluster.start_worker()
    cluster.start_beat()
    cluster.fake.script(*[RATE_LIMITED] * 4)
    done = on_retry(cluster, worker.crash)
    cluster.run_slot(1)
    cluster.run_slot(2)
    assert done, "the fault was not injected"
    matrix("429 for 4 requests, then SIGKILL of the worker's main process during a retry", cluster.tally(SLOTS))
