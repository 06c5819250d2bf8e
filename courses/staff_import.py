"""Import a checked staff list: members, and optionally their enrolment in a course."""

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction

from courses.models import Course
from courses.services import enrolment_create
from organisations.models import Organisation
from organisations.services import member_upsert
from organisations.staff_csv import StaffRow


@dataclass
class StaffImportReport:
    lines: list[str] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    enrolled: int = 0

    def summary(self) -> str:
        return (
            f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged, "
            f"{self.enrolled} newly enrolled"
        )


@transaction.atomic
def staff_import(
    *,
    organisation: Organisation,
    rows: list[StaffRow],
    course: Course | None,
    start_date: dt.date,
    now: dt.datetime,
) -> StaffImportReport:
    report = StaffImportReport()
    existing = set(organisation.memberships.values_list("user__email", flat=True))
    for row in rows:
        membership, changed = member_upsert(
            organisation=organisation,
            email=row.email,
            first_name=row.first_name,
            last_name=row.last_name,
            department=row.department,
        )
        state = "unchanged" if not changed else "updated" if row.email in existing else "created"
        setattr(report, state, getattr(report, state) + 1)
        enrolled = False
        if course is not None:
            _, enrolled = enrolment_create(membership=membership, course=course, start_date=start_date, now=now)
            report.enrolled += enrolled
        report.lines.append(f"line {row.line}: {row.email} {state}{', enrolled' if enrolled else ''}")
    return report
