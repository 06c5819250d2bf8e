"""Import a checked staff list: members, their enrolment in a course, and who left.

Two steps, so the web can preview exactly what a confirmation will write:
``staff_import_plan`` reads the database and says, row by row, what would
happen; ``staff_import_run`` plans again inside one transaction and writes it
all, or refuses (a file-level error, too few seats) before writing anything.
"""

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from django.db import transaction

from accounts.models import User
from courses.models import Course, Enrolment, Offering
from courses.services import enrolment_create, enrolment_restart, enrolments_stop
from organisations.memberships import member_upsert, members_deactivate
from organisations.models import Membership, Organisation
from organisations.staff_csv import StaffFile, StaffRow

CREATE, UPDATE, UNCHANGED, REMOVE, ERROR = "create", "update", "unchanged", "remove", "error"
SEAT_HOLDING = [Enrolment.Status.ACTIVE, Enrolment.Status.PAUSED, Enrolment.Status.FINISHED]


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


def staff_import_plan(*, organisation: Organisation, staff: StaffFile, course: Course | None, full: bool) -> StaffPlan:
    """What importing this file would do, row by row. Reads only; a handful of queries for any size."""
    plan = StaffPlan(organisation=organisation, course=course, full=full, errors=list(staff.errors), fatal=staff.fatal)
    if staff.fatal:
        return plan
    members = {m.user.email: m for m in Membership.objects.filter(organisation=organisation).select_related("user")}
    users = {u.email: u for u in User.objects.filter(email__in=[row.email for row in staff.rows])}
    enrolments = _enrolments_by_member(organisation, course)
    for row in staff.rows:
        membership = members.get(row.email)
        enrolment = enrolments.get(membership.pk) if membership else None
        enrol = course is not None and (enrolment is None or enrolment.status == Enrolment.Status.STOPPED)
        plan.entries.append(_entry(row, _row_action(row, membership, users.get(row.email)), enrol))
        plan.rows.append(row)
    plan.entries += [_error_entry(message) for message in staff.errors]
    if full:
        _plan_removals(plan, members, {row.email for row in staff.rows})
    plan.entries.sort(key=lambda entry: (entry.line is None, entry.line or 0, entry.email))
    plan.seat_error = _seat_problem(plan, enrolments)
    return plan


def _enrolments_by_member(organisation: Organisation, course: Course | None) -> dict[int, Enrolment]:
    if course is None:
        return {}
    queryset = Enrolment.objects.filter(membership__organisation=organisation, course=course)
    return {enrolment.membership_id: enrolment for enrolment in queryset}


def _row_action(row: StaffRow, membership: Membership | None, user: User | None) -> str:
    """CREATE for a new member (even if the person is known elsewhere), else UPDATE or UNCHANGED."""
    if membership is None:
        return CREATE
    person = user or membership.user
    now = (person.first_name, person.last_name, membership.department, membership.is_active)
    return UNCHANGED if now == (row.first_name, row.last_name, row.department, True) else UPDATE


def _entry(row: StaffRow, action: str, enrol: bool) -> PlannedRow:
    name = f"{row.first_name} {row.last_name}".strip()
    return PlannedRow(line=row.line, email=row.email, name=name, department=row.department, action=action, enrol=enrol)


def _error_entry(message: str) -> PlannedRow:
    head, _, rest = message.partition(": ")
    line = int(head[5:]) if head.startswith("line ") and head[5:].isdigit() else None
    return PlannedRow(line=line, email="", name="", department="", action=ERROR, message=rest if line else message)


def _plan_removals(plan: StaffPlan, members: dict[str, Membership], listed: set[str]) -> None:
    """Imported learners missing from a complete list leave; admins and invitees are not on HR's file."""
    for email, membership in members.items():
        if email in listed or membership.imported_at is None or not membership.is_active:
            continue
        if membership.role != Membership.Role.LEARNER:
            continue
        person = membership.user
        plan.removals.append(membership.pk)
        plan.entries.append(
            PlannedRow(
                line=None,
                email=email,
                name=f"{person.first_name} {person.last_name}".strip(),
                department=membership.department,
                action=REMOVE,
            )
        )


def _seat_problem(plan: StaffPlan, enrolments: dict[int, Enrolment]) -> str:
    if plan.course is None:
        return ""
    offering = Offering.objects.filter(organisation=plan.organisation, course=plan.course).first()
    if offering is None or offering.seats is None:
        return ""
    taken = sum(1 for enrolment in enrolments.values() if enrolment.status in SEAT_HOLDING)
    freed = sum(1 for pk in plan.removals if pk in enrolments and enrolments[pk].status in SEAT_HOLDING[:2])
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
) -> StaffPlan:
    """Plan and write in one transaction: all valid rows, or nothing (raises StaffImportRefused)."""
    if course is not None:
        # Locking the offering serialises imports and invite joins, so two cannot both take the last seats.
        Offering.objects.select_for_update().get_or_create(
            organisation=organisation, course=course, defaults={"start_date": start_date}
        )
    plan = staff_import_plan(organisation=organisation, staff=staff, course=course, full=full)
    if not plan.can_import:
        raise StaffImportRefused(plan.seat_error or "; ".join(plan.errors))
    enrol = {entry.email for entry in plan.entries if entry.enrol}
    for row in plan.rows:
        membership, _ = member_upsert(
            organisation=organisation,
            email=row.email,
            first_name=row.first_name,
            last_name=row.last_name,
            department=row.department,
            imported_at=now,
        )
        if course is not None and row.email in enrol:
            _enrol(membership=membership, course=course, start_date=start_date, now=now)
    if plan.removals:
        members_deactivate(organisation=organisation, membership_ids=plan.removals)
        enrolments_stop(memberships=plan.removals, now=now)
    return plan


def _enrol(*, membership: Membership, course: Course, start_date: dt.date, now: dt.datetime) -> None:
    enrolment, created = enrolment_create(membership=membership, course=course, start_date=start_date, now=now)
    if not created:
        enrolment_restart(enrolment=enrolment, now=now)


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
