"""A real Celery worker in this process, on the configured broker (file system or Redis)."""

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from celery.contrib.testing.worker import start_worker

from druppel.celery import app as celery_app

QUEUES = ["default", "drip", "send", "digest"]


@contextmanager
def running_worker() -> Iterator[object]:
    celery_app.control.purge()
    with start_worker(celery_app, pool="solo", perform_ping_check=False, queues=QUEUES, shutdown_timeout=30) as worker:
        yield worker


def wait_until(predicate: Callable[[], object], timeout: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False
