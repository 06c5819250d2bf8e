"""P5's people and their enrolments, loaded with ``COPY``.

Each organisation has one admin (organisation 0's is ``admin@jaar-0.example``,
who opens the dashboard in P5) and its learners, each with one enrolment in
the year's course. Enrolments are written after the history, because their
counters (lessons completed) and the per-enrolment statistics are counted
from the deliveries as they were written.
"""

import datetime as dt
import random
from dataclasses import dataclass

import psycopg

from bench.year_copy import Clock, Copy
from bench.year_model import Learner, learners_for

DEPARTMENTS = ["Burgerzaken", "Communicatie", "Financiën", "HR", "ICT", "Onderwijs", "Politie", "Welzijn"]
FIRST = ["Eva", "Jonas", "Lotte", "Pieter", "Sofie", "Tom", "An", "Koen", "Lies", "Bram", "Nele", "Wout", "Ine", "Jef"]
LAST = ["Peeters", "Janssens", "Maes", "Jacobs", "Mertens", "Willems", "Claes", "Goossens", "Wouters", "De Smet"]
BIG_ADMIN = "admin@jaar-0.example"
_USER = ("id", "password", "last_login", "is_superuser", "first_name", "last_name", "is_staff", "is_active",
         "date_joined", "email", "is_trainer")  # fmt: skip
_MEMBER = ("id", "role", "department", "is_active", "created_at", "user_id", "organisation_id", "imported_at")
_ENROLMENT = ("id", "start_date", "status", "next_position", "next_due_at", "lessons_sent", "lessons_completed",
              "paused_at", "ended_at", "created_at", "course_id", "membership_id", "reminders_enabled")  # fmt: skip


@dataclass
class People:
    learners: list[Learner]  # learner i has enrolment i + 1
    cohorts: list[list[Learner]]  # by cohort (organisation index modulo the cohorts), in enrolment order
    memberships: list[int]  # of each learner


def sizes(*, learners: int, organisations: int, big: int, rng: random.Random) -> list[int]:
    """Learners per organisation: organisation 0 has ``big``, the others vary by ±50 %."""
    rest = learners - big
    weights = [0.5 + rng.random() for _ in range(organisations - 1)]
    counts = [int(rest * w / sum(weights)) for w in weights]
    counts[-1] += rest - sum(counts)
    return [big, *counts]


def people_load(
    connection: psycopg.Connection,
    *,
    counts: list[int],
    organisation_ids: list[int],
    cohorts: int,
    joined: str,
    seed: int,
) -> People:
    rng = random.Random(seed)
    pk = 0
    users_lines, member_lines, organisation_of, memberships = [], [], [], []
    for org, size in enumerate(counts):
        for n in range(size + 1):  # the first of each organisation is its admin
            pk += 1
            first, last = FIRST[pk % len(FIRST)], LAST[pk // len(FIRST) % len(LAST)]
            email = BIG_ADMIN if (org, n) == (0, 0) else f"{first}.{last}.{pk}@jaar-{org}.example"
            users_lines.append(
                f"{pk}\t!bench\t\\N\tf\t{first}\t{last}\tf\tt\t{joined}\t{email.lower().replace(' ', '')}\tf"
            )
            role, department = ("admin", "HR") if n == 0 else ("learner", rng.choice(DEPARTMENTS))
            member_lines.append(f"{pk}\t{role}\t{department}\tt\t{joined}\t{pk}\t{organisation_ids[org]}\t{joined}")
            if n:
                organisation_of.append(org)
                memberships.append(pk)
    for table, columns, lines in (
        ("accounts_user", _USER, users_lines),
        ("organisations_membership", _MEMBER, member_lines),
    ):
        with Copy(connection, table, columns) as copy:
            for line in lines:
                copy.add(line)
    learners = learners_for(
        random.Random(seed + 1), enrolment_ids=list(range(1, len(memberships) + 1)), organisation_of=organisation_of
    )
    by_cohort: list[list[Learner]] = [[] for _ in range(cohorts)]
    for learner in learners:
        by_cohort[learner.organisation % cohorts].append(learner)
    return People(learners, by_cohort, memberships)


def enrolments_load(
    connection: psycopg.Connection,
    *,
    people: People,
    course_id: int,
    lessons: int,
    starts: list[dt.date],
    completed: list[int],
    clock: Clock,
    enrolled_before: int,
) -> None:
    """Every enrolment received every lesson: finished, as the tick after the last lesson leaves it."""
    with Copy(connection, "courses_enrolment", _ENROLMENT) as copy:
        for learner in people.learners:
            start = starts[learner.organisation % len(starts)]
            reminders = "f" if learner.index % 20 == 0 else "t"
            copy.add(
                f"{learner.enrolment_id}\t{start.isoformat()}\tfinished\t{lessons + 1}\t\\N\t{lessons}\t"
                f"{completed[learner.index]}\t\\N\t\\N\t{clock(enrolled_before)}\t{course_id}\t"
                f"{people.memberships[learner.index]}\t{reminders}"
            )
