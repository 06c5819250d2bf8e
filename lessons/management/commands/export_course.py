from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from courses.models import Course
from lessons.course_export import ExportError, course_export


class Command(BaseCommand):
    help = "Write a course out as a course folder (course.yaml, module folders, lessons); import_course reads it back."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug")
        parser.add_argument("directory", type=Path)
        parser.add_argument(
            "--replace", action="store_true", help="overwrite the course files of a folder that is not empty"
        )

    def handle(self, *args: object, **options: object) -> None:
        directory = options["directory"]
        assert isinstance(directory, Path)
        course = Course.objects.filter(slug=options["slug"]).first()
        if course is None:
            raise CommandError(f"no course with the slug {options['slug']!r}")
        try:
            count = course_export(course=course, directory=directory, replace=bool(options["replace"]))
        except ExportError as exc:
            raise CommandError(str(exc)) from None
        modules, lessons = course.modules.count(), course.lessons.count()
        self.stdout.write(
            self.style.SUCCESS(
                f"{course.slug}: {modules} modules, {lessons} lessons, {count} files written to {directory}"
            )
        )
