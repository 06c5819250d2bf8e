"""A P1 dispatch session: the data set, the fake SendGrid and the bench broker, for several timed runs.

One timed run: the clock starts, the bench process runs `drip.tick.drip_tick`
(the function the beat task runs) with ``dispatch`` queueing `send_batch` on the
bench broker after commit, exactly as the task does; real Celery workers send;
the clock stops when the fake's /__fake__/stats counts every personalization.
Between runs the data set is re-armed (bench/dispatch_dataset.py), not rebuilt.
P1 (bench/dispatch.py), P5 (bench/history.py) and P6 (bench/flood.py) use it.
"""

import datetime as dt
import os
import sys
import time
from pathlib import Path

import redis
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench.dispatch_dataset import analyze, build_dispatch_dataset, dispatch_rearm, due_count, now_utc
from bench.dispatch_procs import FakeSendGridProcess, Workers
from drip.tasks import send_batch
from drip.tick import drip_tick
from druppel.celery import app
from lessons.models import SendBatch

BROKER_URL = os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/11")
SEND_TIMEOUT_S = 300  # a stalled run fails instead of holding `make bench`


def _log(message: str) -> None:
    print(f"[dispatch] {message}", file=sys.stderr, flush=True)


class Broker:
    """Points this process's Celery app at the bench broker (flushed), so ``send_batch.delay`` and
    control pings go there; ``close`` puts the previous broker back."""

    def __init__(self, url: str) -> None:
        redis.Redis.from_url(url).flushdb()
        self.url = url
        self.previous = app.conf.broker_url
        app.close()  # drops connection pools made for another broker
        app.conf["broker_url"] = url
        self.dispatch = send_batch.delay

    def close(self) -> None:
        app.close()
        app.conf["broker_url"] = self.previous


def _wait_recorded(batch_ids: list[int], timeout: float = 60) -> float:
    """Until every batch is recorded as sent (after the fake answered, or proven by an event)."""
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        if SendBatch.objects.filter(pk__in=batch_ids, status=SendBatch.Status.SENT).count() == len(batch_ids):
            return time.perf_counter()
        time.sleep(0.1)
    raise TimeoutError("the workers did not record every batch as sent")


class DispatchSession:
    """Builds the P1 data set once; ``run`` times one tick and its sends, re-arming after the previous run."""

    def __init__(
        self,
        *,
        enrolments: int,
        organisations: int,
        broker_url: str = BROKER_URL,
        fake: FakeSendGridProcess | None = None,
    ) -> None:
        call_command("migrate", verbosity=0)
        self.due_at = now_utc() - dt.timedelta(minutes=1)
        started = time.perf_counter()
        self.data = build_dispatch_dataset(enrolments=enrolments, organisations=organisations, due_at=self.due_at)
        self.built_s = round(time.perf_counter() - started, 1)
        _log(f"{self.data.enrolments} enrolments in {self.data.organisations} organisations built in {self.built_s} s")
        self.fake = fake or FakeSendGridProcess(Path(settings.VAR_DIR) / "fake-sendgrid.log")
        self.broker = Broker(broker_url)
        self.batch_ids: list[int] = []  # of the last run, until the next one re-arms them

    def rearm(self) -> None:
        if self.batch_ids:
            dispatch_rearm(batch_ids=self.batch_ids, due_at=self.due_at)
            self.batch_ids = []

    def run(self, concurrency: int) -> dict:
        self.rearm()
        expected, tick_at = self.data.enrolments, self.due_at + dt.timedelta(minutes=1)
        if (due := due_count(tick_at)) != expected:
            raise RuntimeError(f"{due} enrolments due, expected {expected}")
        self.fake.reset()
        log = Path(settings.VAR_DIR) / "celery-bench.log"
        workers = Workers(concurrency=concurrency, broker_url=self.broker.url, sendgrid_url=self.fake.url, log=log)
        try:
            workers.wait_ready(app)
            load_before = round(os.getloadavg()[0], 2)
            with CaptureQueriesContext(connection) as tick_queries:
                started = time.perf_counter()
                report = drip_tick(now=tick_at, dispatch=self.broker.dispatch)
                ticked = time.perf_counter()
            self.batch_ids = report.batches
            last_accepted = self.fake.wait_for(report.planned, timeout=SEND_TIMEOUT_S)
            recorded = _wait_recorded(report.batches)
            rss = workers.peak_rss_mb()
        finally:
            workers.stop()
        if report.planned != expected:
            raise RuntimeError(f"the tick planned {report.planned}, expected {expected}")
        wall = last_accepted - started
        run = {
            "workers": concurrency,
            "mails": report.planned,
            "batches": len(report.batches),
            "wall_s": round(wall, 2),
            "tick_s": round(ticked - started, 2),
            "recorded_s": round(recorded - started, 2),
            "mails_per_s": round(report.planned / wall),
            "tick_queries": len(tick_queries),
            "worker_rss_mb": rss,
            "max_process_mb": rss["max_process_mb"],
            "fake_rss_mb": self.fake.peak_rss_mb(),
            "load_avg_before": load_before,
            "started_at": time.time() - (time.perf_counter() - started),
        }
        _log(f"{concurrency} worker(s): { ({k: v for k, v in run.items() if k != 'worker_rss_mb'}) }")
        self.tick_queries = tick_queries
        return run

    def close(self) -> None:
        self.broker.close()
        self.fake.stop()


__all__ = ["BROKER_URL", "DispatchSession", "analyze"]
