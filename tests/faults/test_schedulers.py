"""Two beats, a tick run by hand, and a deploy (SIGTERM) in the middle of a slot."""

import threading

from tests.fake_sendgrid import Response
from tests.faults.cluster import Cluster
from tests.faults.test_crashes import on_request

SLOTS = 2


def test_two_beats_and_a_tick_run_by_hand(cluster: Cluster, matrix) -> None:  # type: ignore[no-untyped-def]
    cluster.seed(1000)
    cluster.start_worker()
    cluster.start_beat()
    cluster.start_beat()
    outputs: list[str] = []

    def by_hand() -> None:
        ticks = [threading.Thread(target=lambda: outputs.append(cluster.manual_tick())) for _ in range(2)]
        for tick in ticks:
            tick.start()
        for tick in ticks:
            tick.join()

    cluster.run_slot(1, during=by_hand)
    cluster.run_slot(2, during=by_hand)
    assert len(outputs) == 4
    matrix("two beats ticking every 2 s, and two `manage.py drip_tick` at once at each slot", cluster.tally(SLOTS))


def test_a_deploy_during_a_slot(cluster: Cluster, matrix) -> None:  # type: ignore[no-untyped-def]
    """SIGTERM (a deploy's stop) while sends are in flight: the warm shutdown lets them finish
    within the stop timeout; the new worker carries on."""
    cluster.seed(1000)
    cluster.fake.script(*[Response(status=202, delay=1.0)] * 20)
    old = cluster.start_worker()
    cluster.start_beat()

    def deploy() -> None:
        old.stop(timeout=60)
        cluster.start_worker()

    done = on_request(cluster, 3, lambda: threading.Thread(target=deploy).start())
    cluster.run_slot(1, timeout=180)
    cluster.run_slot(2)
    assert done
    assert old.restarts == 0
    assert not old.alive()
    assert "Warm shutdown" in old.output()
    matrix(
        "SIGTERM of the worker (a deploy) while the 3rd request is at SendGrid; a new worker starts",
        cluster.tally(SLOTS),
    )
