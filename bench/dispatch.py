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
import pstats
import signal
import sys
import time
import tracemalloc
from collections import Counter
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings

from bench import dispatch_baselines as baselines
from bench.dispatch_dataset import analyze, dispatch_rearm
from bench.dispatch_procs import FakeSendGridProcess
from bench.dispatch_runs import DispatchSession
from bench.noise import REPEATS, fmt, summarise
from drip import sending
from drip.tick import drip_tick
from lessons.models import Delivery, SendBatch

GOALS = {"wall_s": 10.0, "mails_per_s": 10_000, "x_per_message": 50.0, "pct_raw": 20.0, "rss_mb": 300, "queries": 10}
RUN_FIGURES = ("wall_s", "tick_s", "recorded_s", "mails_per_s", "max_process_mb", "tick_queries")


def _log(message: str) -> None:
    print(f"[dispatch] {message}", file=sys.stderr, flush=True)


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
                report = sending.batch_send(batch_id=batch_id, dispatch=lambda _: None)
                if profiler:
                    profiler.disable()
                seconds = time.perf_counter() - started
            if report.outcome != sending.Outcome.SENT:
                raise RuntimeError(f"probe batch {batch_id}: {report}")
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


def _baselines(fake: FakeSendGridProcess, sample: int, threads: list[int], repeats: int) -> dict:
    """Each baseline ``repeats`` times; the raw limit is the best thread count's median."""
    runs = []
    for _ in range(repeats):
        fake.reset()
        runs.append(baselines.per_message(sample=sample, host=fake.url))
        _log(f"per-message baseline: {runs[-1]}")
    per_message = summarise(runs, ("mails_per_s", "seconds"))
    fake.reset()
    payloads = baselines.build_payloads(sample=sample)
    raw = []
    for count in threads:
        runs = []
        for _ in range(repeats):
            runs.append(baselines.raw_limit(payloads=payloads, host=fake.url, threads=count))
            fake.reset()
        raw.append(summarise(runs, ("mails_per_s", "seconds")))
        _log(f"raw limit, {count} thread(s): {fmt(raw[-1], 'mails_per_s', 0)} mails/s")
    return {"sample": sample, "per_message": per_message, "raw": raw}


def _summary(runs: list[dict], probe: dict, base: dict, enrolments: int, shape: dict) -> dict:
    per_message = base["per_message"]["mails_per_s"]
    raw = max(r["mails_per_s"] for r in base["raw"])
    for run in runs:
        queries = run["tick_queries"] + probe["queries"] * run["batches"]
        run["queries_per_1000"] = round(queries / run["mails"] * 1000, 2)
        run["x_per_message"] = round(run["mails_per_s"] / per_message, 1)
        run["pct_raw"] = round(run["mails_per_s"] / raw * 100, 1)
        low, high = run["mails_per_s_spread"]
        run["x_per_message_spread"] = [round(low / per_message, 1), round(high / per_message, 1)]
        run["pct_raw_spread"] = [round(low / raw * 100, 1), round(high / raw * 100, 1)]
    return {
        "p1_dispatch": {
            **shape,
            "runs": runs,
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


def exit_on_signal(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


def timed_runs(session: DispatchSession, concurrency: int, repeats: int) -> dict:
    """``repeats`` timed runs with ``concurrency`` workers: medians of the figures, with their spread."""
    runs = [session.run(concurrency) for _ in range(repeats)]
    _log_queries("the tick", session.tick_queries)
    return summarise(runs, RUN_FIGURES)


def run_dispatch_benchmark(
    *,
    enrolments: int,
    organisations: int,
    workers: list[int],
    sample: int,
    profile: bool = False,
    repeats: int = REPEATS,
) -> dict:
    # A SIGTERM (a timeout, Ctrl-C from make) still stops the workers and the fake in the finally below.
    signal.signal(signal.SIGTERM, exit_on_signal)
    session = DispatchSession(enrolments=enrolments, organisations=organisations)
    try:
        runs: list[dict] = []
        probe: dict = {}
        for concurrency in workers:
            runs.append(timed_runs(session, concurrency, repeats))
            if not probe:
                probe = _send_probe(session.batch_ids[0], session.fake, profile)
                analyze()
        base = _baselines(session.fake, sample, threads=[1, 2, 4], repeats=repeats)  # reads the last run's deliveries
        session.rearm()
        probe["tick_memory"] = _tick_memory(session.due_at)
        if profile:
            probe["tick_profile"] = _profile_tick(session.due_at)
    finally:
        session.close()
    shape = {
        "enrolments": session.data.enrolments,
        "organisations": session.data.organisations,
        "dataset_seconds": session.built_s,
        "tick": "drip.tick.drip_tick in the bench process, dispatch = send_batch.delay after commit",
        "worker": "celery -A druppel worker -Q send,drip -P prefork -c N",
        "measured_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    return _summary(runs, probe, base, session.data.enrolments, shape)


def _verdict(met: bool) -> str:
    return "met" if met else "MISSED"


def print_dispatch_table(results: dict) -> None:
    p1, base = results.get("p1_dispatch"), results.get("p1_baselines")
    if not p1 or not base:
        return
    g = p1["goals"]
    print(
        f"\nP1 dispatch of {p1['enrolments']:,} mails ({p1['organisations']} organisations), median (min–max) "
        f"of {p1['runs'][0]['repeats']} runs; per-message baseline {fmt(base['per_message'], 'mails_per_s', 0)}/s "
        f"({base['scaled_to']:,} in {base['per_message_scaled_s']} s), "
        f"raw limit {base['raw_limit_mails_per_s']:.0f}/s ({base['scaled_to']:,} in {base['raw_limit_scaled_s']} s)"
    )
    print(
        f"{'workers':>7} {'wall s':>18} {'tick s':>7} {'mails/s':>22} {'×per-msg':>18} {'% raw':>18} "
        f"{'RSS MB':>7} {'q/1000':>7}  goals (≤{g['wall_s']:.0f} s, ≥{g['x_per_message']:.0f}×, "
        f"≥{g['pct_raw']:.0f}% raw, ≤{g['rss_mb']} MB, ≤{g['queries']} q)"
    )
    for run in p1["runs"]:
        rss = run["max_process_mb"]
        verdicts = [
            run["wall_s"] <= g["wall_s"],
            run["x_per_message"] >= g["x_per_message"],
            run["pct_raw"] >= g["pct_raw"],
            rss <= g["rss_mb"],
            run["queries_per_1000"] <= g["queries"],
        ]
        print(
            f"{run['workers']:>7} {fmt(run, 'wall_s', 2):>18} {run['tick_s']:>7.2f} {fmt(run, 'mails_per_s', 0):>22} "
            f"{fmt(run, 'x_per_message'):>18} {fmt(run, 'pct_raw'):>18} {rss:>7.1f} {run['queries_per_1000']:>7.2f}  "
            + " ".join(_verdict(v) for v in verdicts)
        )
    print(
        f"the tick's peak allocation (tracemalloc; a drip worker runs it): {p1['tick_peak_alloc_mb']} MB "
        f"for {p1['enrolments']:,} due; RSS above is the send workers'"
    )
