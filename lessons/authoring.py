"""Authoring: the one way lessons and modules are written, by the folder sync and the web editor alike.

Every save of a lesson makes a new, immutable LessonVersion: a delivery keeps the version
it went out with. Every change to the order (create, move, reorder, unpublish) goes
through lessons/outline.py and ends with the reorder rule applied to enrolled learners.
Errors (lessons/validation.py) refuse a save with :class:`AuthoringError`; warnings are
the editor's to show.
"""

import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from accounts.models import User
from courses.models import Course
from lessons.models import Delivery, Lesson, LessonVersion, Module
from lessons.outline import PARKED, course_outline, enrolments_realign, outline_apply
from lessons.plaintext import markdown_text
from lessons.rendering import render_markdown
from lessons.selectors import course_places_forget
from lessons.validation import (
    CheckedLesson,
    LessonDraft,
    Level,
    Problem,
    Where,
    course_problems,
    lesson_problems,
    question_of,
    slug_problems,
)


class AuthoringError(ValueError):
    """The change was refused; ``problems`` says why, in plain words."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("; ".join(problem.message for problem in problems))


def _refuse(message: str, field: str = "") -> AuthoringError:
    return AuthoringError([Problem(Level.ERROR, message, field=field)])


def version_checksum(*, title: str, summary: str, body_markdown: str, question: Mapping[str, Any]) -> str:
    """What a version says, as one value: an import compares it to see whether a lesson changed."""
    payload = json.dumps([title, summary, body_markdown, question], sort_keys=True)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def lesson_content(
    *, title: str, summary: str, body_markdown: str, question: Mapping[str, Any] | None
) -> dict[str, Any]:
    """A lesson's text as a version stores it: stripped, one newline at the end of the body, the
    question complete or ``{}``. The folder and the editor give the same text the same checksum."""
    draft = question_of(question)
    return {
        "title": title.strip(),
        "summary": summary.strip(),
        "body_markdown": body_markdown.replace("\r\n", "\n").strip() + "\n",
        "question": draft.stored() if draft else {},
    }


@transaction.atomic
def lesson_version_create(
    *,
    lesson: Lesson,
    title: str,
    summary: str,
    body_markdown: str,
    question: Mapping[str, Any] | None,
    by: User | None = None,
) -> LessonVersion:
    """Save what the lesson says as its new current version (``question`` as stored: ``correct``
    counts from 0). Every save makes a version; versions already sent are never touched."""
    content = {"title": title, "summary": summary, "body_markdown": body_markdown, "question": question}
    had_one = Lesson.objects.select_for_update().filter(pk=lesson.pk, current_version__isnull=False).exists()
    version = _version_new(lesson, content, by)
    if not had_one and lesson.published:
        _order_changed(lesson.course)  # its first version: now the drip can send it
    return version


def _version_new(lesson: Lesson, content: Mapping[str, Any], by: User | None) -> LessonVersion:
    stored = lesson_content(**content)
    draft = LessonDraft(stored["title"], stored["summary"], stored["body_markdown"], question_of(stored["question"]))
    errors = [problem for problem in lesson_problems(draft) if problem.is_error]
    if errors:
        raise AuthoringError(errors)
    number = (LessonVersion.objects.filter(lesson=lesson).aggregate(n=Max("number"))["n"] or 0) + 1
    version = LessonVersion.objects.create(
        lesson=lesson,
        number=number,
        body_html=render_markdown(stored["body_markdown"]),
        body_text=markdown_text(stored["body_markdown"]),
        checksum=version_checksum(**stored),
        created_by=by,
        **stored,
    )
    Lesson.objects.filter(pk=lesson.pk).update(current_version=version)
    lesson.current_version = version
    return version


def lesson_check(*, course: Course, draft: LessonDraft, lesson: Lesson | None = None) -> list[Problem]:
    """What the editor shows before saving: the lesson's errors and warnings, and the course-wide
    warnings (a duplicate title, the longest option too often) as they would be with ``draft`` in
    place of ``lesson`` (or added, for a new lesson)."""
    others = Lesson.objects.filter(course=course, current_version__isnull=False).select_related("current_version")
    if lesson is not None:
        others = others.exclude(pk=lesson.pk)
    checked = []
    for other in others.order_by("position"):
        version = other.current_version
        assert version is not None
        stored = LessonDraft(version.title, version.summary, version.body_markdown, question_of(version.question))
        checked.append(CheckedLesson(stored, Where(file=other.slug)))
    checked.append(CheckedLesson(draft))  # last: a duplicate title is reported on it, naming the other
    mine = [problem for problem in course_problems(checked) if not problem.file]
    return lesson_problems(draft) + mine


def _lock(course: Course) -> Course:
    """One structural change of a course at a time (the editor, the import)."""
    return Course.objects.select_for_update().get(pk=course.pk)


def _order_changed(course: Course, *, outline: Sequence | None = None, realign: bool = False) -> None:
    """Apply ``outline`` (default: the stored order, renumbered) and, when the drip's order or what
    is published changed, the reorder rule."""
    moved = outline_apply(course=course, outline=outline if outline is not None else course_outline(course))
    if moved or realign:
        enrolments_realign(course=course)


def module_add_parked(*, course: Course, slug: str, title: str, intro: str = "") -> Module:
    """A new module after every other, for bulk callers (the import) that end with outline_apply."""
    problems = slug_problems(slug)
    if not title.strip():
        problems.append(Problem(Level.ERROR, _("A module needs a title."), field="title"))
    if problems:
        raise AuthoringError(problems)
    if Module.objects.filter(course=course, slug=slug).exists():
        raise _refuse(_("The course already has a module “%(slug)s”.") % {"slug": slug}, "slug")
    last = Module.objects.filter(course=course).aggregate(n=Max("position"))["n"] or 0
    return Module.objects.create(
        course=course, slug=slug, title=title.strip(), intro=intro.strip(), position=max(last, PARKED) + 1
    )


@transaction.atomic
def module_create(*, course: Course, slug: str, title: str, intro: str = "", index: int | None = None) -> Module:
    """A new, empty module at ``index`` (0-based; default: last)."""
    course = _lock(course)
    module = module_add_parked(course=course, slug=slug, title=title, intro=intro)
    outline = [(m, lessons) for m, lessons in course_outline(course) if m.pk != module.pk]
    outline.insert(len(outline) if index is None else max(0, index), (module, []))
    _order_changed(course, outline=outline)
    module.refresh_from_db()
    return module


@transaction.atomic
def module_update(*, module: Module, title: str | None = None, intro: str | None = None) -> Module:
    """Change a module's title or intro (its slug is its identity and stays)."""
    if title is not None and not title.strip():
        raise _refuse(_("A module needs a title."), "title")
    module.title = module.title if title is None else title.strip()
    module.intro = module.intro if intro is None else intro.strip()
    module.save(update_fields=["title", "intro"])
    transaction.on_commit(lambda: course_places_forget(module.course_id))
    return module


@transaction.atomic
def module_move(*, module: Module, index: int) -> None:
    """Put the module at ``index`` (0-based) among the course's modules."""
    course = _lock(module.course)
    outline = course_outline(course)
    entry = next(item for item in outline if item[0].pk == module.pk)
    outline.remove(entry)
    outline.insert(max(0, index), entry)
    _order_changed(course, outline=outline)


@transaction.atomic
def module_delete(*, module: Module) -> None:
    """Remove an empty module."""
    course = _lock(module.course)
    if Lesson.objects.filter(module=module).exists():
        raise _refuse(_("Move or remove the module's lessons first."), "module")
    module.delete()
    _order_changed(course)


def lesson_add_parked(
    *, module: Module, slug: str, content: Mapping[str, Any], published: bool = True, by: User | None = None
) -> Lesson:
    """A new lesson at the end of ``module`` with its first version, for bulk callers that end with
    outline_apply and enrolments_realign (the import)."""
    problems = slug_problems(slug)
    if problems:
        raise AuthoringError(problems)
    if Lesson.objects.filter(course_id=module.course_id, slug=slug).exists():
        raise _refuse(_("The course already has a lesson “%(slug)s”.") % {"slug": slug}, "slug")
    parked = PARKED + Lesson.objects.filter(course_id=module.course_id).count() + 1
    lesson = Lesson.objects.create(
        course_id=module.course_id, module=module, slug=slug, order=parked, position=parked, published=published
    )
    _version_new(lesson, content, by)
    return lesson


@transaction.atomic
def lesson_create(
    *,
    module: Module,
    slug: str,
    title: str,
    summary: str,
    body_markdown: str,
    question: Mapping[str, Any] | None = None,
    index: int | None = None,
    published: bool = True,
    by: User | None = None,
) -> Lesson:
    """A new lesson with its first version, at ``index`` (0-based) in ``module`` (default: last).
    Inserted before lessons learners already received, it becomes their next lesson."""
    course = _lock(module.course)
    content = {"title": title, "summary": summary, "body_markdown": body_markdown, "question": question}
    lesson = lesson_add_parked(module=module, slug=slug, content=content, published=published, by=by)
    _place(course, lesson, module, index)
    lesson.refresh_from_db()
    return lesson


@transaction.atomic
def lesson_move(*, lesson: Lesson, module: Module, index: int | None = None) -> None:
    """Move a lesson to ``index`` (0-based; default: last) in ``module``, its own or another of the
    course. It keeps its identity, versions and deliveries."""
    if module.course_id != lesson.course_id:
        raise _refuse(_("A lesson moves only within its course."), "module")
    _place(_lock(lesson.course), lesson, module, index)


def _place(course: Course, lesson: Lesson, module: Module, index: int | None) -> None:
    outline = [(m, [x for x in lessons if x.pk != lesson.pk]) for m, lessons in course_outline(course)]
    target = next(lessons for m, lessons in outline if m.pk == module.pk)
    moving = Lesson.objects.select_related("current_version").get(pk=lesson.pk)
    target.insert(len(target) if index is None else max(0, index), moving)
    _order_changed(course, outline=outline, realign=True)


@transaction.atomic
def lessons_reorder(*, module: Module, lessons: Sequence[Lesson]) -> None:
    """Give the module's lessons (all of them, each once) a new order."""
    course = _lock(module.course)
    outline = course_outline(course)
    current = next(items for m, items in outline if m.pk == module.pk)
    by_pk = {lesson.pk: lesson for lesson in current}
    if sorted(by_pk) != sorted(lesson.pk for lesson in lessons) or len(lessons) != len(by_pk):
        raise _refuse(_("A new order names every lesson of the module once."), "module")
    current[:] = [by_pk[lesson.pk] for lesson in lessons]
    _order_changed(course, outline=outline)


@transaction.atomic
def lesson_publish(*, lesson: Lesson, published: bool = True) -> bool:
    """Publish or unpublish. An unpublished lesson is no longer sent to anyone who has not received
    it; those who did keep it (their page, their answers). Returns whether anything changed."""
    course = _lock(lesson.course)
    if not Lesson.objects.filter(pk=lesson.pk).exclude(published=published).update(published=published):
        return False
    lesson.published = published
    _order_changed(course, realign=True)
    return True


def lesson_unpublish(*, lesson: Lesson) -> bool:
    return lesson_publish(lesson=lesson, published=False)


@transaction.atomic
def lesson_delete(*, lesson: Lesson) -> None:
    """Remove a lesson nobody has received (otherwise unpublish it)."""
    course = _lock(lesson.course)
    if Delivery.objects.filter(lesson=lesson).exists():
        raise _refuse(_("This lesson was already sent; unpublish it instead."), "lesson")
    Lesson.objects.filter(pk=lesson.pk).update(current_version=None)
    LessonVersion.objects.filter(lesson=lesson).delete()
    lesson.delete()
    _order_changed(course, realign=True)
