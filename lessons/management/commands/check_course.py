from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser, no_translations

from lessons.course_folder import check_course_folder


class Command(BaseCommand):
    help = (
        "Check a course folder with the editor's rules; print every error and warning with its file and line. "
        "Exits non-zero on errors (with --strict, on warnings too)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", type=Path)
        parser.add_argument("--strict", action="store_true", help="warnings fail the check too")

    @no_translations  # trainers read the same English as docs/authoring.md
    def handle(self, *args: object, **options: object) -> None:
        directory = options["directory"]
        assert isinstance(directory, Path)
        source, problems = check_course_folder(directory)
        for problem in problems:
            self.stdout.write(str(problem))
        errors = sum(1 for problem in problems if problem.is_error)
        warnings = len(problems) - errors
        found = (
            f"{_count(len(source.lessons), 'lesson')} in {_count(len(source.modules), 'module')}; " if source else ""
        )
        summary = f"{directory}: {found}{errors} error(s), {warnings} warning(s)"
        if errors or (warnings and options["strict"]):
            raise CommandError(summary)
        self.stdout.write(self.style.SUCCESS(summary))


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"
