"""Benchmark P5 (issue 15): the same measures on an empty history and on a year of it, in one run.

The year (bench/year_cache.py) is 100,000 learners in 300 organisations who
each received the 150 lessons of one course: 15,000,000 deliveries with their
events, batches and aggregates, built once by ``COPY`` and cached. Each run
copies it, and makes an empty database beside it; then, family by family,
bench/history_side.py measures the empty side and the full side one after the
other (the order alternates between families), each in its own process. Every
figure is the median of ``repeats`` runs.

A pair's ratio says how many times slower the full history is: full/empty for
a time, empty/full for a rate. The goal: at most 1.25× for every pair. The P2
p99 ratios and the tick's share of P1 are printed for information, not judged:
the goal judges throughput, and a p99 of 20 ms swings by half on a busy machine.
"""

import json
import os
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

from bench.noise import fmt
from bench.year_build import Shape
from bench.year_cache import run_child, year_copy, year_copy_drop, year_ensure

GOAL_RATIO = 1.25
FAMILIES = ["dashboard", "webhook", "lessons", "dispatch", "analytics"]
BROKER_URL = os.environ.get("BENCH_HISTORY_BROKER_URL", "redis://127.0.0.1:6379/13")
# (label, key on the empty side, key on the full side, figure, kind, judged)
PAIRS = [
    ("P1 dispatch of one slot, 100,000 mails, 2 workers: wall s", "p1", "p1", "wall_s", "time", True),
    ("P1 the tick alone: s", "p1", "p1", "tick_s", "time", False),
    ("P3 dashboard, 5,000 learners × 150 lessons: median ms", "dashboard_5000", "dashboard_5000", "median_ms",
     "time", True),
    ("P3 dashboard of a year organisation (5,000 learners, own history): median ms", "dashboard_5000",
     "dashboard_year_org", "median_ms", "time", True),
    ("P2 lesson page: req/s", "p2_lesson_page", "p2_lesson_page", "rps", "rate", True),
    ("P2 lesson page: p99 ms", "p2_lesson_page", "p2_lesson_page", "p99_ms", "time", False),
    ("P2 answer POST: req/s", "p2_answer_post", "p2_answer_post", "rps", "rate", True),
    ("P2 answer POST: p99 ms", "p2_answer_post", "p2_answer_post", "p99_ms", "time", False),
    ("P4 webhook, 1,000 events: median ms", "webhook_1000_events", "webhook_1000_events", "median_ms", "time", True),
    ("the trainer's course analytics, 50 organisations × 150 lessons: median ms", "course_analytics_50",
     "course_analytics_50", "median_ms", "time", True),
    ("the trainer's course analytics of the year's course (300 organisations): median ms", "course_analytics_50",
     "course_analytics_year", "median_ms", "time", False),
]  # fmt: skip


def _log(message: str) -> None:
    print(f"[history] {message}", file=sys.stderr, flush=True)


def _side(url: str, side: str, family: str, repeats: int) -> dict:
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as out:
        path = Path(out.name)
    env = {**os.environ, "BENCH_DATABASE_URL": url, "BENCH_BROKER_URL": BROKER_URL}
    command = [sys.executable, "-m", "bench.history_side", "--side", side, "--family", family,
               "--repeats", str(repeats), "--out", str(path)]  # fmt: skip
    started = time.perf_counter()
    code, _, err = run_child(command, env)
    if code:
        raise RuntimeError(f"P5 {family} on the {side} history failed:\n{err[-4000:]}")
    figures = json.loads(path.read_text())
    path.unlink()
    _log(f"{family} on the {side} history: {round(time.perf_counter() - started)} s")
    return figures


def _pair(label: str, empty: dict, full: dict, figure: str, kind: str, judged: bool) -> dict:
    a, b = empty[figure], full[figure]
    ratio = (b / a) if kind == "time" else (a / b)
    return {
        "measure": label,
        "figure": figure,
        "empty": a,
        "empty_spread": empty.get(f"{figure}_spread"),
        "full": b,
        "full_spread": full.get(f"{figure}_spread"),
        "ratio": round(ratio, 2),
        "judged": judged,
        "met": ratio <= GOAL_RATIO if judged else None,
    }


def run_history_benchmark(*, database_url: str, repeats: int, shape: Shape | None = None) -> dict:
    shape = shape or Shape()
    started = time.perf_counter()
    year = year_ensure(database_url, shape)
    ensure_s = round(time.perf_counter() - started, 1)
    copy_url, copy_s = year_copy(database_url, year)
    _log(f"{year.name}: {'built' if year.built_now else 'cached'}; copied in {copy_s} s")
    empty_name = f"{urlsplit(database_url).path.lstrip('/')}_empty"
    empty_url = urlsplit(database_url)._replace(path=f"/{empty_name}").geturl()
    from bench.run import recreate_database

    recreate_database(empty_url)
    sides: dict[str, dict] = {"empty": {}, "full": {}}
    try:
        sides["full"] |= _side(copy_url, "full", "sizes", repeats)
        for n, family in enumerate(FAMILIES):
            order = [("empty", empty_url), ("full", copy_url)]
            for side, url in order if n % 2 == 0 else reversed(order):
                sides[side] |= _side(url, side, family, repeats)
    finally:
        year_copy_drop(database_url)
        from bench.run import drop_database

        drop_database(empty_url)
    pairs = [_pair(label, sides["empty"][a], sides["full"][b], fig, kind, judged)
             for label, a, b, fig, kind, judged in PAIRS]  # fmt: skip
    return {
        "p5_history": {
            "year": {
                "database": year.name,
                "built_now": year.built_now,
                "build_seconds": year.build_seconds,
                "build": year.report,
                "ensure_seconds": ensure_s,
                "copy_seconds": copy_s,
            },
            "sizes": sides["full"].get("sizes"),
            "pairs": pairs,
            "goal_ratio": GOAL_RATIO,
            "sides": sides,
        }
    }


def print_history_table(results: dict) -> None:
    p5 = results.get("p5_history")
    if not p5 or "skipped" in p5:
        return
    year, build = p5["year"], p5["year"]["build"]
    made = "built in this run" if year["built_now"] else "cached"
    print(
        f"\nP5 a year of history ({build.get('deliveries', 0):,} deliveries, {build.get('events', 0):,} events; "
        f"{made}, built in {year['build_seconds']:.0f} s; copied in {year['copy_seconds']} s). Median (min–max)."
    )
    print(f"{'measure':<82} {'empty':>22} {'full':>22} {'ratio':>6}  verdict (≤{p5['goal_ratio']}×)")
    for pair in p5["pairs"]:
        if "ratio" not in pair:
            print(f"{pair['measure']:<82} {'':>22} {'':>22} {'':>6}  {pair['status']}")
            continue
        empty = {"v": pair["empty"], "v_spread": pair["empty_spread"]}
        full = {"v": pair["full"], "v_spread": pair["full_spread"]}
        verdict = "info" if not pair["judged"] else ("met" if pair["met"] else "MISSED")
        print(f"{pair['measure']:<82} {fmt(empty, 'v'):>22} {fmt(full, 'v'):>22} {pair['ratio']:>6.2f}  {verdict}")
    for table, size in (p5.get("sizes") or {}).items():
        if isinstance(size, dict):
            print(
                f"{table}: {size['rows']:,} rows, {size['table_bytes_per_row']} B/row table + "
                f"{size['index_bytes_per_row']} B/row indexes = {size['total_bytes_per_row']} B/row "
                f"({size['total_bytes'] / 1e9:.2f} GB)"
            )
