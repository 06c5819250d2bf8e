"""Every queue a task is routed to has a worker in `make run` and in the documented deployment.

A task routed to a queue nobody consumes is never run, silently.
"""

import re
from pathlib import Path

from django.conf import settings

from druppel.celery import app as celery_app

ROOT = Path(__file__).resolve().parent.parent


def routed_queues() -> set[str]:
    return {route["queue"] for route in settings.CELERY_TASK_ROUTES.values()} | {settings.CELERY_TASK_DEFAULT_QUEUE}


def consumed(text: str) -> set[str]:
    return {queue for match in re.findall(r"--queues ([\w,]+)", text) for queue in match.split(",")}


def test_every_task_of_ours_is_routed_to_a_named_queue():
    ours = {name for name in celery_app.tasks if not name.startswith("celery.")}
    assert ours <= set(settings.CELERY_TASK_ROUTES), ours - set(settings.CELERY_TASK_ROUTES)


def test_make_run_starts_a_worker_for_every_queue():
    assert routed_queues() <= consumed((ROOT / "bin" / "run").read_text())


def test_the_operations_guide_runs_a_worker_for_every_queue():
    assert routed_queues() <= consumed((ROOT / "docs" / "operations.md").read_text())


def test_digests_and_lesson_mail_do_not_share_a_queue_with_the_tick():
    routes = settings.CELERY_TASK_ROUTES
    tick = routes["drip.tasks.drip_tick"]["queue"]
    assert routes["drip.tasks.send_batch"]["queue"] != tick
    assert routes["dashboard.tasks.send_weekly_digests"]["queue"] not in (
        tick,
        routes["drip.tasks.send_batch"]["queue"],
    )


def test_a_waiting_retry_outlives_neither_its_claim_nor_the_brokers_visibility_timeout():
    """A send retry waits at most DRIP_RETRY_MAX_SECONDS, even when SendGrid asks for an hour: the
    countdown message stays unacknowledged in the broker until then."""
    from drip.sending import retry_delay

    cap = settings.DRIP_RETRY_MAX_SECONDS
    assert max(retry_delay(retries, 7200.0) for retries in range(12)) <= cap
    assert retry_delay(0, 30.0) >= 30.0
    assert cap < settings.DRIP_CLAIM_LEASE_SECONDS
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("visibility_timeout", 3600)
    assert visibility > settings.DRIP_CLAIM_LEASE_SECONDS


def test_retries_after_the_same_retry_after_do_not_all_wake_at_once():
    from drip.sending import retry_delay

    delays = {round(retry_delay(0, 10.0), 3) for _ in range(50)}
    assert min(delays) >= 10.0
    assert len(delays) > 40
