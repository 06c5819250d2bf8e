import datetime as dt
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from courses.models import Course
from courses.staff_import import staff_import
from organisations.services import organisation_get_or_create
from organisations.staff_csv import parse_staff_csv


class Command(BaseCommand):
    help = "Create or update an organisation's members (and enrolments) from a CSV staff list."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("org_slug")
        parser.add_argument("file", type=Path)
        parser.add_argument("--course", help="slug of the course to enrol everyone in")
        parser.add_argument("--start", help="first day of the course, YYYY-MM-DD (default today)")
        parser.add_argument("--name", default="", help="organisation name, when it is created")
        parser.add_argument("--timezone", default="", help="organisation time zone, when it is created")

    def handle(self, *args: object, **options: object) -> None:
        path = options["file"]
        assert isinstance(path, Path)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"cannot read {path}: {exc.strerror}") from None
        parsed = parse_staff_csv(data)
        if parsed.errors:
            for error in parsed.errors:
                self.stderr.write(error)
            raise CommandError(f"{path.name}: {len(parsed.errors)} error(s); nothing was imported")
        course = None
        if options["course"]:
            course = Course.objects.filter(slug=options["course"]).first()
            if course is None:
                raise CommandError(f"no course with slug {options['course']!r}")
        start = _start_date(options["start"])
        try:
            organisation, created = organisation_get_or_create(
                slug=str(options["org_slug"]), name=str(options["name"]), timezone=str(options["timezone"])
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        report = staff_import(
            organisation=organisation, rows=parsed.rows, course=course, start_date=start, now=timezone.now()
        )
        for line in report.lines:
            self.stdout.write(line)
        prefix = f"{organisation.slug} (new organisation)" if created else organisation.slug
        self.stdout.write(self.style.SUCCESS(f"{prefix}: {report.summary()}"))


def _start_date(raw: object) -> dt.date:
    if not raw:
        return timezone.localdate()
    try:
        return dt.date.fromisoformat(str(raw))
    except ValueError:
        raise CommandError(f"--start must be a date like 2027-03-01, got {raw!r}") from None
