"""Keep the stored aggregates current: LessonStats, EnrolmentStats, DailyCompletion and the
trainer's AnswerCount and WeeklyLessonCompletion.

Dashboards read these counters instead of scanning delivery history, so every
change to a delivery's progress bumps them in the same transaction. Counters
move with ``INSERT … ON CONFLICT … DO UPDATE SET n = n + excluded.n``, which
PostgreSQL and SQLite (3.24+) both speak: one statement however many groups,
and safe when two transactions bump the same row at once.
"""

import datetime as dt
from collections.abc import Sequence

from django.db import connection, models
from django.db.models import F

from core import sql
from lessons.models import AnswerCount, DailyCompletion, EnrolmentStats, LessonStats, WeeklyLessonCompletion

# Rows per statement; keeps the parameter count far below SQLite's limit.
_ROW_CHUNK = 500


def _upsert_increment(model: type[models.Model], keys: Sequence[str], counters: Sequence[str], rows: list) -> None:
    """Insert rows of (*key values, *counter values), or add the counters to existing rows."""
    table = sql.table(model)
    key_columns = [sql.column(model, name) for name in keys]
    counter_columns = [sql.column(model, name) for name in counters]
    columns = ", ".join(key_columns + counter_columns)
    updates = ", ".join(f"{column} = {table}.{column} + EXCLUDED.{column}" for column in counter_columns)
    row_sql = "(" + ", ".join(["%s"] * (len(keys) + len(counters))) + ")"
    for start in range(0, len(rows), _ROW_CHUNK):
        chunk = rows[start : start + _ROW_CHUNK]
        # Only quoted names from model metadata are formatted in; every value is a parameter.
        statement = (
            f"INSERT INTO {table} ({columns}) VALUES {', '.join([row_sql] * len(chunk))} "  # noqa: S608
            f"ON CONFLICT ({', '.join(key_columns)}) DO UPDATE SET {updates}"
        )
        with connection.cursor() as cursor:
            cursor.execute(statement, [value for row in chunk for value in row])


_LESSON_COUNTERS = ("sent", "delivered", "opened", "read", "completed", "correct")
_ENROLMENT_COUNTERS = ("opened", "read", "correct")


def lesson_stats_add(*, increments: dict[tuple[int, int], dict[str, int]]) -> None:
    """Add to LessonStats; ``increments`` maps (organisation, lesson) to {counter: n}."""
    rows = [
        (organisation_id, lesson_id, *(counts.get(name, 0) for name in _LESSON_COUNTERS))
        # Sorted: concurrent ticks then lock shared rows in one order and cannot deadlock.
        for (organisation_id, lesson_id), counts in sorted(increments.items())
    ]
    if rows:
        _upsert_increment(LessonStats, ("organisation", "lesson"), _LESSON_COUNTERS, rows)


def lesson_stats_unsend(*, lesson_id: int, counts: dict[int, int]) -> None:
    """Take back planned sends that never left (``counts``: organisation -> n): an UPDATE per
    organisation, as the rows exist since the planning counted them."""
    for organisation_id, n in sorted(counts.items()):
        LessonStats.objects.filter(organisation_id=organisation_id, lesson_id=lesson_id, sent__gte=n).update(
            sent=F("sent") - n
        )


def enrolment_stats_add_many(*, increments: dict[int, dict[str, int]]) -> None:
    """Add to EnrolmentStats; ``increments`` maps an enrolment to {counter: n}."""
    rows = [
        (enrolment_id, *(counts.get(name, 0) for name in _ENROLMENT_COUNTERS))
        for enrolment_id, counts in sorted(increments.items())
    ]
    if rows:
        _upsert_increment(EnrolmentStats, ("enrolment",), _ENROLMENT_COUNTERS, rows)


def enrolment_stats_add(*, enrolment_id: int, **counts: int) -> None:
    _upsert_increment(
        EnrolmentStats,
        ("enrolment",),
        _ENROLMENT_COUNTERS,
        [(enrolment_id, *(counts.get(n, 0) for n in _ENROLMENT_COUNTERS))],
    )


def daily_completions_add(*, increments: dict[tuple[int, int, dt.date], int]) -> None:
    """Add to DailyCompletion; ``increments`` maps (organisation, course, local day) to a count."""
    rows = [(*key, count) for key, count in sorted(increments.items())]
    if rows:
        _upsert_increment(DailyCompletion, ("organisation", "course", "day"), ("completed",), rows)


def answer_counts_add(*, increments: dict[tuple[int, int, int], int]) -> None:
    """Add to AnswerCount; ``increments`` maps (organisation, lesson, option) to how many chose it."""
    rows = [(*key, count) for key, count in sorted(increments.items())]
    if rows:
        _upsert_increment(AnswerCount, ("organisation", "lesson", "option"), ("chosen",), rows)


def weekly_completions_add(*, increments: dict[tuple[int, int, dt.date], int]) -> None:
    """Add to WeeklyLessonCompletion; ``increments`` maps (organisation, lesson, local Monday) to a count."""
    rows = [(*key, count) for key, count in sorted(increments.items())]
    if rows:
        _upsert_increment(WeeklyLessonCompletion, ("organisation", "lesson", "week"), ("completed",), rows)
