"""One side of P5: one family of measures on one database, the empty history or the year's copy.

    BENCH_DATABASE_URL=postgres://…/druppel_bench_year_run python -m bench.history_side \\
        --side full --family dispatch --repeats 3 --out figures.json

bench/history.py runs this once per family and side, alternating the sides,
so both see the machine at about the same time. The families are the existing
benchmarks, unchanged, run on whatever database they are given:

* ``dashboard``: P3's data set (bench/dataset.py, 5,000 learners × 150 lessons)
  built on top of what is there; on the year also the dashboard of the year's
  organisation 0 (5,000 learners and their own year of history);
* ``webhook``: P4, a request of 1,000 events for fresh deliveries;
* ``lessons``: P2 in its reported gunicorn configuration (no ceiling here);
* ``dispatch``: P1 with 2 workers (a tick of 100,000 due and its sends);
* ``sizes``: the delivery and event tables' bytes per row (the year only);
* ``analytics``: the trainer's course analytics page (bench/analytics.py): a course
  of 150 lessons taken by 50 organisations, built on top of what is there; on the
  year also the year's own course (300 organisations, every delivery of the year).
"""

import argparse
import json
import os
import signal
import sys
from pathlib import Path

BIG_ORGANISATION = "jaar-0"
YEAR_COURSE = "een-jaar-sociale-media"


def _dashboard(side: str, repeats: int) -> dict:
    from django.test import Client
    from django.urls import reverse

    from accounts.models import User
    from bench.dashboard import measure_repeated
    from bench.dataset import build_dataset

    data = build_dataset(learners=5000, lessons=150)
    client = Client()
    client.force_login(data.admin)
    url = reverse("dashboard:dashboard", args=[data.organisation.slug])
    figures = {"dashboard_5000": measure_repeated(client, url, 20, repeats)}
    if side == "full":
        client.force_login(User.objects.get(email="admin@jaar-0.example"))
        url = reverse("dashboard:dashboard", args=[BIG_ORGANISATION])
        figures["dashboard_year_org"] = measure_repeated(client, url, 20, repeats)
    return figures


def _webhook(repeats: int) -> dict:
    from bench.webhook import run_webhook_benchmark

    return run_webhook_benchmark(rounds=10, repeats=repeats)


def _lessons(repeats: int) -> dict:
    from bench.lesson_load import CONFIGS, Load, run_lesson_load_benchmarks

    load = Load(connections=8, seconds=10.0)
    return run_lesson_load_benchmarks(
        enrolments=5000, lessons=6, load=load, configs=[CONFIGS[0]], repeats=repeats, ceiling=False
    )


def _dispatch(repeats: int) -> dict:
    from bench.dispatch import timed_runs
    from bench.dispatch_runs import DispatchSession

    session = DispatchSession(enrolments=100_000, organisations=300)
    try:
        return {"p1": {**timed_runs(session, 2, repeats), "dataset_seconds": session.built_s}}
    finally:
        session.close()


def table_sizes() -> dict:
    """Heap, indexes and total (``pg_relation_size``, ``pg_indexes_size``, ``pg_total_relation_size``) per row."""
    from django.db import connection

    sizes = {}
    with connection.cursor() as cursor:
        for table in ("lessons_delivery", "mailer_providerevent"):
            cursor.execute(
                f"SELECT count(*), pg_relation_size(%s), pg_indexes_size(%s), pg_total_relation_size(%s) FROM {table}",  # noqa: S608
                [table, table, table],
            )
            rows, heap, indexes, total = cursor.fetchone()
            cursor.execute(
                "SELECT indexrelid::regclass::text, pg_relation_size(indexrelid) FROM pg_index "
                "WHERE indrelid = %s::regclass ORDER BY 2 DESC",
                [table],
            )
            per_index = {name: round(size / max(rows, 1), 1) for name, size in cursor.fetchall()}
            sizes[table] = {
                "rows": rows,
                "table_bytes": heap,
                "index_bytes": indexes,
                "total_bytes": total,
                "table_bytes_per_row": round(heap / max(rows, 1), 1),
                "index_bytes_per_row": round(indexes / max(rows, 1), 1),
                "total_bytes_per_row": round(total / max(rows, 1), 1),
                "index_bytes_per_row_each": per_index,
            }
        cursor.execute("SELECT pg_database_size(current_database())")
        sizes["database_bytes"] = cursor.fetchone()[0]
    return {"sizes": sizes}


def course_analytics(side: str, repeats: int) -> dict:
    """The trainer's course analytics page: median ms of 20 GETs, the median of ``repeats`` runs."""
    from bench.analytics import build_analytics_course, measure_course_analytics, trainer_sign_in
    from courses.models import Course

    built = build_analytics_course()
    shape = {"organisations": built.organisations, "lessons": built.lessons}
    figures = {"course_analytics_50": {**measure_course_analytics(built.course, built.trainer, 20, repeats), **shape}}
    if side == "full":
        course = Course.objects.get(slug=YEAR_COURSE)
        trainer = trainer_sign_in(course, "trainer@jaar.example")
        shape = {"organisations": course.offerings.count(), "lessons": course.lessons.count()}
        figures["course_analytics_year"] = {**measure_course_analytics(course, trainer, 20, repeats), **shape}
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--side", choices=["empty", "full"], required=True)
    parser.add_argument("--family", choices=["dashboard", "webhook", "lessons", "dispatch", "sizes", "analytics"])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    from bench.run import configure

    configure(os.environ["BENCH_DATABASE_URL"])
    import django

    django.setup()
    from django.core.management import call_command

    from bench.dispatch import exit_on_signal

    # Stopped by the runner: finally blocks still stop the workers, gunicorn and the fake.
    signal.signal(signal.SIGTERM, exit_on_signal)

    call_command("migrate", verbosity=0)
    run = {
        "dashboard": lambda: _dashboard(args.side, args.repeats),
        "webhook": lambda: _webhook(args.repeats),
        "lessons": lambda: _lessons(args.repeats),
        "dispatch": lambda: _dispatch(args.repeats),
        "sizes": table_sizes,
        "analytics": lambda: course_analytics(args.side, args.repeats),
    }[args.family]
    args.out.write_text(json.dumps(run()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
