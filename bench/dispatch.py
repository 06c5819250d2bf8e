"""Benchmark P1 (issue 6): dispatch 100,000 due lessons, from the tick to the last mail the fake accepted.

Setup: the runner's PostgreSQL database; a dedicated Redis database as the
broker (BENCH_BROKER_URL, default redis://127.0.0.1:6379/11, flushed first);
the fake SendGrid (`python -m tests.fake_sendgrid`) on a free loopback port;
real `celery -A druppel worker -Q send,drip -c N` (prefork) processes with the
bench environment, started per run and always stopped.

One run: the clock starts, the bench process runs `drip.tick.drip_tick` (the
function the beat task runs) with ``dispatch`` queueing `send_batch` on the
bench broker after commit, exactly as the task does; the workers send; the
clock stops when the fake's /__fake__/stats counts every personalization.
Between runs the data set is re-armed (bench/dispatch_dataset.py), not rebuilt.

Queries per 1,000 mails = (the tick's queries, counted in the timed run + one
in-process `batch_send` × batches) / mails × 1,000. The baselines
(bench/dispatch_baselines.py) run on a 5,000-mail sample, scaled to 100k.
"""

import cProfile
import datetime as dt
import io
import os
import pstats
import signal
import sys
import time
import tracemalloc
from collections import Counter
from pathlib import Path

import redis
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings

from bench import dispatch_baselines as baselines
from bench.dispatch_dataset import analyze, build_dispatch_dataset, dispatch_rearm, due_count, now_utc
from bench.dispatch_procs import FakeSendGridProcess, Workers
from drip import sending
from drip.tasks import send_batch
from drip.tick import drip_tick
from druppel.celery import app
from lessons.models import Delivery, SendBatch

BROKER_URL = os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/11")
GOALS = {"wall_s": 10.0, "mails_per_s": 10_000, "x_per_message": 50.0, "pct_raw": 20.0, "rss_mb": 300, "queries": 10}
SEND_TIMEOUT_S = 120  # a stalled run fails instead of holding `make bench`


def _log(message: str) -> None:
    print(f"[dispatch] {message}", file=sys.stderr, flush=True)


class _Broker:
    """Points this process's Celery app at the bench broker (flushed), so ``send_batch.delay`` and
    control pings go there; ``close`` puts the previous broker back."""

    def __init__(self, url: str) -> None:
        redis.Redis.from_url(url).flushdb()
        self.previous = app.conf.broker_url
        app.close()  # drops connection pools made for another broker
        app.conf["broker_url"] = url
        self.dispatch = send_batch.delay

    def close(self) -> None:
        app.close()
        app.conf["broker_url"] = self.previous


def _wait_recorded(batch_ids: list[int], timeout: float = 60) -> float:
    """Until the workers recorded every batch as sent (after the fake answered)."""
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        if SendBatch.objects.filter(pk__in=batch_ids, status=SendBatch.Status.SENT).count() == len(batch_ids):
            return time.perf_counter()
        time.sleep(0.1)
    raise TimeoutError("the workers did not record every batch as sent")


def _timed_run(
    concurrency: int, fake: FakeSendGridProcess, broker: _Broker, expected: int, due_at: dt.datetime
) -> dict:
    tick_at = due_at + dt.timedelta(minutes=1)
    if (due := due_count(tick_at)) != expected:
        raise RuntimeError(f"{due} enrolments due, expected {expected}")
    fake.reset()
    log = Path(settings.VAR_DIR) / "celery-bench.log"
    workers = Workers(concurrency=concurrency, broker_url=BROKER_URL, sendgrid_url=fake.url, log=log)
    try:
        workers.wait_ready(app)
        load_before = round(os.getloadavg()[0], 2)
        with CaptureQueriesContext(connection) as tick_queries:
            started = time.perf_counter()
            report = drip_tick(now=tick_at, dispatch=broker.dispatch)
            ticked = time.perf_counter()
        last_accepted = fake.wait_for(report.planned, timeout=SEND_TIMEOUT_S)
        recorded = _wait_recorded(report.batches)
        rss = workers.peak_rss_mb()
    finally:
        workers.stop()
    if report.planned != expected:
        raise RuntimeError(f"the tick planned {report.planned}, expected {expected}")
    _log_queries("the tick", tick_queries)
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
        "fake_rss_mb": fake.peak_rss_mb(),
        "load_avg_before": load_before,
    }
    _log(f"{concurrency} worker(s): {run}")
    return {**run, "_batch_ids": report.batches}


def _send_probe(batch_id: int, fake: FakeSendGridProcess, profile: bool) -> dict:
    """One batch sent in-process, exactly as a worker does: its queries, its time, optionally a profile."""
    result: dict = {}
    with override_settings(SENDGRID_API_KEY="SG.bench", SENDGRID_API_HOST=fake.url):
        for attempt in ("count", "profile") if profile else ("count",):
            SendBatch.objects.filter(pk=batch_id).update(status=SendBatch.Status.QUEUED, claim_token=None)
            Delivery.objects.filter(batch_id=batch_id).update(status=Delivery.Status.QUEUED)
            profiler = cProfile.Profile() if attempt == "profile" else None
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                if profiler:
                    profiler.enable()
                outcome = sending.batch_send(batch_id=batch_id, dispatch=lambda _: None)
                if profiler:
                    profiler.disable()
                seconds = time.perf_counter() - started
            if outcome != sending.Outcome.SENT:
                raise RuntimeError(f"probe batch {batch_id}: {outcome}")
            result[attempt] = {"queries": len(queries), "ms": round(seconds * 1000, 1)}
            if attempt == "count":
                _log_queries("one send_batch", queries)
            if profiler:
                result["profile"] = _top(profiler, "send_batch")
    fake.reset()
    return {"queries": result["count"]["queries"], "ms": result["count"]["ms"], **result}


def _shape(sql: str) -> str:
    """ "UPDATE courses_enrolment", "SELECT lessons_delivery": the verb and the first table."""
    words = sql.replace('"', "").split()
    after = {"UPDATE": 1}.get(words[0], 0) or next((i + 1 for i, w in enumerate(words) if w in ("FROM", "INTO")), 0)
    return f"{words[0]} {words[after] if 0 < after < len(words) else ''}".strip()


def _log_queries(what: str, queries: CaptureQueriesContext) -> None:
    """Statements grouped by their first words, with their count: where the queries of a step go."""
    shapes = Counter(_shape(q["sql"]) for q in queries.captured_queries)
    _log(f"{len(queries)} queries in {what}: " + "; ".join(f"{n}× {shape}" for shape, n in shapes.most_common()))


def _top(profiler: cProfile.Profile, name: str, limit: int = 25) -> str:
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.dump_stats(str(Path(settings.VAR_DIR) / f"{name}.pstats"))
    stats.sort_stats("cumulative").print_stats(limit)
    text = out.getvalue()
    _log(f"profile of {name} (cumulative):\n{text}")
    return text


def _profile_tick(due_at: dt.datetime) -> dict:
    """The tick alone, under cProfile, with sends not dispatched; then undone."""
    profiler = cProfile.Profile()
    batches: list[int] = []
    started = time.perf_counter()
    profiler.enable()
    report = drip_tick(now=due_at + dt.timedelta(minutes=1), dispatch=batches.append)
    profiler.disable()
    seconds = time.perf_counter() - started
    _top(profiler, "drip_tick")
    dispatch_rearm(batch_ids=report.batches, due_at=due_at)
    return {"seconds_profiled": round(seconds, 2), "planned": report.planned}


def _tick_memory(due_at: dt.datetime) -> dict:
    """The tick's peak Python allocation (tracemalloc), sends not dispatched; then undone.

    It runs in a `drip` worker in production; the timed runs above run it in this process."""
    tracemalloc.start()
    try:
        report = drip_tick(now=due_at + dt.timedelta(minutes=1), dispatch=lambda batch_id: None)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    dispatch_rearm(batch_ids=report.batches, due_at=due_at)
    result = {"planned": report.planned, "peak_alloc_mb": round(peak / 1e6, 1)}
    _log(f"tick memory: {result}")
    return result


def _baselines(fake: FakeSendGridProcess, sample: int, threads: list[int]) -> dict:
    fake.reset()
    per_message = baselines.per_message(sample=sample, host=fake.url)
    _log(f"per-message baseline: {per_message}")
    fake.reset()
    payloads = baselines.build_payloads(sample=sample)
    raw = []
    for count in threads:
        raw.append(baselines.raw_limit(payloads=payloads, host=fake.url, threads=count))
        _log(f"raw limit, {count} thread(s): {raw[-1]}")
        fake.reset()
    return {"sample": sample, "per_message": per_message, "raw": raw}


def _summary(runs: list[dict], probe: dict, base: dict, enrolments: int, shape: dict) -> dict:
    per_message = base["per_message"]["mails_per_s"]
    raw = max(r["mails_per_s"] for r in base["raw"])
    for run in runs:
        queries = run["tick_queries"] + probe["queries"] * run["batches"]
        run["queries_per_1000"] = round(queries / run["mails"] * 1000, 2)
        run["x_per_message"] = round(run["mails_per_s"] / per_message, 1)
        run["pct_raw"] = round(run["mails_per_s"] / raw * 100, 1)
    return {
        "p1_dispatch": {
            **shape,
            "runs": [{k: v for k, v in run.items() if not k.startswith("_")} for run in runs],
            "send_batch_queries": probe["queries"],
            "tick_peak_alloc_mb": probe["tick_memory"]["peak_alloc_mb"],
            "send_batch_inprocess_ms": probe["ms"],
            "goals": GOALS,
        },
        "p1_baselines": {
            **base,
            "scaled_to": enrolments,
            "per_message_scaled_s": round(enrolments / per_message, 1),
            "raw_limit_mails_per_s": raw,
            "raw_limit_scaled_s": round(enrolments / raw, 2),
            "measured_at": shape["measured_at"],
        },
    }


def _exit_on_signal(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


def run_dispatch_benchmark(
    *, enrolments: int, organisations: int, workers: list[int], sample: int, profile: bool = False
) -> dict:
    # A SIGTERM (a timeout, Ctrl-C from make) still stops the workers and the fake in the finally below.
    signal.signal(signal.SIGTERM, _exit_on_signal)
    call_command("migrate", verbosity=0)
    due_at = now_utc() - dt.timedelta(minutes=1)
    started = time.perf_counter()
    data = build_dispatch_dataset(enrolments=enrolments, organisations=organisations, due_at=due_at)
    built_s = round(time.perf_counter() - started, 1)
    _log(f"{data.enrolments} enrolments in {data.organisations} organisations built in {built_s} s")
    fake = FakeSendGridProcess(Path(settings.VAR_DIR) / "fake-sendgrid.log")
    broker = _Broker(BROKER_URL)
    try:
        runs: list[dict] = []
        probe: dict = {}
        for concurrency in workers:
            if runs:
                dispatch_rearm(batch_ids=runs[-1]["_batch_ids"], due_at=due_at)
            runs.append(_timed_run(concurrency, fake, broker, data.enrolments, due_at))
            if not probe:
                probe = _send_probe(runs[-1]["_batch_ids"][0], fake, profile)
                analyze()
        base = _baselines(fake, sample, threads=[1, 2, 4])  # reads the last run's deliveries
        dispatch_rearm(batch_ids=runs[-1]["_batch_ids"], due_at=due_at)
        probe["tick_memory"] = _tick_memory(due_at)
        if profile:
            probe["tick_profile"] = _profile_tick(due_at)
    finally:
        broker.close()
        fake.stop()
    shape = {
        "enrolments": data.enrolments,
        "organisations": data.organisations,
        "dataset_seconds": built_s,
        "tick": "drip.tick.drip_tick in the bench process, dispatch = send_batch.delay after commit",
        "worker": "celery -A druppel worker -Q send,drip -P prefork -c N",
        "measured_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    return _summary(runs, probe, base, data.enrolments, shape)


def _verdict(met: bool) -> str:
    return "met" if met else "MISSED"


def print_dispatch_table(results: dict) -> None:
    p1, base = results.get("p1_dispatch"), results.get("p1_baselines")
    if not p1 or not base:
        return
    g = p1["goals"]
    print(
        f"\nP1 dispatch of {p1['enrolments']:,} mails ({p1['organisations']} organisations); "
        f"per-message baseline {base['per_message']['mails_per_s']:.0f}/s "
        f"({base['scaled_to']:,} in {base['per_message_scaled_s']} s), "
        f"raw limit {base['raw_limit_mails_per_s']:.0f}/s ({base['scaled_to']:,} in {base['raw_limit_scaled_s']} s)"
    )
    print(
        f"{'workers':>7} {'wall s':>7} {'tick s':>7} {'mails/s':>8} {'×per-msg':>8} {'% raw':>6} "
        f"{'RSS MB':>7} {'q/1000':>7}  goals (≤{g['wall_s']:.0f} s, ≥{g['x_per_message']:.0f}×, "
        f"≥{g['pct_raw']:.0f}% raw, ≤{g['rss_mb']} MB, ≤{g['queries']} q)"
    )
    for run in p1["runs"]:
        rss = run["worker_rss_mb"]["max_process_mb"]
        verdicts = [
            run["wall_s"] <= g["wall_s"],
            run["x_per_message"] >= g["x_per_message"],
            run["pct_raw"] >= g["pct_raw"],
            rss <= g["rss_mb"],
            run["queries_per_1000"] <= g["queries"],
        ]
        print(
            f"{run['workers']:>7} {run['wall_s']:>7.2f} {run['tick_s']:>7.2f} {run['mails_per_s']:>8} "
            f"{run['x_per_message']:>8.1f} {run['pct_raw']:>6.1f} {rss:>7.1f} {run['queries_per_1000']:>7.2f}  "
            + " ".join(_verdict(v) for v in verdicts)
        )
    print(
        f"the tick's peak allocation (tracemalloc; a drip worker runs it): {p1['tick_peak_alloc_mb']} MB "
        f"for {p1['enrolments']:,} due; RSS above is the send workers'"
    )
