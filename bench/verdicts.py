"""The one table at the end of `make bench`: every goal, what was measured, and the verdict.

Built from bench/results.json's entries of this run; a part that did not run
says so ("not run"), a page that does not exist yet says "not built yet".
Each figure is the median of the run's repetitions, with its spread.
"""

from collections.abc import Callable

from bench.noise import fmt

Row = dict[str, str]


def _row(part: str, goal: str, measured: str, met: bool | None) -> Row:
    verdict = "n/a" if met is None else ("met" if met else "MISSED")
    return {"part": part, "goal": goal, "measured": measured, "verdict": verdict}


def _p1(results: dict) -> list[Row]:
    p1, base = results.get("p1_dispatch"), results.get("p1_baselines")
    if not p1 or not base:
        return [_row("P1", "dispatch goals", "not run", None)]
    best = max(p1["runs"], key=lambda run: run["mails_per_s"])
    g, who = p1["goals"], f"{best['workers']} workers"
    return [
        _row("P1", f"≤ {g['wall_s']:.0f} s for {p1['enrolments']:,} mails", f"{fmt(best, 'wall_s', 2)} s ({who})",
             best["wall_s"] <= g["wall_s"]),
        _row("P1", f"≥ {g['x_per_message']:.0f}× the per-message baseline", f"{fmt(best, 'x_per_message')}× ({who})",
             best["x_per_message"] >= g["x_per_message"]),
        _row("P1", f"≥ {g['pct_raw']:.0f} % of the raw-POST limit", f"{fmt(best, 'pct_raw')} % ({who})",
             best["pct_raw"] >= g["pct_raw"]),
        _row("P1", f"peak worker RSS ≤ {g['rss_mb']} MB", f"{max(r['max_process_mb'] for r in p1['runs'])} MB",
             all(r["max_process_mb"] <= g["rss_mb"] for r in p1["runs"])),
        _row("P1", f"≤ {g['queries']} queries per 1,000 mails", f"{best['queries_per_1000']}",
             best["queries_per_1000"] <= g["queries"]),
    ]  # fmt: skip


def _p2(results: dict) -> list[Row]:
    rows = []
    for key, label in (("p2_lesson_page", "lesson page"), ("p2_answer_post", "answer POST")):
        r = results.get(key)
        if not r:
            rows.append(_row("P2", label, "not run", None))
            continue
        rows.append(_row("P2", f"{label} ≥ {r['goal_rps']} req/s ({r['config']})", f"{fmt(r, 'rps', 0)} req/s",
                         r["rps"] >= r["goal_rps"] and not r["errors"]))  # fmt: skip
        rows.append(_row("P2", f"{label} p99 ≤ {r['goal_p99_ms']} ms", f"{fmt(r, 'p99_ms')} ms",
                         r["p99_ms"] <= r["goal_p99_ms"]))  # fmt: skip
    c = results.get("p2_ceiling")
    if not c:
        return [*rows, _row("P2", "share of the empty-view ceiling", "not run", None)]
    ceiling = f"of {fmt(c, 'rps', 0)} req/s"
    for name, label in (("page", "lesson page"), ("post", "answer POST")):
        share, goal = c[f"{name}_share_pct"], c[f"goal_{name}_share_pct"]
        measured = f"{fmt(c, f'{name}_share_pct')} % {ceiling}"
        rows.append(_row("P2", f"{label} ≥ {goal} % of the empty-view ceiling", measured, share >= goal))
    return rows


def _timed(part: str, key: str, label: str) -> Callable[[dict], list[Row]]:
    def rows(results: dict) -> list[Row]:
        r = results.get(key)
        if not r:
            return [_row(part, label, "not run", None)]
        return [_row(part, f"{label}: p95 ≤ {r['goal_ms']} ms", f"p95 {fmt(r, 'p95_ms')} ms, median "
                     f"{fmt(r, 'median_ms')} ms, {r['queries']} queries", r["p95_ms"] <= r["goal_ms"])]  # fmt: skip

    return rows


def _p5(results: dict) -> list[Row]:
    p5 = results.get("p5_history")
    if not p5 or "skipped" in p5:
        return [_row("P5", "every measure ≤ 1.25× on a year of history", (p5 or {}).get("skipped", "not run"), None)]
    rows = []
    for pair in p5["pairs"]:
        if "ratio" not in pair:
            rows.append(_row("P5", pair["measure"], pair["status"], None))
        elif pair["judged"]:
            rows.append(_row("P5", f"{pair['measure']}: ≤ {p5['goal_ratio']}×", f"{pair['ratio']:.2f}×", pair["met"]))
    return rows + _analytics(p5.get("sides", {}))


# The trainer's course analytics (bench/analytics.py): its own goal, on both sides of P5.
_ANALYTICS = [
    ("empty", "course_analytics_50", "course analytics, 50 organisations × 150 lessons, empty history"),
    ("full", "course_analytics_50", "course analytics, 50 organisations × 150 lessons, on the year"),
    ("full", "course_analytics_year", "course analytics of the year's course (300 organisations)"),
]


def _analytics(sides: dict) -> list[Row]:
    rows = []
    for side, key, label in _ANALYTICS:
        r = sides.get(side, {}).get(key)
        if not r:
            rows.append(_row("P5", label, "not run", None))
            continue
        measured = f"median {fmt(r, 'median_ms')} ms, p95 {fmt(r, 'p95_ms')} ms, {r['queries']} queries"
        rows.append(_row("P5", f"{label}: median ≤ {r['goal_ms']} ms", measured, r["median_ms"] <= r["goal_ms"]))
    return rows


def _p6(results: dict) -> list[Row]:
    p6 = results.get("p6_flood")
    if not p6 or "skipped" in p6:
        return [_row("P6", "the morning flood", (p6 or {}).get("skipped", "not run"), None)]
    g, ingestion = p6["goals"], p6["ingestion"]
    agree = "agree" if p6["counters_ok"] else "DISAGREE"
    lost = f"{p6['lost']} lost, {p6['applied_twice']} applied twice, counters {agree}"
    walls = f"{fmt(p6['p1_alone'], 'wall_s', 2)} s → {fmt(p6['p1_with_flood'], 'wall_s', 2)} s"
    return [
        _row("P6", f"ingestion ≥ {g['events_per_s']:,} events/s", f"{fmt(ingestion, 'events_per_s', 0)} events/s",
             ingestion["events_per_s"] >= g["events_per_s"]),
        _row("P6", f"the flood slows P1 by ≤ {g['slowdown_pct']:.0f} %",
             f"{p6['slowdown_pct']} % ({walls})",
             p6["slowdown_pct"] <= g["slowdown_pct"]),
        _row("P6", "no event lost, none applied twice", lost,
             p6["counters_ok"] and not p6["lost"] and not p6["applied_twice"]),
    ]  # fmt: skip


PARTS: list[Callable[[dict], list[Row]]] = [
    _p1,
    _p2,
    _timed("P3", "dashboard", "dashboard 5,000 × 150"),
    _timed("P3", "dashboard_export_csv", "dashboard CSV export"),
    _timed("P4", "webhook_1000_events", "webhook batch of 1,000 events"),
    _p5,
    _p6,
    _timed("issue 5", "discussion_thread_500", "thread of 500 posts"),
]


def goal_table(results: dict) -> list[Row]:
    return [row for part in PARTS for row in part(results)]


def print_goal_table(rows: list[Row]) -> None:
    widths = {key: max(len(key), *(len(row[key]) for row in rows)) for key in ("part", "goal", "measured")}
    print("\nEvery goal (median of the runs, min–max in brackets):")
    print(f"{'part':<{widths['part']}}  {'goal':<{widths['goal']}}  {'measured':<{widths['measured']}}  verdict")
    for row in rows:
        print(
            f"{row['part']:<{widths['part']}}  {row['goal']:<{widths['goal']}}  "
            f"{row['measured']:<{widths['measured']}}  {row['verdict']}"
        )
