"""Bring the database in line with a course folder: lessons as code.

Idempotent: syncing the same folder twice changes nothing. An edited lesson
gets a new version; versions already sent are never rewritten.
"""

import hashlib
import json
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import F

from courses.models import Course
from lessons.course_folder import CourseFolderError, CourseSource, LessonSource
from lessons.models import Delivery, Lesson, LessonVersion
from lessons.rendering import render_markdown
from lessons.selectors import course_lesson_count_forget

# Positions are moved out of the way first so a reorder never trips the unique constraint.
_POSITION_SHIFT = 100_000


@dataclass
class SyncReport:
    course: Course
    course_created: bool = False
    course_updated: bool = False
    created: list[str] = field(default_factory=list)
    new_versions: list[str] = field(default_factory=list)
    moved: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0

    @property
    def changed(self) -> bool:
        return bool(
            self.course_created
            or self.course_updated
            or self.created
            or self.new_versions
            or self.moved
            or self.removed
        )

    def summary(self) -> str:
        state = "created" if self.course_created else "updated" if self.course_updated else "unchanged"
        if not self.changed:
            return f"{self.course.slug}: no changes ({self.unchanged} lessons unchanged)"
        return (
            f"{self.course.slug}: course {state}; {len(self.created)} lessons created, "
            f"{len(self.new_versions)} new versions, {len(self.moved)} moved, "
            f"{len(self.removed)} removed, {self.unchanged} unchanged"
        )


def version_checksum(lesson: LessonSource) -> str:
    payload = json.dumps([lesson.title, lesson.summary, lesson.body, lesson.question], sort_keys=True)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


@transaction.atomic
def course_sync(*, source: CourseSource) -> SyncReport:
    course, created = Course.objects.select_for_update().get_or_create(
        slug=source.slug, defaults=_course_defaults(source)
    )
    report = SyncReport(course=course, course_created=created)
    if not created:
        report.course_updated = _update_course(course, source)
    existing = {lesson.slug: lesson for lesson in course.lessons.select_related("current_version")}
    _remove_missing(course, existing, {lesson.slug for lesson in source.lessons}, report)
    moved = {s.slug for s in source.lessons if s.slug in existing and existing[s.slug].position != s.position}
    if moved:
        Lesson.objects.filter(course=course).update(position=F("position") + _POSITION_SHIFT)
        for item in source.lessons:
            if item.slug in existing and item.slug not in moved:
                existing[item.slug].position += _POSITION_SHIFT
        report.moved = sorted(moved)
    for item in source.lessons:
        _sync_lesson(course, existing.get(item.slug), item, report)
    if report.created or report.removed:
        transaction.on_commit(lambda: course_lesson_count_forget(course.pk))
    return report


def _course_defaults(source: CourseSource) -> dict:
    return {
        "title": source.title,
        "language": source.language,
        "description": source.description,
        "weekdays": source.weekdays,
        "send_time": source.send_time,
        "group_name": source.group_name,
        "group_intro": source.group_intro,
        "external_group_url": source.external_group_url,
    }


def _update_course(course: Course, source: CourseSource) -> bool:
    changed = [name for name, value in _course_defaults(source).items() if getattr(course, name) != value]
    for name in changed:
        setattr(course, name, _course_defaults(source)[name])
    if changed:
        course.save()
    return bool(changed)


def _remove_missing(course: Course, existing: dict[str, Lesson], keep: set[str], report: SyncReport) -> None:
    gone = [lesson for slug, lesson in existing.items() if slug not in keep]
    sent = set(Delivery.objects.filter(lesson__in=gone).values_list("lesson__slug", flat=True).distinct())
    if sent:
        raise CourseFolderError(
            [
                f"lesson '{slug}' was removed from the folder but has already been sent; restore it"
                for slug in sorted(sent)
            ]
        )
    for lesson in gone:
        report.removed.append(lesson.slug)
        del existing[lesson.slug]
        lesson.delete()


def _sync_lesson(course: Course, lesson: Lesson | None, item: LessonSource, report: SyncReport) -> None:
    checksum = version_checksum(item)
    if lesson is None:
        lesson = Lesson.objects.create(course=course, position=item.position, slug=item.slug)
        report.created.append(item.slug)
    elif lesson.position != item.position:
        lesson.position = item.position
        lesson.save(update_fields=["position"])
    current = lesson.current_version
    if current is not None and current.checksum == checksum:
        if item.slug not in report.moved:
            report.unchanged += 1
        return
    number = (current.number if current else 0) + 1
    lesson.current_version = LessonVersion.objects.create(
        lesson=lesson,
        number=number,
        title=item.title,
        summary=item.summary,
        body_markdown=item.body,
        body_html=render_markdown(item.body),
        question=item.question,
        checksum=checksum,
    )
    lesson.save(update_fields=["current_version"])
    if number > 1:
        report.new_versions.append(item.slug)
