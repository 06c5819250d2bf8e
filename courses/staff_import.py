"""Import a checked staff list: members, their enrolment in a course, and who left.

Two steps, so the web can preview exactly what a confirmation will write:
``staff_import_plan`` reads the database and says, row by row, what would
happen; ``staff_import_run`` plans again inside one transaction and writes it
all, or refuses (a file-level error, too few seats) before writing anything.

Both are set-based: the plan is two queries whatever the size of the file, and
the run writes chunks of rows in a fixed number of statements each (a
100,000-row list imports in seconds, see docs/performance.md).
"""

import datetime as dt
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple

from django.db import transaction

from courses.models import Course, Enrolment, Offering
from courses.services import enrolments_start, enrolments_stop
from courses.welcome import welcome_mails_queue
from organisations.memberships import members_deactivate, members_upsert
from organisations.models import Membership, Organisation
from organisations.staff_csv import StaffFile, StaffRow

CREATE, UPDATE, UNCHANGED, REMOVE, ERROR = "create", "update", "unchanged", "remove", "error"
SEAT_HOLDING = [Enrolment.Status.ACTIVE, Enrolment.Status.PAUSED, Enrolment.Status.FINISHED]
# Rows written per step of the run; progress is reported after each.
CHUNK = 5000

Progress = Callable[[int, int], None]


class StaffImportRefused(Exception):
    """The file cannot be imported as it is; nothing was written."""


@dataclass(frozen=True)
class PlannedRow:
    """One line of the report: a row of the file, or a member a complete list removes."""

    line: int | None
    email: str
    name: str
    department: str
    action: str
    enrol: bool = False
    message: str = ""


@dataclass
class StaffPlan:
    organisation: Organisation
    course: Course | None
    full: bool
    entries: list[PlannedRow] = field(default_factory=list)
    rows: list[StaffRow] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    removals: list[int] = field(default_factory=list)
    fatal: bool = False
    seat_error: str = ""

    @property
    def counts(self) -> Counter[str]:
        counts = Counter(entry.action for entry in self.entries)
        counts["enrol"] = sum(entry.enrol for entry in self.entries)
        return counts

    @property
    def can_import(self) -> bool:
        return not self.fatal and not self.seat_error

    def summary(self) -> str:
        counts = self.counts
        return (
            f"{counts[CREATE]} created, {counts[UPDATE]} updated, {counts[UNCHANGED]} unchanged, "
            f"{counts['enrol']} newly enrolled, {counts[REMOVE]} removed"
        )

    @property
    def lines(self) -> list[str]:
        return [_report_line(entry) for entry in self.entries]


def _report_line(entry: PlannedRow) -> str:
    where = f"line {entry.line}" if entry.line else "not in the file"
    if entry.action == ERROR:
        return f"{where}: {entry.message}"
    state = {CREATE: "created", UPDATE: "updated", UNCHANGED: "unchanged", REMOVE: "removed"}[entry.action]
    return f"{where}: {entry.email} {state}{', enrolled' if entry.enrol else ''}"


# Kept for callers that only print the outcome: the plan that was written is the report.
StaffImportReport = StaffPlan


class Member(NamedTuple):
    """A membership as the plan needs it: plain values, so 100,000 of them stay small."""

    pk: int
    email: str
    first_name: str
    last_name: str
    department: str
    is_active: bool
    role: str
    imported_at: dt.datetime | None


def staff_import_plan(*, organisation: Organisation, staff: StaffFile, course: Course | None, full: bool) -> StaffPlan:
    """What importing this file would do, row by row. Reads only: two queries for any size."""
    plan = StaffPlan(organisation=organisation, course=course, full=full, errors=list(staff.errors), fatal=staff.fatal)
    if staff.fatal:
        return plan
    members = _members(organisation)
    enrolments = _enrolment_statuses(organisation, course)
    for row in staff.rows:
        member = members.get(row.email)
        status = enrolments.get(member.pk) if member else None
        enrol = course is not None and status in (None, Enrolment.Status.STOPPED)
        plan.entries.append(_entry(row, _row_action(row, member), enrol))
        plan.rows.append(row)
    plan.entries += [_error_entry(line, message) for line, message in staff.row_errors]
    if full:
        _plan_removals(plan, members, {row.email for row in staff.rows})
    # Removals first: they are what an admin must not miss. Then the file's rows in order.
    plan.entries.sort(key=lambda entry: (entry.action != REMOVE, entry.line or 0, entry.email))
    plan.seat_error = _seat_problem(plan, enrolments)
    return plan


def _members(organisation: Organisation) -> dict[str, Member]:
    fields = ("pk", "user__email", "user__first_name", "user__last_name", "department", "is_active", "role")
    rows = Membership.objects.filter(organisation=organisation).values_list(*fields, "imported_at")
    return {row[1]: Member(*row) for row in rows}


def _enrolment_statuses(organisation: Organisation, course: Course | None) -> dict[int, str]:
    """Membership id → status of its enrolment in the course."""
    if course is None:
        return {}
    queryset = Enrolment.objects.filter(membership__organisation=organisation, course=course)
    return dict(queryset.values_list("membership_id", "status"))


def _row_action(row: StaffRow, member: Member | None) -> str:
    """CREATE for a new member (even if the person is known elsewhere), else UPDATE or UNCHANGED."""
    if member is None:
        return CREATE
    now = (member.first_name, member.last_name, member.department, member.is_active)
    return UNCHANGED if now == (row.first_name, row.last_name, row.department, True) else UPDATE


def _entry(row: StaffRow, action: str, enrol: bool) -> PlannedRow:
    name = f"{row.first_name} {row.last_name}".strip()
    return PlannedRow(line=row.line, email=row.email, name=name, department=row.department, action=action, enrol=enrol)


def _error_entry(line: int, message: str) -> PlannedRow:
    return PlannedRow(line=line, email="", name="", department="", action=ERROR, message=message)


def _plan_removals(plan: StaffPlan, members: dict[str, Member], listed: set[str]) -> None:
    """Imported learners missing from a complete list leave; admins and invitees are not on HR's file."""
    for email, member in members.items():
        if email in listed or member.imported_at is None or not member.is_active:
            continue
        if member.role != Membership.Role.LEARNER:
            continue
        plan.removals.append(member.pk)
        plan.entries.append(
            PlannedRow(
                line=None,
                email=email,
                name=f"{member.first_name} {member.last_name}".strip(),
                department=member.department,
                action=REMOVE,
            )
        )


def _seat_problem(plan: StaffPlan, enrolments: dict[int, str]) -> str:
    if plan.course is None:
        return ""
    offering = Offering.objects.filter(organisation=plan.organisation, course=plan.course).first()
    if offering is None or offering.seats is None:
        return ""
    taken = sum(1 for status in enrolments.values() if status in SEAT_HOLDING)
    freed = sum(1 for pk in plan.removals if enrolments.get(pk) in SEAT_HOLDING[:2])
    needed = taken - freed + plan.counts["enrol"]
    if needed <= offering.seats:
        return ""
    return (
        f"{plan.course.title} has {offering.seats} seats for {plan.organisation.name}: "
        f"{taken} are taken and this list would enrol {plan.counts['enrol']} more. "
        "Nothing was imported; ask for more seats or shorten the list."
    )


@transaction.atomic
def staff_import_run(
    *,
    organisation: Organisation,
    staff: StaffFile,
    course: Course | None,
    full: bool,
    start_date: dt.date,
    now: dt.datetime,
    progress: Progress | None = None,
) -> StaffPlan:
    """Plan and write in one transaction: all valid rows, or nothing (raises StaffImportRefused).

    ``progress(done, total)`` is told after each chunk of rows. It runs inside the
    transaction, so it must report somewhere other than this database connection.
    """
    if course is not None:
        # Locking the offering serialises imports and invite joins, so two cannot both take the last seats.
        Offering.objects.select_for_update().get_or_create(
            organisation=organisation, course=course, defaults={"start_date": start_date}
        )
    plan = staff_import_plan(organisation=organisation, staff=staff, course=course, full=full)
    if not plan.can_import:
        raise StaffImportRefused(plan.seat_error or "; ".join(plan.errors))
    enrol = {entry.email for entry in plan.entries if entry.enrol}
    total = len(plan.rows)
    for start in range(0, total, CHUNK):
        chunk = plan.rows[start : start + CHUNK]
        memberships = members_upsert(organisation=organisation, people=chunk, imported_at=now)
        enrolling = [memberships[row.email] for row in chunk if row.email in enrol]
        if course is not None and enrolling:
            created = enrolments_start(
                organisation=organisation, membership_ids=enrolling, course=course, start_date=start_date, now=now
            )
            # Published after the commit: a refused or failed import welcomes nobody.
            welcome_mails_queue(enrolment_ids=created)
        if progress is not None:
            progress(start + len(chunk), total)
    if plan.removals:
        members_deactivate(organisation=organisation, membership_ids=plan.removals)
        enrolments_stop(memberships=plan.removals, now=now)
    return plan


def staff_import(
    *,
    organisation: Organisation,
    rows: list[StaffRow],
    course: Course | None,
    start_date: dt.date,
    now: dt.datetime,
    full: bool = False,
) -> StaffPlan:
    """Import already checked rows (the demo, scripts): see ``staff_import_run``."""
    return staff_import_run(
        organisation=organisation, staff=StaffFile(rows=rows), course=course, full=full, start_date=start_date, now=now
    )
