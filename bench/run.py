"""`make bench`: generate the data set in a dedicated database, measure, write bench/results.json.

    python -m bench.run [--requests 20]

BENCH_DATABASE_URL picks the database (default: the local PostgreSQL,
postgres://postgres@127.0.0.1:5432/druppel_bench). The runner drops and
creates it, migrates, measures, and drops it again.
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


def _configure(database_url: str) -> None:
    """Environment for a production-like Django (DEBUG off, cached templates) on the bench database."""
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    os.environ["DEBUG"] = "0"
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
        _postgres_admin(database_url, [f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"'])
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
    print(f"{'benchmark':<20} {'median ms':>10} {'p95 ms':>8} {'queries':>8} {'goal ms':>8}  verdict")
    for name, result in results.items():
        verdict = "ok" if result["p95_ms"] <= result["goal_ms"] else "SLOW"
        print(
            f"{name:<20} {result['median_ms']:>10.1f} {result['p95_ms']:>8.1f} "
            f"{result['queries']:>8} {result['goal_ms']:>8}  {verdict}"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--learners", type=int, default=5000)
    parser.add_argument("--lessons", type=int, default=150)
    args = parser.parse_args()
    database_url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)
    _configure(database_url)
    recreate_database(database_url)

    import django

    django.setup()
    from bench.dashboard import run_dashboard_benchmarks

    try:
        results = run_dashboard_benchmarks(learners=args.learners, lessons=args.lessons, requests=args.requests)
    finally:
        drop_database(database_url)
    machine = {"cpus": os.cpu_count(), "python": platform.python_version(), "database": urlsplit(database_url).scheme}
    for result in results.values():
        result["machine"] = machine
    write_results(results)
    print_table(results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
