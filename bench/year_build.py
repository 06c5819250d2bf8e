"""Build P5's year of history into the database DATABASE_URL names (run by bench/year_cache.py).

    DATABASE_URL=postgres://…/druppel_bench_year_…_building python -m bench.year_build [--learners 100000]

Migrates, creates the course (150 lessons cycled from the sample course's real
Markdown, every tenth without a question), 300 organisations and their
offerings through the ORM (a few hundred rows), then loads everything else
with ``COPY``: people, memberships, enrolments, the deliveries of every slot
with the events SendGrid posted for them (bench/year_model.py), their batches
and attempts, and the stored aggregates counted from the very rows written
(LessonStats, EnrolmentStats, DailyCompletion, each enrolment's counters,
certificates). Prints one JSON line with what it built and how long each step took.
"""

import argparse
import datetime as dt
import json
import os
import random
import sys
import time
from dataclasses import asdict, dataclass, replace
from urllib.parse import urlsplit

import django
import psycopg

from bench.year_copy import Clock, LocalDay, unindexed
from bench.year_model import LessonFacts
from bench.year_verify import year_verify

ZONE = "Europe/Brussels"
COHORTS = 4  # organisations start in four successive weeks
_LOADED = ["lessons_delivery", "mailer_providerevent"]  # the tables loaded without their indexes


@dataclass
class Shape:
    learners: int = 100_000
    organisations: int = 300
    big_organisation: int = 5_000  # organisation 0: shaped like the P3 dashboard data set
    lessons: int = 150
    # SendGrid's events of the last 30 days only: what a real Druppel a year in keeps, since the
    # nightly pruning (mailer/retention.py, PROVIDER_EVENT_RETENTION_DAYS) forgets older ones.
    # None: every event of the year (the history before the pruning existed).
    events_window_days: int | None = 30
    seed: int = 15


def _course(shape: Shape) -> tuple[int, list[LessonFacts], random.Random]:
    from bench.dispatch_dataset import COURSE_FOLDER
    from courses.models import Course
    from lessons.course_folder import read_course_folder
    from lessons.course_sync import course_sync
    from lessons.models import Lesson

    # The sample course (a year: 156 lessons in 12 modules), under its own slug; the year's
    # learners follow its first ``shape.lessons`` lessons.
    sample = read_course_folder(COURSE_FOLDER)
    source = replace(sample, slug="een-jaar-sociale-media", title="Een jaar sociale media")
    course_sync(source=source, apply=True)
    course = Course.objects.get(slug=source.slug)
    rng = random.Random(shape.seed)
    facts = []
    lessons = Lesson.objects.filter(course=course, position__lte=shape.lessons).select_related("current_version")
    for lesson in lessons.order_by("position"):
        version = lesson.current_version
        assert version is not None
        facts.append(
            LessonFacts(
                position=lesson.position,
                lesson_id=lesson.pk,
                version_id=version.pk,
                options=len(version.options),
                correct_option=int(version.question.get("correct", 0)),
                right_rate=rng.uniform(0.55, 0.92),
            )
        )
    return course.pk, facts, rng


def _organisations(shape: Shape, course_id: int, starts: list[dt.date]) -> list[int]:
    from courses.models import Offering
    from organisations.models import Organisation

    organisations = Organisation.objects.bulk_create(
        [
            Organisation(name=f"Bestuur Jaar {n}", slug=f"jaar-{n}", timezone=ZONE, holiday_country="BE")
            for n in range(shape.organisations)
        ]
    )
    Offering.objects.bulk_create(
        [
            Offering(organisation=o, course_id=course_id, start_date=starts[n % COHORTS])
            for n, o in enumerate(organisations)
        ]
    )
    return [o.pk for o in organisations]


def _cohort_starts(today: dt.date, lessons: int) -> tuple[list[dt.date], list[list[int]]]:
    """Four Mondays a week apart; the last cohort's last slot lies before ``today``."""
    from courses.slots import make_calendar

    calendar = make_calendar(timezone=ZONE, holiday_country="BE", weekdays=[0, 2, 4], send_time=dt.time(8, 30))
    monday = today - dt.timedelta(days=today.weekday())
    for weeks_back in range(52, 80):
        starts = [monday - dt.timedelta(weeks=weeks_back - c) for c in range(COHORTS)]
        slots = []
        for start in starts:
            moments = calendar.slots_from(calendar.first_slot_on_or_after(start))
            slots.append([int(next(moments).timestamp()) for _ in range(lessons)])
        if max(s[-1] for s in slots) < int(dt.datetime.combine(today, dt.time.min, tzinfo=dt.UTC).timestamp()):
            return starts, slots
    raise RuntimeError("no start leaves the year in the past")


_SEQUENCED = [
    "accounts_user", "organisations_membership", "courses_enrolment", "lessons_delivery", "mailer_providerevent",
    "lessons_sendbatch", "lessons_sendattempt", "lessons_lessonstats", "lessons_dailycompletion", "courses_certificate",
    "lessons_answercount", "lessons_weeklylessoncompletion",
]  # fmt: skip


def _epoch(day: dt.date) -> int:
    return int(dt.datetime.combine(day, dt.time.min, tzinfo=dt.UTC).timestamp())


def _load(url: str, shape: Shape, course: tuple[int, list[LessonFacts]], calendar: tuple, timings: dict) -> dict:
    """Everything bulky, by COPY on two connections (deliveries and events stream at the same time)."""
    from bench.year_aggregates import aggregates_load
    from bench.year_history import batches_load, history_load
    from bench.year_people import enrolments_load, people_load, sizes

    (course_id, lessons), (starts, slots, organisation_ids) = course, calendar
    first_day = starts[0] - dt.timedelta(days=60)
    days = (dt.date.fromtimestamp(max(s[-1] for s in slots)) - first_day).days + 30
    clock, local_day = Clock(first_day, days), LocalDay(ZONE, first_day, days)
    last_slot = max(s[-1] for s in slots)
    events_from = last_slot - shape.events_window_days * 86400 if shape.events_window_days else 0
    with psycopg.connect(url) as main, psycopg.connect(url) as second:
        for connection in (main, second):
            connection.execute("SET synchronous_commit = off")
            connection.execute("SET maintenance_work_mem = '1GB'")
            connection.commit()
        started = time.perf_counter()
        counts = sizes(
            learners=shape.learners,
            organisations=shape.organisations,
            big=shape.big_organisation,
            rng=random.Random(shape.seed),
        )
        joined = clock(_epoch(starts[0]) - 30 * 86400)
        people = people_load(
            main, counts=counts, organisation_ids=organisation_ids, cohorts=COHORTS, joined=joined, seed=shape.seed + 1
        )
        timings["people_s"] = round(time.perf_counter() - started, 1)
        with unindexed(main, _LOADED):
            started = time.perf_counter()
            report, counters = history_load(
                main,
                second,
                people=people,
                lessons=lessons,
                slots=slots,
                clock=clock,
                local_day=local_day,
                events_from=events_from,
                seed=shape.seed + 3,
            )
            timings["history_copy_s"] = round(time.perf_counter() - started, 1)
            started = time.perf_counter()
            batches_load(main, report, clock)
            enrolments_load(
                main,
                people=people,
                course_id=course_id,
                lessons=len(lessons),
                starts=starts,
                completed=counters.completed,
                clock=clock,
                enrolled_before=_epoch(starts[0]) - 7 * 86400,
            )
            written = aggregates_load(
                main,
                counters=counters,
                people=people,
                organisation_ids=organisation_ids,
                lesson_ids=[lesson.lesson_id for lesson in lessons],
                course_id=course_id,
                clock=clock,
            )
            timings["aggregates_s"] = round(time.perf_counter() - started, 1)
            started = time.perf_counter()
        timings["indexes_and_keys_s"] = round(time.perf_counter() - started, 1)
        for table in _SEQUENCED:
            main.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE(max(id), 1)) FROM {table}")  # type: ignore[arg-type]  # noqa: S608
        main.commit()
    return {
        "learners": len(people.learners),
        "organisations": len(organisation_ids),
        "lessons": len(lessons),
        "deliveries": report.deliveries,
        "events": report.events,
        "events_left_out": report.events_skipped,
        "batches": len(report.batches),
        "first_slot": dt.datetime.fromtimestamp(min(s[0] for s in slots), dt.UTC).isoformat(),
        "last_slot": dt.datetime.fromtimestamp(last_slot, dt.UTC).isoformat(),
        **written,
    }


def build(shape: Shape, today: dt.date) -> dict:
    from django.core.management import call_command

    timings: dict[str, float] = {}
    began = started = time.perf_counter()
    call_command("migrate", verbosity=0)
    course_id, lessons, _ = _course(shape)
    starts, slots = _cohort_starts(today, shape.lessons)
    organisation_ids = _organisations(shape, course_id, starts)
    timings["schema_and_course_s"] = round(time.perf_counter() - started, 1)
    url = os.environ["DATABASE_URL"].replace("postgres://", "postgresql://", 1)
    built = _load(url, shape, (course_id, lessons), (starts, slots, organisation_ids), timings)
    started = time.perf_counter()
    built["disagreements"] = year_verify(url, events_complete=not shape.events_window_days)
    timings["verify_s"] = round(time.perf_counter() - started, 1)
    started = time.perf_counter()
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE")
    timings["vacuum_analyze_s"] = round(time.perf_counter() - started, 1)
    timings["total_s"] = round(time.perf_counter() - began, 1)
    return {"shape": asdict(shape), **built, "timings": timings, "database": urlsplit(url).path.lstrip("/")}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--learners", type=int, default=Shape.learners)
    parser.add_argument("--organisations", type=int, default=Shape.organisations)
    parser.add_argument("--big-organisation", type=int, default=Shape.big_organisation)
    parser.add_argument("--lessons", type=int, default=Shape.lessons)
    parser.add_argument("--events-window-days", type=int, default=Shape.events_window_days, help="0: every event")
    parser.add_argument("--today", type=dt.date.fromisoformat, default=dt.date.today())
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "druppel.settings")
    django.setup()
    shape = Shape(
        learners=args.learners,
        organisations=args.organisations,
        big_organisation=args.big_organisation,
        lessons=args.lessons,
        events_window_days=args.events_window_days,
    )
    print(json.dumps(build(shape, args.today)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
