"""Count completions into the aggregates a few seconds after they happen.

The answer POST is the hottest write a learner makes. It records only facts:
the answer and the completion on the delivery, and the learner's own
completion count (so their pages are right at once). This fold, run by beat
every few seconds, adds the new completions to the organisation's aggregates
(LessonStats, DailyCompletion, EnrolmentStats, and the trainer's AnswerCount and
WeeklyLessonCompletion) in set-based statements and
issues the certificates they earn (their mails go into the outbox). It claims rows with SKIP LOCKED and marks
them counted in the same transaction, so two folds never count a row twice.
"""

import datetime as dt
import zoneinfo
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import F

from core.sql import Among
from drip.counters import (
    answer_counts_add,
    daily_completions_add,
    enrolment_stats_add_many,
    lesson_stats_add,
    weekly_completions_add,
)
from lessons.models import Delivery
from progress.certificates import certificates_issue_earned

FOLD_BATCH = 5000


@dataclass
class FoldReport:
    counted: int = 0
    certificates: list[int] = field(default_factory=list)


@transaction.atomic
def progress_fold(*, now: dt.datetime, limit: int = FOLD_BATCH) -> FoldReport:
    rows = list(
        Delivery.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(completed_at__isnull=False, counted_at__isnull=True)
        .order_by("completed_at")
        .values_list(
            "pk", "enrolment_id", "lesson_id", "completed_at", "answer", "answer_correct",
            "enrolment__course_id", "enrolment__membership__organisation_id",
            "enrolment__membership__organisation__timezone",
        )[:limit]
    )  # fmt: skip
    if not rows:
        return FoldReport()
    lessons: dict[tuple[int, int], Counter[str]] = defaultdict(Counter)
    days: Counter[tuple[int, int, dt.date]] = Counter()
    weeks: Counter[tuple[int, int, dt.date]] = Counter()
    answers: Counter[tuple[int, int, int]] = Counter()
    correct: Counter[int] = Counter()
    latest: dict[int, dt.datetime] = {}
    for _, enrolment, lesson, completed_at, answer, right, course, organisation, timezone in rows:
        assert completed_at is not None  # the filter above
        lessons[(organisation, lesson)]["completed"] += 1
        lessons[(organisation, lesson)]["correct"] += int(bool(right))
        day = completed_at.astimezone(zoneinfo.ZoneInfo(timezone)).date()
        days[(organisation, course, day)] += 1
        weeks[(organisation, lesson, day - dt.timedelta(days=day.weekday()))] += 1
        if answer is not None:
            answers[(organisation, lesson, answer)] += 1
        correct[enrolment] += int(bool(right))
        latest[enrolment] = max(completed_at, latest.get(enrolment, completed_at))
    lesson_stats_add(increments={key: dict(counts) for key, counts in lessons.items()})
    daily_completions_add(increments=dict(days))
    weekly_completions_add(increments=dict(weeks))
    answer_counts_add(increments=dict(answers))
    enrolment_stats_add_many(increments={pk: {"correct": n} for pk, n in correct.items() if n})
    Delivery.objects.filter(Among(F("pk"), [row[0] for row in rows])).update(counted_at=now)
    return FoldReport(counted=len(rows), certificates=certificates_issue_earned(completions=latest))
