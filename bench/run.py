"""`make bench`: generate the data set in a dedicated database, measure, write bench/results.json.

    python -m bench.run [--requests 20] [--only dashboard|lessons|webhook|threads|dispatch] [--load-seconds 10]
                        [--load-connections 8] [--dispatch-workers 1,2,4] [--dispatch-profile]

BENCH_DATABASE_URL picks the database (default: the local PostgreSQL,
postgres://postgres@127.0.0.1:5432/druppel_bench). The runner drops and
creates it, migrates, measures, and drops it again. The dashboard is measured
in-process, and so is one webhook request of 1,000 signed events (bench/webhook.py);
the learner pages under load through gunicorn (bench/lesson_load.py); P1 dispatch
of 100,000 lessons through Redis, real Celery workers and the fake SendGrid
(bench/dispatch.py): `make bench` runs it with 2 workers, `--only dispatch`
with 1, 2 and 4.
"""

import argparse
import json
import os
import platform
import secrets
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/druppel_bench"
RESULTS = Path(__file__).resolve().parent / "results.json"
BENCH_RANDOM_PAGE_COST = 1.1


def _configure(database_url: str) -> None:
    """Environment for a production-like Django (DEBUG off, cached templates) on the bench database."""
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    os.environ["DEBUG"] = "0"
    # With DEBUG off the settings want https links; the fake SendGrid never follows them.
    os.environ.setdefault("SITE_URL", "https://bench.druppel.example")
    os.environ["ALLOWED_HOSTS"] = "testserver"
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
    timed = {name: r for name, r in results.items() if "median_ms" in r}
    loaded = {name: r for name, r in results.items() if "rps" in r}
    if timed:
        print(f"{'benchmark':<20} {'median ms':>10} {'p95 ms':>8} {'queries':>8} {'goal ms':>8}  verdict")
    for name, result in timed.items():
        verdict = "ok" if result["p95_ms"] <= result["goal_ms"] else "SLOW"
        print(
            f"{name:<20} {result['median_ms']:>10.1f} {result['p95_ms']:>8.1f} "
            f"{result['queries']:>8} {result['goal_ms']:>8}  {verdict}"
        )
    if loaded:
        print(
            f"\n{'under load':<16} {'config':<17} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} "
            f"{'errors':>6} {'queries':>7}  goal"
        )
    for name, result in loaded.items():
        for index, run in enumerate(result["configs"]):
            met = run["rps"] >= result["goal_rps"] and run["p99_ms"] <= result["goal_p99_ms"] and not run["errors"]
            goal = f"≥{result['goal_rps']}/s p99≤{result['goal_p99_ms']}: {'ok' if met else 'MISSED'}"
            print(
                f"{name if index == 0 else '':<16} {run['config']:<17} {run['rps']:>7.0f} {run['p50_ms']:>7.1f} "
                f"{run['p95_ms']:>7.1f} {run['p99_ms']:>7.1f} {run['errors']:>6} "
                f"{result['queries'] if index == 0 else '':>7}  {goal}"
            )


def _gunicorn_config(text: str) -> tuple[str, int, int]:
    kind, workers, threads = text.split(":")
    return kind, int(workers), int(threads)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--learners", type=int, default=5000)
    parser.add_argument("--lessons", type=int, default=150)
    parser.add_argument(
        "--only",
        choices=["dashboard", "lessons", "webhook", "threads", "dispatch", "staff_import"],
        help="run one benchmark family",
    )
    parser.add_argument("--dispatch-enrolments", type=int, default=100_000)
    parser.add_argument("--dispatch-workers", default="1,2,4", help="worker processes of each P1 run, comma-separated")
    parser.add_argument("--dispatch-sample", type=int, default=5000, help="mails of each P1 baseline")
    parser.add_argument("--dispatch-profile", action="store_true", help="cProfile one send_batch and the tick")
    parser.add_argument("--webhook-requests", type=int, default=10)
    parser.add_argument("--staff-rows", type=int, default=100_000, help="rows of the staff list to import")
    parser.add_argument("--load-seconds", type=float, default=10.0, help="per load phase and configuration")
    parser.add_argument("--load-connections", type=int, default=8)
    parser.add_argument("--load-enrolments", type=int, default=5000)
    parser.add_argument(
        "--load-configs", help="gunicorn configurations, e.g. gthread:2:4,sync:4:1 (class:workers:threads)"
    )
    args = parser.parse_args()
    database_url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)
    _configure(database_url)
    recreate_database(database_url)

    import django
    from django.core.management import call_command

    django.setup()
    # DEBUG is off: pages name their static files through the manifest, as in production.
    call_command("collectstatic", "--noinput", verbosity=0)
    from bench.dashboard import run_dashboard_benchmarks
    from bench.dispatch import print_dispatch_table, run_dispatch_benchmark
    from bench.lesson_load import Load, run_lesson_load_benchmarks
    from bench.staff_import import run_staff_import_benchmark
    from bench.threads import run_thread_benchmark
    from bench.webhook import run_webhook_benchmark

    results: dict[str, dict] = {}
    try:
        if args.only in (None, "dashboard"):
            results |= run_dashboard_benchmarks(learners=args.learners, lessons=args.lessons, requests=args.requests)
        if args.only in (None, "webhook"):
            results |= run_webhook_benchmark(rounds=args.webhook_requests)
        if args.only in (None, "staff_import"):
            results |= run_staff_import_benchmark(rows=args.staff_rows)
        if args.only in (None, "threads"):
            results |= run_thread_benchmark(requests=args.requests)
        if args.only in (None, "lessons"):
            load = Load(connections=args.load_connections, seconds=args.load_seconds)
            configs = [_gunicorn_config(text) for text in args.load_configs.split(",")] if args.load_configs else None
            results |= run_lesson_load_benchmarks(
                enrolments=args.load_enrolments, lessons=6, load=load, configs=configs
            )
        if args.only in (None, "dispatch"):
            workers = args.dispatch_workers
            results |= run_dispatch_benchmark(
                enrolments=args.dispatch_enrolments,
                organisations=300,
                workers=[int(n) for n in workers.split(",")],
                sample=args.dispatch_sample,
                profile=args.dispatch_profile,
            )
    finally:
        drop_database(database_url)
    machine = {"cpus": os.cpu_count(), "python": platform.python_version(), "database": urlsplit(database_url).scheme}
    for result in results.values():
        result["machine"] = machine
    write_results(results)
    print_table(results)
    print_dispatch_table(results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
