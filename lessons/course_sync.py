"""Bring the database in line with a course folder: lessons as code.

``course_sync(source=…)`` only *plans*: it compares the folder with the database and
returns the change report, writing nothing. ``course_sync(source=…, apply=True)`` plans
again against the locked course and makes exactly those changes, in one transaction,
through the authoring services (lessons/authoring.py, lessons/outline.py). The report
is plain data (``as_dict``): the studio shows it as a diff before anything is applied.

Idempotent: syncing the same folder twice changes nothing. An edited lesson gets a new
version; versions already sent are never rewritten. A lesson is known by its slug, so a
file moved to another module folder is a move, not a removal and an addition. A lesson
already sent cannot be removed from the folder; it can be unpublished (``unpublished: true``).
"""

from dataclasses import asdict, dataclass, field
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from courses.models import Course
from lessons.authoring import lesson_add_parked, lesson_content, lesson_version_create, module_add_parked
from lessons.authoring import version_checksum as _checksum
from lessons.course_folder import CourseFolderError, CourseSource, LessonSource, ModuleSource
from lessons.models import Delivery, Lesson, LessonVersion, Module
from lessons.outline import enrolments_realign, outline_apply
from lessons.selectors import course_places_forget
from lessons.validation import Level, Problem


@dataclass(frozen=True)
class LessonChange:
    slug: str
    title: str
    module: str  # the module's slug: in the folder, or in the database for a removed lesson
    file: str = ""  # in the folder
    from_module: str = ""  # a lesson moved to another module: where it was


@dataclass(frozen=True)
class ModuleChange:
    slug: str
    title: str
    fields: tuple[str, ...] = ()  # for a changed module: which of title and intro changed


@dataclass
class SyncReport:
    """What an import changes (planned) or changed (applied)."""

    course_slug: str
    course: Course | None = None
    applied: bool = False
    course_created: bool = False
    course_fields: list[str] = field(default_factory=list)  # course settings that change
    added: list[LessonChange] = field(default_factory=list)
    edited: list[LessonChange] = field(default_factory=list)  # a new version
    moved: list[LessonChange] = field(default_factory=list)
    unpublished: list[LessonChange] = field(default_factory=list)
    republished: list[LessonChange] = field(default_factory=list)
    removed: list[LessonChange] = field(default_factory=list)  # never sent: deleted
    modules_added: list[ModuleChange] = field(default_factory=list)
    modules_changed: list[ModuleChange] = field(default_factory=list)
    modules_moved: list[ModuleChange] = field(default_factory=list)
    modules_removed: list[ModuleChange] = field(default_factory=list)
    unchanged: int = 0
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    @property
    def has_changes(self) -> bool:
        lessons = self.added or self.edited or self.moved or self.unpublished or self.republished or self.removed
        modules = self.modules_added or self.modules_changed or self.modules_moved or self.modules_removed
        return bool(self.course_created or self.course_fields or lessons or modules)

    @property
    def order_changed(self) -> bool:
        """Whether what the drip sends next may change (the reorder rule applies)."""
        lessons = self.added or self.moved or self.unpublished or self.republished or self.removed
        return bool(lessons or self.modules_moved or self.modules_added or self.modules_removed)

    def summary(self) -> str:
        if not self.has_changes:
            return f"{self.course_slug}: no changes ({self.unchanged} lessons unchanged)"
        state = "created" if self.course_created else "updated" if self.course_fields else "unchanged"
        return (
            f"{self.course_slug}: course {state}; lessons: {len(self.added)} added, {len(self.edited)} changed "
            f"(new versions), {len(self.moved)} moved, {len(self.unpublished)} unpublished, "
            f"{len(self.republished)} published again, {len(self.removed)} removed, {self.unchanged} unchanged; "
            f"modules: {len(self.modules_added)} added, {len(self.modules_changed)} changed, "
            f"{len(self.modules_moved)} moved, {len(self.modules_removed)} removed"
        )

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("course")
        data["has_changes"] = self.has_changes
        data["errors"] = [str(problem) for problem in self.errors]
        data["warnings"] = [str(problem) for problem in self.warnings]
        return data


def course_sync(*, source: CourseSource, apply: bool = False) -> SyncReport:
    """Plan the import of ``source``; with ``apply``, make it. Applying refuses a plan with errors
    (CourseFolderError) and then writes nothing."""
    if not apply:
        return _plan(source, Course.objects.filter(slug=source.slug).first())
    with transaction.atomic():
        course = Course.objects.select_for_update().filter(slug=source.slug).first()
        report = _plan(source, course)
        if report.errors:
            raise CourseFolderError(report.errors)
        _apply(source, course, report)
    report.applied = True
    return report


def _course_fields(source: CourseSource) -> dict[str, Any]:
    names = ["title", "language", "description", "weekdays", "send_time"]
    names += ["group_name", "group_intro", "external_group_url"]
    return {name: getattr(source, name) for name in names}


def _content(lesson: LessonSource) -> dict[str, Any]:
    return lesson_content(
        title=lesson.title, summary=lesson.summary, body_markdown=lesson.body, question=lesson.question
    )


def _plan(source: CourseSource, course: Course | None) -> SyncReport:
    report = SyncReport(course_slug=source.slug, course=course, warnings=list(source.warnings))
    if course is None:
        report.course_created = True
        report.modules_added = [ModuleChange(m.slug, m.title) for m in source.modules]
        report.added = [_change(m, x) for m in source.modules for x in m.lessons]
        return report
    report.course_fields = [name for name, value in _course_fields(source).items() if getattr(course, name) != value]
    modules = {m.slug: m for m in Module.objects.filter(course=course)}
    lessons = {x.slug: x for x in Lesson.objects.filter(course=course).select_related("current_version", "module")}
    _plan_modules(source, modules, report)
    _plan_lessons(source, lessons, report)
    return report


def _change(module: ModuleSource, lesson: LessonSource, from_module: str = "") -> LessonChange:
    return LessonChange(lesson.slug, lesson.title, module.slug, lesson.filename, from_module)


def _plan_modules(source: CourseSource, modules: dict[str, Module], report: SyncReport) -> None:
    kept = [m for m in source.modules if m.slug in modules]
    for item in source.modules:
        module = modules.get(item.slug)
        if module is None:
            report.modules_added.append(ModuleChange(item.slug, item.title))
            continue
        changed = tuple(name for name in ("title", "intro") if getattr(module, name) != getattr(item, name))
        if changed:
            report.modules_changed.append(ModuleChange(item.slug, item.title, changed))
    out_of_order = out_of_sequence([m.slug for m in kept], {slug: m.position for slug, m in modules.items()})
    report.modules_moved = [ModuleChange(m.slug, m.title) for m in kept if m.slug in out_of_order]
    folder = {m.slug for m in source.modules}
    report.modules_removed = [ModuleChange(m.slug, m.title) for m in modules.values() if m.slug not in folder]


def _plan_lessons(source: CourseSource, lessons: dict[str, Lesson], report: SyncReport) -> None:
    stayed: dict[str, list[str]] = {}  # module -> its lessons that were in it already, in folder order
    for module in source.modules:
        for item in module.lessons:
            lesson = lessons.get(item.slug)
            if lesson is not None and lesson.module.slug == module.slug:
                stayed.setdefault(module.slug, []).append(item.slug)
    reordered = set().union(*(out_of_sequence(s, {x: lessons[x].order for x in s}) for s in stayed.values()))
    for module in source.modules:
        for item in module.lessons:
            lesson = lessons.get(item.slug)
            change = _change(module, item)
            if lesson is None:
                report.added.append(change)
                continue
            version = lesson.current_version
            edited = version is None or version.checksum != _checksum(**_content(item))
            if edited:
                report.edited.append(change)
            if lesson.module.slug != module.slug:
                report.moved.append(_change(module, item, from_module=lesson.module.slug))
            elif item.slug in reordered:
                report.moved.append(change)
            toggled = lesson.published == item.unpublished
            if toggled:
                (report.unpublished if item.unpublished else report.republished).append(change)
            report.unchanged += not (edited or toggled or lesson.module.slug != module.slug or item.slug in reordered)
    _plan_removals(source, lessons, report)


def _plan_removals(source: CourseSource, lessons: dict[str, Lesson], report: SyncReport) -> None:
    folder = {lesson.slug for lesson in source.lessons}
    gone = [lesson for slug, lesson in lessons.items() if slug not in folder]
    sent = set(Delivery.objects.filter(lesson__in=gone).values_list("lesson_id", flat=True).distinct())
    for lesson in sorted(gone, key=lambda x: x.position):
        title = lesson.current_version.title if lesson.current_version else lesson.slug
        if lesson.pk in sent:
            message = _(
                "The lesson “%(slug)s” was removed from the folder but has already been sent: put it back, "
                "with “unpublished: true” in its front matter to stop sending it."
            )
            report.errors.append(Problem(Level.ERROR, message % {"slug": lesson.slug}))
        else:
            report.removed.append(LessonChange(lesson.slug, title, lesson.module.slug))


def out_of_sequence(keys: list[str], old: dict[str, int]) -> set[str]:
    """The fewest of ``keys`` (in their new order) that moved: those outside a longest run whose old
    ranks increase. Inserting or removing an item moves nothing else."""
    tails: list[int] = []  # tails[k]: index in keys of the smallest tail of an increasing run of k+1
    previous: list[int] = [-1] * len(keys)
    for index, key in enumerate(keys):
        rank = old[key]
        low, high = 0, len(tails)
        while low < high:
            middle = (low + high) // 2
            if old[keys[tails[middle]]] < rank:
                low = middle + 1
            else:
                high = middle
        previous[index] = tails[low - 1] if low else -1
        if low == len(tails):
            tails.append(index)
        else:
            tails[low] = index
    keep, index = set(), tails[-1] if tails else -1
    while index != -1:
        keep.add(keys[index])
        index = previous[index]
    return set(keys) - keep


def _apply(source: CourseSource, course: Course | None, report: SyncReport) -> None:
    if course is None:
        course = Course.objects.create(slug=source.slug, **_course_fields(source))
    elif report.course_fields:
        for name, value in _course_fields(source).items():
            setattr(course, name, value)
        course.save()
    report.course = course
    modules = {m.slug: m for m in Module.objects.filter(course=course)}
    for item in source.modules:
        if item.slug not in modules:
            modules[item.slug] = module_add_parked(course=course, slug=item.slug, title=item.title, intro=item.intro)
        elif (modules[item.slug].title, modules[item.slug].intro) != (item.title, item.intro):
            Module.objects.filter(pk=modules[item.slug].pk).update(title=item.title, intro=item.intro)
    lessons = _apply_lessons(source, course, modules, report)
    removed = [modules.pop(change.slug) for change in report.modules_removed]
    outline = [(modules[m.slug], [lessons[x.slug] for x in m.lessons]) for m in source.modules]
    moved = outline_apply(course=course, outline=outline + [(module, []) for module in removed])
    Module.objects.filter(pk__in=[module.pk for module in removed]).delete()
    if moved or report.order_changed:
        enrolments_realign(course=course)
    transaction.on_commit(lambda: course_places_forget(course.pk))


def _apply_lessons(
    source: CourseSource, course: Course, modules: dict[str, Module], report: SyncReport
) -> dict[str, Lesson]:
    lessons = {x.slug: x for x in Lesson.objects.filter(course=course).select_related("current_version")}
    edited = {change.slug for change in report.edited}
    toggled = {change.slug for change in report.unpublished + report.republished}
    for module in source.modules:
        for item in module.lessons:
            lesson = lessons.get(item.slug)
            if lesson is None:
                lessons[item.slug] = lesson_add_parked(
                    module=modules[module.slug], slug=item.slug, content=_content(item), published=not item.unpublished
                )
                continue
            if item.slug in edited:
                lesson_version_create(lesson=lesson, **_content(item))
            if item.slug in toggled:
                lesson.published = not item.unpublished
                Lesson.objects.filter(pk=lesson.pk).update(published=lesson.published)
    for change in report.removed:
        lesson = lessons.pop(change.slug)
        Lesson.objects.filter(pk=lesson.pk).update(current_version=None)
        LessonVersion.objects.filter(lesson=lesson).delete()
        lesson.delete()
    return lessons
