"""P5's stored aggregates, written with ``COPY`` from the counts taken while the history was written.

LessonStats (the funnel per organisation and lesson: sent, delivered, opened,
read, completed, correct), the trainer's AnswerCount (per option) and
WeeklyLessonCompletion (per local week), EnrolmentStats (a row only for an enrolment with an
open, a read or a right answer, as lessons/stats.py keeps it), DailyCompletion
(per organisation, course and local day) and a certificate for everyone who
completed every lesson, issued by the fold a few seconds after the last one.
"""

import psycopg

from bench.year_copy import Clock, Copy
from bench.year_history import Counters
from bench.year_people import People


def aggregates_load(
    connection: psycopg.Connection,
    *,
    counters: Counters,
    people: People,
    organisation_ids: list[int],
    lesson_ids: list[int],
    course_id: int,
    clock: Clock,
) -> dict[str, int]:
    written = {}
    with Copy(connection, "lessons_enrolmentstats", ("enrolment_id", "opened", "read", "correct")) as copy:
        for learner in people.learners:
            i = learner.index
            if counters.opened[i] or counters.read[i] or counters.correct[i]:
                copy.add(f"{learner.enrolment_id}\t{counters.opened[i]}\t{counters.read[i]}\t{counters.correct[i]}")
    written["enrolment_stats"] = copy.rows
    columns = ("id", "sent", "opened", "read", "completed", "correct", "delivered", "lesson_id", "organisation_id")
    with Copy(connection, "lessons_lessonstats", columns) as copy:
        for pk, ((org, position), counts) in enumerate(sorted(counters.funnel.items()), start=1):
            copy.add("\t".join(map(str, (pk, *counts, lesson_ids[position - 1], organisation_ids[org]))))
    written["lesson_stats"] = copy.rows
    with Copy(connection, "lessons_answercount", ("id", "option", "chosen", "lesson_id", "organisation_id")) as copy:
        for pk, ((org, position, option), n) in enumerate(sorted(counters.answers.items()), start=1):
            copy.add(f"{pk}\t{option}\t{n}\t{lesson_ids[position - 1]}\t{organisation_ids[org]}")
    written["answer_counts"] = copy.rows
    weekly = ("id", "week", "completed", "lesson_id", "organisation_id")
    with Copy(connection, "lessons_weeklylessoncompletion", weekly) as copy:
        for pk, ((org, position, week), n) in enumerate(sorted(counters.weeks.items()), start=1):
            copy.add(f"{pk}\t{week.isoformat()}\t{n}\t{lesson_ids[position - 1]}\t{organisation_ids[org]}")
    written["weekly_completions"] = copy.rows
    with Copy(
        connection, "lessons_dailycompletion", ("id", "day", "completed", "course_id", "organisation_id")
    ) as copy:
        for pk, ((org, day), count) in enumerate(sorted(counters.days.items()), start=1):
            copy.add(f"{pk}\t{day.isoformat()}\t{count}\t{course_id}\t{organisation_ids[org]}")
    written["daily_completions"] = copy.rows
    with Copy(connection, "courses_certificate", ("id", "issued_at", "mailed_at", "enrolment_id")) as copy:
        for learner in people.learners:
            if counters.completed[learner.index] == counters.lessons:
                issued = counters.last_completed[learner.index] + 5
                copy.add(f"{copy.rows + 1}\t{clock(issued)}\t{clock(issued + 60)}\t{learner.enrolment_id}")
    written["certificates"] = copy.rows
    return written
