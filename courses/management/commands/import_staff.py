import datetime as dt
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone, translation

from courses.models import Course, Offering
from courses.staff_import import StaffImportRefused, staff_import_run
from organisations.services import organisation_get_or_create
from organisations.staff_csv import StaffFile, parse_staff_csv


class Command(BaseCommand):
    help = "Create or update an organisation's members (and enrolments) from a CSV staff list."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("org_slug")
        parser.add_argument("file", type=Path)
        parser.add_argument("--course", help="slug of the course to enrol everyone in")
        parser.add_argument("--start", help="first day of the course, YYYY-MM-DD (default the offering's, or today)")
        parser.add_argument("--name", default="", help="organisation name, when it is created")
        parser.add_argument("--timezone", default="", help="organisation time zone, when it is created")
        parser.add_argument(
            "--full",
            action="store_true",
            help="the file is the complete staff list: imported members missing from it are removed",
        )

    def handle(self, *args: object, **options: object) -> None:
        # Operators read this report in English, like the rest of the command line.
        with translation.override("en"):
            self._handle(options)

    def _handle(self, options: dict) -> None:
        parsed = _read(options["file"])
        if parsed.errors:
            for error in parsed.errors:
                self.stderr.write(error)
            raise CommandError(f"{len(parsed.errors)} error(s) in the file; nothing was imported")
        course = _course(options["course"])
        start = _start_date(options["start"])
        try:
            with transaction.atomic():
                self._import(parsed, course, start, options)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        except StaffImportRefused as exc:
            raise CommandError(str(exc)) from None

    def _import(self, parsed: StaffFile, course: Course | None, start: dt.date | None, options: dict) -> None:
        organisation, created = organisation_get_or_create(
            slug=str(options["org_slug"]), name=str(options["name"]), timezone=str(options["timezone"])
        )
        if course is not None and start is None:
            offering = Offering.objects.filter(organisation=organisation, course=course).first()
            start = offering.start_date if offering else None
        plan = staff_import_run(
            organisation=organisation,
            staff=parsed,
            course=course,
            full=bool(options["full"]),
            start_date=start or timezone.localdate(),
            now=timezone.now(),
        )
        for line in plan.lines:
            self.stdout.write(line)
        prefix = f"{organisation.slug} (new organisation)" if created else organisation.slug
        self.stdout.write(self.style.SUCCESS(f"{prefix}: {plan.summary()}"))


def _read(path: object) -> StaffFile:
    assert isinstance(path, Path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CommandError(f"cannot read {path}: {exc.strerror}") from None
    parsed = parse_staff_csv(data)
    return parsed


def _course(slug: object) -> Course | None:
    if not slug:
        return None
    course = Course.objects.filter(slug=str(slug)).first()
    if course is None:
        raise CommandError(f"no course with slug {slug!r}")
    return course


def _start_date(raw: object) -> dt.date | None:
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(str(raw))
    except ValueError:
        raise CommandError(f"--start must be a date like 2027-03-01, got {raw!r}") from None
