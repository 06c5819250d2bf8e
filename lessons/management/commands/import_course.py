from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lessons.course_folder import CourseFolderError, read_course_folder
from lessons.course_sync import course_sync


class Command(BaseCommand):
    help = "Sync a course folder (course.yaml + NNN-slug.md lessons) into the database. Idempotent."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", type=Path)

    def handle(self, *args: object, **options: object) -> None:
        directory = options["directory"]
        assert isinstance(directory, Path)
        try:
            report = course_sync(source=read_course_folder(directory))
        except CourseFolderError as exc:
            for error in exc.errors:
                self.stderr.write(error)
            raise CommandError(f"{directory}: {len(exc.errors)} error(s); nothing was imported") from None
        self.stdout.write(self.style.SUCCESS(report.summary()))
