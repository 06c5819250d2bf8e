"""SendGrid answers too late, or never: the batch is unknown until its events, or their absence
over the grace period, decide. A lost database write after a 202 is written again."""

from tests.faults.cluster import Cluster, terminate_worker_connections
from tests.faults.test_crashes import on_request

SLOTS = 2


def test_a_timeout_with_events_during_the_hang(cluster: Cluster, matrix) -> None:  # type: ignore[no-untyped-def]
    """SendGrid accepts, reports `processed` within a second, and answers after our 2 s timeout."""
    cluster.seed(1000)
    cluster.event_mode, cluster.event_delay = "during", 0.3
    cluster.fake.script(cluster.fake.hang(4), 202, cluster.fake.hang(4), cluster.fake.hang(4))
    cluster.start_worker()
    cluster.start_beat()
    cluster.run_slot(1)
    cluster.run_slot(2)
    matrix(
        "3 requests of slot 1 accepted but answered after the timeout; events arrive during the hang",
        cluster.tally(SLOTS),
    )


def test_a_timeout_with_events_after_the_hang(cluster: Cluster, matrix) -> None:  # type: ignore[no-untyped-def]
    cluster.seed(1000)
    cluster.event_mode, cluster.event_delay = "after", 3.0
    cluster.fake.script(cluster.fake.hang(4), 202, cluster.fake.hang(4))
    cluster.start_worker()
    cluster.start_beat()
    cluster.run_slot(1)
    cluster.run_slot(2)
    matrix(
        "2 requests accepted but answered after the timeout; events arrive 3 s after the late answer",
        cluster.tally(SLOTS),
    )


def test_a_timeout_with_no_events(cluster: Cluster, matrix) -> None:  # type: ignore[no-untyped-def]
    """The request never got through: no answer and no event. After the grace period it is sent, once."""
    cluster.seed(1000)
    cluster.fake.script(cluster.fake.lose(3), 202, cluster.fake.lose(3))
    cluster.start_worker()
    cluster.start_beat()
    cluster.run_slot(1, timeout=180)
    cluster.run_slot(2)
    state = cluster.state()
    assert state["resent"] == 2, state
    matrix("2 requests lost on the way (no answer, no event)", cluster.tally(SLOTS))


def test_the_database_connection_lost_after_sendgrid_accepted(cluster: Cluster, matrix) -> None:  # type: ignore[no-untyped-def]
    """pg_terminate_backend on the workers' connections while SendGrid holds the request: the 202
    arrives on a worker whose connection is dead, and the outcome is written through a new one."""
    cluster.seed(1000)
    cluster.start_worker()
    cluster.start_beat()
    killed: list[int] = []
    done = on_request(cluster, 3, lambda: killed.append(terminate_worker_connections()))
    on_request(cluster, 12, lambda: killed.append(terminate_worker_connections()))
    cluster.run_slot(1)
    cluster.run_slot(2)
    assert done
    assert sum(killed) > 0, killed
    assert cluster.state()["resent"] == 0
    matrix("pg_terminate_backend of every worker connection before the 202 of requests 3 and 12", cluster.tally(SLOTS))
