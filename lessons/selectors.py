"""Read-side queries for the learner's pages."""

from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.http import Http404

from lessons.models import Delivery, Lesson, Module
from lessons.tokens import delivery_id_from_token


def delivery_from_token(token: str) -> Delivery:
    """The delivery a signed mail link points at, or 404 for a bad or forged token."""
    delivery_id = delivery_id_from_token(token)
    if delivery_id is None:
        raise Http404("This link is not valid.")
    try:
        # Only what the pages show. Each joined table costs PostgreSQL planning time on every
        # request: the seven-table join this used to be took 4.5 ms, this one 1.2 ms
        # (docs/performance.md). Flows that need the organisation load it themselves.
        return Delivery.objects.select_related("version", "enrolment__course").get(pk=delivery_id)
    except Delivery.DoesNotExist:
        raise Http404("This link is not valid.") from None


# The lesson pages show "lesson 7 of 150" and "Module 3 · Reageren · lesson 2 of 12" on every
# request; both only change when the course's order changes (lessons/outline.py), which drops
# the cached places.
_PLACES_SECONDS = 300


def _places_key(course_id: int) -> str:
    return f"druppel:course-places:{course_id}"


def published_lesson_count(course: OuterRef) -> Subquery:
    """The course's published lessons, counted inside another query (``course`` names the course column)."""
    published = Lesson.objects.published().filter(course=course).order_by()
    return Subquery(published.values("course").annotate(n=Count("pk")).values("n")[:1], output_field=IntegerField())


def course_lesson_count(course_id: int) -> int:
    """Published lessons of a course, exact: for decisions such as issuing a certificate."""
    return Lesson.objects.published().filter(course_id=course_id).count()


@dataclass(frozen=True)
class LessonPlace:
    """Where a published lesson sits: "Module 3 · Reageren · lesson 2 of 12"."""

    module_number: int
    module_title: str
    index: int  # among the module's published lessons, from 1
    count: int  # the module's published lessons
    modules: int  # the course's modules: with only one, the place is not worth showing

    @property
    def shown(self) -> bool:
        return self.modules > 1


@dataclass(frozen=True)
class CoursePlaces:
    total: int  # published lessons
    modules: dict[int, tuple[int, str, int]]  # module -> (number, title, published lessons)
    lessons: dict[int, tuple[int, int]]  # published lesson -> (module, index in it)

    def place(self, lesson_id: int) -> LessonPlace | None:
        if lesson_id not in self.lessons:
            return None  # unpublished since it was sent
        module_id, index = self.lessons[lesson_id]
        number, title, count = self.modules[module_id]
        return LessonPlace(number, title, index, count, len(self.modules))


def course_places(course_id: int) -> CoursePlaces:
    """The published lessons' places, from one query."""
    rows = (
        Lesson.objects.published()
        .filter(course_id=course_id)
        .order_by("position")
        .values_list("pk", "module_id", "module__position", "module__title")
    )
    modules: dict[int, tuple[int, str, int]] = {}
    lessons: dict[int, tuple[int, int]] = {}
    for pk, module_id, number, title in rows:
        count = modules[module_id][2] + 1 if module_id in modules else 1
        modules[module_id] = (number, title, count)
        lessons[pk] = (module_id, count)
    return CoursePlaces(total=len(lessons), modules=modules, lessons=lessons)


def course_places_for_display(course_id: int) -> CoursePlaces:
    """The same places, cached briefly: for progress lines on the hot pages."""
    places = cache.get(_places_key(course_id))
    if places is None:
        places = course_places(course_id)
        cache.set(_places_key(course_id), places, _PLACES_SECONDS)
    return places


def course_places_forget(course_id: int) -> None:
    cache.delete(_places_key(course_id))


def lesson_place_of(lesson: Lesson, *, index: int, count: int, modules: int) -> LessonPlace | None:
    """A lesson's place from the counts that :func:`lesson_place_counts` annotates."""
    if not lesson.is_sendable:
        return None
    return LessonPlace(lesson.module.position, lesson.module.title, index, count, modules)


def lesson_place_counts(lesson: str) -> tuple[Subquery, Subquery, Subquery]:
    """Subqueries for a query that reaches a lesson through ``lesson`` (e.g. "version__lesson"): its
    index among its module's published lessons, their count, and the course's module count."""
    module = Lesson.objects.published().filter(module=OuterRef(f"{lesson}__module")).order_by()
    count = module.values("module").annotate(n=Count("pk")).values("n")[:1]
    before = module.filter(position__lte=OuterRef(f"{lesson}__position"))
    index = before.values("module").annotate(n=Count("pk")).values("n")[:1]
    modules = Module.objects.filter(course=OuterRef(f"{lesson}__course")).order_by()
    return (
        Subquery(index, output_field=IntegerField()),
        Subquery(count, output_field=IntegerField()),
        Subquery(modules.values("course").annotate(n=Count("pk")).values("n")[:1], output_field=IntegerField()),
    )
