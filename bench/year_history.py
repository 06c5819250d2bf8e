"""P5's year of sending: every slot's deliveries and SendGrid's events, streamed with ``COPY``.

Slots run in time order across the cohorts, as the tick would have planned them:
each slot's due enrolments, in enrolment order, in batches of 1,000 of one lesson
version, each batch one accepted request with its attempt. A delivery row is
written with its whole life (bench/year_model.py), its events go to a second
``COPY`` on a second connection at the same time, and the aggregates are
counted from the same facts, so they agree with the rows by construction.
"""

import datetime as dt
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

import psycopg

from bench.year_copy import NULL, Clock, Copy
from bench.year_model import Behaviour, EventIds, Facts, Learner, LessonFacts, message_id
from bench.year_people import People

BATCH = 1000
SENDS_PER_SECOND = 16  # batches the workers finish per second of a slot
_DELIVERY = (
    "id",
    "enrolment_id",
    "lesson_id",
    "version_id",
    "batch_id",
    "position",
    "status",
    "message_id",
    "error",
    "created_at",
    "sent_at",
    "delivered_at",
    "opened_at",
    "machine_opened_at",
    "clicked_at",
    "read_at",
    "answer",
    "answer_correct",
    "answered_at",
    "completed_at",
    "counted_at",
)
_EVENT = ("id", "event_id", "message_id", "kind", "timestamp", "delivery_id", "received_at")
_BATCH = (
    "id",
    "status",
    "size",
    "claimed_at",
    "attempts",
    "message_id",
    "error",
    "created_at",
    "queued_at",
    "finished_at",
    "version_id",
)
_ATTEMPT = (
    "id", "number", "recipients", "started_at", "finished_at", "outcome", "status_code", "error", "batch_id", "token",
)  # fmt: skip


@dataclass
class Counters:
    """The aggregates, counted from the facts of the rows written."""

    learners: int
    lessons: int
    completed: list[int] = field(init=False)
    opened: list[int] = field(init=False)
    read: list[int] = field(init=False)
    correct: list[int] = field(init=False)
    last_completed: list[int] = field(init=False)
    # (org, position) -> sent, opened, read, completed, correct, delivered
    funnel: dict[tuple[int, int], list[int]] = field(default_factory=dict)
    days: dict[tuple[int, dt.date], int] = field(default_factory=dict)  # (org, local day) -> completions
    weeks: dict[tuple[int, int, dt.date], int] = field(default_factory=dict)  # (org, position, local Monday) -> n
    answers: dict[tuple[int, int, int], int] = field(default_factory=dict)  # (org, position, option) -> n

    def __post_init__(self) -> None:
        for name in ("completed", "opened", "read", "correct", "last_completed"):
            setattr(self, name, [0] * self.learners)


@dataclass
class HistoryReport:
    deliveries: int = 0
    events: int = 0
    events_skipped: int = 0  # outside the kept window
    batches: list[tuple] = field(default_factory=list)  # (id, version, size, created, sent, message id)


def _chronological(slots: list[list[int]]) -> list[tuple[int, int, int]]:
    """(moment, cohort, lesson index) of every slot of every cohort, in time order."""
    return sorted((moment, cohort, k) for cohort, moments in enumerate(slots) for k, moment in enumerate(moments))


@dataclass
class _Writer:
    rows: Copy
    stream: Copy
    behaviour: Behaviour
    ids: EventIds
    clock: Clock
    local_day: Callable[[int], dt.date]
    events_from: int
    report: HistoryReport
    counters: Counters

    def batch(self, chunk: list, lesson: LessonFacts, batch: tuple) -> None:
        """The deliveries of one batch, their events and their counts: the loop that costs the time."""
        batch_id, _, _, created, sent, message = batch
        clock, report = self.clock, self.report
        head = (
            f"\t{lesson.lesson_id}\t{lesson.version_id}\t{batch_id}\t{lesson.position}\tsent\t{message}\t\t"
            f"{clock(created)}\t{clock(sent)}\t"
        )
        deliver, add, add_event, take = self.behaviour.deliver, self.rows.add, self.stream.add, self.ids.take
        webhook, events_from, count = self.behaviour.delays.webhook, self.events_from, self._count
        random = self.behaviour.random
        pk, events, skipped = report.deliveries, report.events, report.events_skipped
        for row, learner in enumerate(chunk):
            pk += 1
            f = deliver(learner, lesson, sent)
            answer = NULL if f.answer is None else str(f.answer)
            right = NULL if f.correct is None else ("t" if f.correct else "f")
            answered = f.completed_at if f.answer is not None else None
            add(
                f"{pk}\t{learner.enrolment_id}{head}{clock(f.delivered_at)}\t{clock(f.opened_at)}\t"
                f"{clock(f.machine_opened_at)}\t{clock(f.clicked_at)}\t{clock(f.read_at)}\t{answer}\t{right}\t"
                f"{clock(answered)}\t{clock(f.completed_at)}\t{clock(f.counted_at)}"
            )
            tail = f"\t{message}.recvd-5f7c8d9b6-x2kqp-1-{row}-0\t"
            for kind, at in f.events or ():
                if at < events_from:
                    skipped += 1
                    continue
                events += 1
                received = clock(at + webhook[int(random() * 4096)])
                add_event(f"{events}\t{take()}{tail}{kind}\t{at}\t{pk}\t{received}")
            count(learner, lesson.position, f)
        report.deliveries, report.events, report.events_skipped = pk, events, skipped

    def _count(self, learner: Learner, position: int, f: Facts) -> None:
        c, i, org = self.counters, learner.index, learner.organisation
        counts = c.funnel.get((org, position))
        if counts is None:
            counts = c.funnel[(org, position)] = [0, 0, 0, 0, 0, 0]
        counts[0] += 1
        if f.delivered_at is not None:
            counts[5] += 1
        if f.opened_at is not None:
            counts[1] += 1
            c.opened[i] += 1
        if f.read_at is not None:
            counts[2] += 1
            c.read[i] += 1
        if f.completed_at is not None:
            counts[3] += 1
            c.completed[i] += 1
            c.last_completed[i] = max(c.last_completed[i], f.completed_at)
            local = self.local_day(f.completed_at)
            day = (org, local)
            c.days[day] = c.days.get(day, 0) + 1
            week = (org, position, local - dt.timedelta(days=local.weekday()))
            c.weeks[week] = c.weeks.get(week, 0) + 1
            if f.answer is not None:
                chosen = (org, position, f.answer)
                c.answers[chosen] = c.answers.get(chosen, 0) + 1
            if f.correct:
                counts[4] += 1
                c.correct[i] += 1


def history_load(
    deliveries: psycopg.Connection,
    events: psycopg.Connection,
    *,
    people: People,
    lessons: list[LessonFacts],
    slots: list[list[int]],
    clock: Clock,
    local_day: Callable[[int], dt.date],
    events_from: int,
    seed: int,
) -> tuple[HistoryReport, Counters]:
    rng = random.Random(seed)
    behaviour, ids = Behaviour(rng, len(lessons)), EventIds(random.Random(seed + 1))
    counters, report = Counters(len(people.learners), len(lessons)), HistoryReport()
    with (
        Copy(deliveries, "lessons_delivery", _DELIVERY, freeze=True) as rows,
        Copy(events, "mailer_providerevent", _EVENT, freeze=True) as stream,
    ):
        writer = _Writer(rows, stream, behaviour, ids, clock, local_day, events_from, report, counters)
        for moment, cohort, k in _chronological(slots):
            members = people.cohorts[cohort]
            for number, start in enumerate(range(0, len(members), BATCH)):
                chunk = members[start : start + BATCH]
                batch = (
                    len(report.batches) + 1,
                    lessons[k].version_id,
                    len(chunk),
                    moment + start // 25_000,
                    moment + 1 + number // SENDS_PER_SECOND,
                    message_id(rng),
                )
                report.batches.append(batch)
                writer.batch(chunk, lessons[k], batch)
    return report, counters


def batches_load(connection: psycopg.Connection, report: HistoryReport, clock: Clock) -> None:
    """Each batch was claimed a second before its one accepted request."""
    with Copy(connection, "lessons_sendbatch", _BATCH) as copy:
        for pk, version, size, created, sent, message in report.batches:
            copy.add(
                f"{pk}\tsent\t{size}\t{clock(sent - 1)}\t1\t{message}\t\t{clock(created)}\t{clock(created)}\t"
                f"{clock(sent)}\t{version}"
            )
    with Copy(connection, "lessons_sendattempt", _ATTEMPT) as copy:
        for pk, _, size, _, sent, _ in report.batches:
            # The claim's token: any fixed UUID per batch (the attempt's holder is long gone).
            copy.add(f"{pk}\t1\t{size}\t{clock(sent - 1)}\t{clock(sent)}\taccepted\t202\t\t{pk}\t{uuid.UUID(int=pk)}")
