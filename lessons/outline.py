"""The course order, the drip's order, and the reorder rule: in one place.

*Course order* is what the trainer sees: modules by ``Module.position``, and lessons
by ``Lesson.order`` within their module. The drip's order is ``Lesson.position``: the
published lessons, in course order, are 1 … P; unpublished lessons follow (P+1 …), out
of the drip's reach. :func:`outline_apply` is the only code that writes these fields
after a lesson is created, so the two orders never disagree.

The reorder rule (docs/authoring.md): an order change (a move, an insert, unpublishing)
never changes what enrolled learners already received, and each learner's next lesson is
the first published lesson, in the new order, that they have not received.
:func:`enrolments_realign` applies it, set-based, after every order change; the drip
(lessons/drip.py) uses the same expression when a learner turns out to have received the
lesson at their next position already.
"""

from collections.abc import Sequence

from django.db import models, transaction
from django.db.models import Exists, F, Max, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from core.sql import Among
from courses.models import Course, Enrolment
from lessons.models import Delivery, Lesson, Module
from lessons.selectors import course_places_forget

# Rows are moved out of the way first, so a new order never trips a unique constraint.
SHIFT = 1_000_000
# Where a new lesson or module waits, inside its transaction, for outline_apply to place it.
PARKED = 2 * SHIFT
# Enrolments that may still receive lessons. Finished and unsubscribed ones are left as they are.
LIVE = [Enrolment.Status.ACTIVE, Enrolment.Status.PAUSED, Enrolment.Status.STOPPED, Enrolment.Status.SUSPENDED]

Outline = Sequence[tuple[Module, Sequence[Lesson]]]


def course_outline(course: Course) -> list[tuple[Module, list[Lesson]]]:
    """The course order as it is stored: every module with its lessons (published or not)."""
    modules = list(Module.objects.filter(course=course).order_by("position"))
    lessons: dict[int, list[Lesson]] = {module.pk: [] for module in modules}
    for lesson in Lesson.objects.filter(course=course).select_related("current_version").order_by("order", "pk"):
        lessons[lesson.module_id].append(lesson)
    return [(module, lessons[module.pk]) for module in modules]


@transaction.atomic
def outline_apply(*, course: Course, outline: Outline) -> bool:
    """Make ``outline`` (every module of the course, each with every one of its lessons) the
    course order, and number the drip's positions from it. Returns whether anything moved.
    The caller realigns enrolments afterwards (:func:`enrolments_realign`)."""
    modules = [module for module, _ in outline]
    lessons = [lesson for _, items in outline for lesson in items]
    if not _covers(course, modules, lessons):
        raise ValueError("an outline names every module and every lesson of its course, once")
    moved = _assign(Module, {module: {"position": index} for index, module in enumerate(modules, start=1)})
    placed = {
        lesson: {"module": module, "order": index}
        for module, items in outline
        for index, lesson in enumerate(items, start=1)
    }
    moved |= _assign(Lesson, placed, shifted="order")
    drip_order = [x for x in lessons if x.is_sendable] + [x for x in lessons if not x.is_sendable]
    moved |= _assign(Lesson, {lesson: {"position": index} for index, lesson in enumerate(drip_order, start=1)})
    if moved:
        transaction.on_commit(lambda: course_places_forget(course.pk))
    return moved


def _covers(course: Course, modules: list[Module], lessons: list[Lesson]) -> bool:
    module_ids, lesson_ids = [m.pk for m in modules], [x.pk for x in lessons]
    return (
        len(set(module_ids)) == len(module_ids)
        and len(set(lesson_ids)) == len(lesson_ids)
        and set(module_ids) == set(Module.objects.filter(course=course).values_list("pk", flat=True))
        and set(lesson_ids) == set(Lesson.objects.filter(course=course).values_list("pk", flat=True))
    )


def _assign(model: type[models.Model], values: dict, shifted: str = "") -> bool:
    """Set ``values`` (row -> {field: value}) on the rows whose values differ: first move the
    unique field (``shifted``, else the only field) out of the way, then one bulk UPDATE."""
    changed = [row for row, fields in values.items() if any(_value(row, k) != v for k, v in fields.items())]
    if not changed:
        return False
    names = list(next(iter(values.values())))
    unique = shifted or names[0]
    model._default_manager.filter(pk__in=[row.pk for row in changed]).update(**{unique: F(unique) + SHIFT})
    for row in changed:
        for name, value in values[row].items():
            setattr(row, name, value)
    model._default_manager.bulk_update(changed, names)
    return True


def _value(row: models.Model, name: str) -> object:
    value = getattr(row, name)
    return value.pk if isinstance(value, models.Model) else value


def first_unreceived_position() -> Coalesce:
    """For ``Enrolment.objects.….update(next_position=…)``: the position of the first published
    lesson of the enrolment's course that it has not received (a skipped delivery was not
    received), or one past the last published lesson when it has received them all."""
    received = Delivery.objects.filter(enrolment=OuterRef(OuterRef("pk")), lesson=OuterRef("pk")).exclude(
        status=Delivery.Status.SKIPPED
    )
    published = Lesson.objects.published().filter(course=OuterRef("course"))
    first = published.filter(~Exists(received)).order_by("position").values("position")[:1]
    last = published.order_by().values("course").annotate(last=Max("position")).values("last")[:1]
    return Coalesce(Subquery(first), Subquery(last) + 1, Value(1), output_field=models.PositiveIntegerField())


def enrolments_realign(*, course: Course | None = None, enrolment_ids: Sequence[int] | None = None) -> int:
    """The reorder rule: each live enrolment (of ``course``, or these ones) gets as its next lesson
    the first published lesson, in the current order, that it has not received. One UPDATE;
    what was received is not touched, and when a lesson is due does not change."""
    enrolments = Enrolment.objects.filter(status__in=LIVE)
    if course is not None:
        enrolments = enrolments.filter(course=course)
    if enrolment_ids is not None:
        enrolments = enrolments.filter(Among(F("pk"), list(enrolment_ids)))
    return enrolments.update(next_position=first_unreceived_position())
