from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser, no_translations

from lessons.course_folder import CourseFolderError, read_course_folder
from lessons.course_sync import SyncReport, course_sync


class Command(BaseCommand):
    help = (
        "Sync a course folder (course.yaml, NN-slug/ module folders with NNN-slug.md lessons) into the "
        "database. Idempotent. --plan shows the changes and writes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", type=Path)
        parser.add_argument("--plan", action="store_true", help="report what would change; write nothing")

    @no_translations  # trainers read the same English as docs/authoring.md
    def handle(self, *args: object, **options: object) -> None:
        directory = options["directory"]
        assert isinstance(directory, Path)
        plan = bool(options["plan"])
        try:
            report = course_sync(source=read_course_folder(directory), apply=not plan)
        except CourseFolderError as exc:
            for error in exc.errors:
                self.stderr.write(error)
            raise CommandError(f"{directory}: {len(exc.errors)} error(s); nothing was imported") from None
        for problem in [*report.warnings, *report.errors]:
            self.stderr.write(str(problem))
        if plan or int(str(options["verbosity"])) > 1:
            self._details(report)
        summary = report.summary() + (" (planned: nothing was written)" if plan else "")
        if report.errors:
            raise CommandError(f"{summary}; {len(report.errors)} error(s): it cannot be imported like this")
        self.stdout.write(self.style.SUCCESS(summary))

    def _details(self, report: SyncReport) -> None:
        kinds = [
            ("added", report.added),
            ("changed", report.edited),
            ("moved", report.moved),
            ("unpublished", report.unpublished),
            ("published again", report.republished),
            ("removed", report.removed),
        ]
        for kind, changes in kinds:
            for change in changes:
                where = f" (from module {change.from_module})" if change.from_module else ""
                self.stdout.write(f"  lesson {kind}: {change.file or change.slug}{where}")
        modules = [
            ("added", report.modules_added),
            ("changed", report.modules_changed),
            ("moved", report.modules_moved),
            ("removed", report.modules_removed),
        ]
        for kind, module_changes in modules:
            for module in module_changes:
                fields = f" ({', '.join(module.fields)})" if module.fields else ""
                self.stdout.write(f"  module {kind}: {module.slug}{fields}")
