"""`make bench`: generate the data sets, measure P1-P6, write bench/results.json, print the goals.

    python -m bench.run [--only P1,P2,P3,P4,P5,P6,threads] [--repeats 3] [--requests 20]
                        [--load-seconds 10] [--load-connections 8] [--dispatch-workers 1,2,4] [--dispatch-profile]

BENCH_DATABASE_URL picks the database (default: the local PostgreSQL,
postgres://postgres@127.0.0.1:5432/druppel_bench). The runner drops and
creates it, migrates, measures, and drops it again. Each part:

* P3 the dashboard, in-process (bench/dashboard.py); P4 one webhook request of
  1,000 signed events (bench/webhook.py); the 500-post thread (bench/threads.py);
* P2 the learner pages under load through gunicorn, and the empty-view ceiling
  (bench/lesson_load.py, bench/ceiling_*.py);
* P1 dispatch of 100,000 lessons through Redis db 11, real Celery workers and
  the fake SendGrid, with 1, 2 and 4 workers (bench/dispatch.py);
* P6 the morning flood: P1 with and without SendGrid's events posted back
  through gunicorn (bench/flood.py; Redis db 12), on a freshly made database;
* P5 a year of history: the same measures on an empty database and on a copy
  of the cached year (bench/history.py, bench/year_*.py; Redis db 13); the year
  is built on the first run (minutes) and kept as druppel_bench_year_<key>.

Every figure is the median of --repeats runs with its spread; results.json
keeps the machine's core count and load averages beside them, and the last
table lists every goal with its verdict (bench/verdicts.py).
"""

import argparse
import json
import os
import secrets
import signal
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/druppel_bench"
RESULTS = Path(__file__).resolve().parent / "results.json"
BENCH_RANDOM_PAGE_COST = 1.1


def configure(database_url: str) -> None:
    """Environment for a production-like Django (DEBUG off, cached templates) on the bench database."""
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    os.environ["DEBUG"] = "0"
    os.environ["ALLOWED_HOSTS"] = "testserver"
    # Production settings refuse to start without an https:// SITE_URL (every mail link starts there).
    os.environ.setdefault("SITE_URL", "https://bench.druppel.example")
    os.environ.setdefault("DRUPPEL_VAR_DIR", tempfile.mkdtemp(prefix="druppel-bench-"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "druppel.settings"


def _postgres_admin(database_url: str, statements: list[str]) -> None:
    import psycopg

    parts = urlsplit(database_url)
    server = parts._replace(path="/postgres").geturl().replace("postgres://", "postgresql://", 1)
    with psycopg.connect(server, autocommit=True) as connection:
        for statement in statements:
            connection.execute(statement)  # type: ignore[arg-type]


def _database_name(database_url: str) -> str:
    return urlsplit(database_url).path.lstrip("/")


def recreate_database(database_url: str) -> None:
    if database_url.startswith(("postgres://", "postgresql://")):
        name = _database_name(database_url).replace('"', "")
        _postgres_admin(
            database_url,
            [
                f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)',
                f'CREATE DATABASE "{name}"',
                # The SSD setting docs/operations.md recommends: without it the planner reads a
                # batch's 1,000 recipients by scanning every enrolment (17.7 ms instead of 4.9 ms).
                f'ALTER DATABASE "{name}" SET random_page_cost = {BENCH_RANDOM_PAGE_COST}',
            ],
        )
    elif database_url.startswith("sqlite:///"):
        Path(database_url.removeprefix("sqlite:///")).unlink(missing_ok=True)


def drop_database(database_url: str) -> None:
    from django.db import connections

    connections.close_all()
    if database_url.startswith(("postgres://", "postgresql://")):
        _postgres_admin(database_url, [f'DROP DATABASE IF EXISTS "{_database_name(database_url)}" WITH (FORCE)'])
    elif database_url.startswith("sqlite:///"):
        Path(database_url.removeprefix("sqlite:///")).unlink(missing_ok=True)


def write_results(results: dict[str, dict]) -> None:
    """Merge into bench/results.json, keyed by benchmark name, so other benchmarks can add theirs."""
    existing = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    existing.update(results)
    RESULTS.write_text(json.dumps(existing, indent=2, sort_keys=True) + "\n")


def print_table(results: dict[str, dict]) -> None:
    from bench.noise import fmt

    timed = {name: r for name, r in results.items() if "median_ms" in r}
    loaded = {name: r for name, r in results.items() if "configs" in r}
    if timed:
        print(
            f"{'benchmark':<22} {'median ms (min–max)':>24} {'p95 ms (min–max)':>24} {'queries':>8} "
            f"{'goal ms':>8}  verdict"
        )
    for name, result in timed.items():
        verdict = "ok" if result["p95_ms"] <= result["goal_ms"] else "SLOW"
        print(
            f"{name:<22} {fmt(result, 'median_ms'):>24} {fmt(result, 'p95_ms'):>24} "
            f"{result['queries']:>8} {result['goal_ms']:>8}  {verdict}"
        )
    if loaded:
        print(
            f"\n{'under load':<16} {'config':<17} {'req/s (min–max)':>20} {'p50 ms':>7} {'p99 ms (min–max)':>20} "
            f"{'errors':>6} {'queries':>7}  goal"
        )
    for name, result in loaded.items():
        for index, run in enumerate(result["configs"]):
            met = run["rps"] >= result["goal_rps"] and run["p99_ms"] <= result["goal_p99_ms"] and not run["errors"]
            goal = f"≥{result['goal_rps']}/s p99≤{result['goal_p99_ms']}: {'ok' if met else 'MISSED'}"
            print(
                f"{name if index == 0 else '':<16} {run['config']:<17} {fmt(run, 'rps', 0):>20} {run['p50_ms']:>7.1f} "
                f"{fmt(run, 'p99_ms'):>20} {run['errors']:>6} {result['queries'] if index == 0 else '':>7}  {goal}"
            )
    ceiling = results.get("p2_ceiling")
    if ceiling:
        print(
            f"{'empty view':<16} {ceiling['config']:<17} {fmt(ceiling, 'rps', 0):>20} {ceiling['p50_ms']:>7.1f} "
            f"{fmt(ceiling, 'p99_ms'):>20} {ceiling['errors']:>6} {0:>7}  the ceiling: page "
            f"{fmt(ceiling, 'page_share_pct')} % (≥{ceiling['goal_page_share_pct']}), POST "
            f"{fmt(ceiling, 'post_share_pct')} % (≥{ceiling['goal_post_share_pct']})"
        )


def _gunicorn_config(text: str) -> tuple[str, int, int]:
    kind, workers, threads = text.split(":")
    return kind, int(workers), int(threads)


PARTS = ["P3", "P4", "threads", "staff_import", "P2", "P1", "P6", "P5"]  # the order they run in
NEEDS_POSTGRESQL = {"P5": "p5_history", "P6": "p6_flood"}
ALIASES = {"dashboard": "P3", "webhook": "P4", "lessons": "P2", "dispatch": "P1", "flood": "P6", "history": "P5"}


def _parts(text: str | None) -> list[str]:
    if not text:
        return PARTS
    wanted = [ALIASES.get(part.strip(), part.strip()) for part in text.split(",")]
    unknown = [part for part in wanted if part not in PARTS]
    if unknown:
        raise SystemExit(f"--only: unknown part(s) {', '.join(unknown)}; choose from {', '.join(PARTS)}")
    return [part for part in PARTS if part in wanted]


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--only", help="comma-separated parts: P1..P6, threads, staff_import (or dashboard, lessons, …)"
    )
    parser.add_argument("--staff-rows", type=int, default=100_000, help="rows of the staff-import file")
    parser.add_argument("--repeats", type=int, default=3, help="runs per figure; each figure is their median")
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--learners", type=int, default=5000)
    parser.add_argument("--lessons", type=int, default=150)
    parser.add_argument("--dispatch-enrolments", type=int, default=100_000)
    parser.add_argument("--dispatch-workers", default="1,2,4", help="worker processes of each P1 run, comma-separated")
    parser.add_argument("--dispatch-sample", type=int, default=5000, help="mails of each P1 baseline")
    parser.add_argument("--dispatch-profile", action="store_true", help="cProfile one send_batch and the tick")
    parser.add_argument("--webhook-requests", type=int, default=10)
    parser.add_argument("--load-seconds", type=float, default=10.0, help="per load phase and configuration")
    parser.add_argument("--load-connections", type=int, default=8)
    parser.add_argument("--load-enrolments", type=int, default=5000)
    parser.add_argument(
        "--load-configs", help="gunicorn configurations, e.g. gthread:2:4,sync:4:1 (class:workers:threads)"
    )
    parser.add_argument("--flood-connections", type=int, default=4, help="P6: concurrent webhook posts")
    return parser.parse_args()


def _measure(part: str, args: argparse.Namespace, database_url: str) -> dict[str, dict]:
    from bench.dashboard import run_dashboard_benchmarks
    from bench.dispatch import run_dispatch_benchmark
    from bench.flood import run_flood_benchmark
    from bench.history import run_history_benchmark
    from bench.lesson_load import Load, run_lesson_load_benchmarks
    from bench.staff_import import run_staff_import_benchmark
    from bench.threads import run_thread_benchmark
    from bench.webhook import run_webhook_benchmark

    repeats = args.repeats
    if part in NEEDS_POSTGRESQL and not database_url.startswith(("postgres://", "postgresql://")):
        return {NEEDS_POSTGRESQL[part]: {"skipped": f"{part} needs PostgreSQL (COPY, concurrent writers)"}}
    if part == "P3":
        return run_dashboard_benchmarks(
            learners=args.learners, lessons=args.lessons, requests=args.requests, repeats=repeats
        )
    if part == "P4":
        return run_webhook_benchmark(rounds=args.webhook_requests, repeats=repeats)
    if part == "threads":
        return run_thread_benchmark(requests=args.requests, repeats=repeats)
    if part == "staff_import":
        return run_staff_import_benchmark(rows=args.staff_rows)
    if part == "P2":
        load = Load(connections=args.load_connections, seconds=args.load_seconds)
        configs = [_gunicorn_config(text) for text in args.load_configs.split(",")] if args.load_configs else None
        # 12 lessons: 55,000 unanswered deliveries, a fresh share for each configuration and repetition.
        return run_lesson_load_benchmarks(
            enrolments=args.load_enrolments, lessons=12, load=load, configs=configs, repeats=repeats
        )
    if part == "P1":
        return run_dispatch_benchmark(
            enrolments=args.dispatch_enrolments,
            organisations=300,
            workers=[int(n) for n in args.dispatch_workers.split(",")],
            sample=args.dispatch_sample,
            profile=args.dispatch_profile,
            repeats=repeats,
        )
    if part == "P6":
        _fresh_database(database_url)  # P1's data set lives in the runner's database: start clean
        return run_flood_benchmark(
            enrolments=args.dispatch_enrolments, organisations=300, repeats=repeats, connections=args.flood_connections
        )
    return run_history_benchmark(database_url=database_url, repeats=repeats)


def _fresh_database(database_url: str) -> None:
    from django.core.management import call_command
    from django.db import connections

    connections.close_all()
    recreate_database(database_url)
    call_command("migrate", verbosity=0)


def main() -> int:
    args = _arguments()
    parts = _parts(args.only)
    database_url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)
    configure(database_url)
    recreate_database(database_url)
    from bench.noise import load_average, machine

    load_before, began = load_average(), time.perf_counter()

    import django
    from django.core.management import call_command

    django.setup()
    # DEBUG is off: pages name their static files through the manifest, as in production.
    call_command("collectstatic", "--noinput", verbosity=0)
    from bench.dispatch import exit_on_signal, print_dispatch_table
    from bench.history import print_history_table
    from bench.verdicts import goal_table, print_goal_table

    signal.signal(signal.SIGTERM, exit_on_signal)
    results: dict[str, dict] = {}
    durations: dict[str, float] = {}
    try:
        for part in parts:
            started = time.perf_counter()
            results |= _measure(part, args, database_url)
            durations[part] = round(time.perf_counter() - started, 1)
            print(
                f"[bench] {part} took {durations[part]} s; load average {load_average()}", file=sys.stderr, flush=True
            )
    finally:
        drop_database(database_url)
    about = machine(urlsplit(database_url).scheme, load_before=load_before)
    for result in results.values():
        result["machine"] = about
    rows = goal_table(results)
    results["goals"] = {
        "rows": rows,
        "parts": parts,
        "seconds": durations,
        "total_seconds": round(time.perf_counter() - began, 1),
        "repeats": args.repeats,
        "machine": about,
    }
    write_results(results)
    print_table(results)
    print_dispatch_table(results)
    print_history_table(results)
    print_goal_table(rows)
    print(f"\n{sum(durations.values()):.0f} s in all ({durations}); machine {about}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
