"""Read-side queries for the learner's pages."""

from django.core.cache import cache
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.http import Http404

from lessons.models import Delivery, Lesson
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


# The lesson pages show "lesson 7 of 150" on every request; the count only
# changes when a course folder is imported, which drops the cached value.
_COUNT_SECONDS = 300


def _count_key(course_id: int) -> str:
    return f"druppel:course-lessons:{course_id}"


def published_lesson_count(course: OuterRef) -> Subquery:
    """The course's published lessons, counted inside another query (``course`` names the course column)."""
    published = Lesson.objects.filter(course=course, current_version__isnull=False).order_by()
    return Subquery(published.values("course").annotate(n=Count("pk")).values("n")[:1], output_field=IntegerField())


def course_lesson_count(course_id: int) -> int:
    """Published lessons of a course, exact: for decisions such as issuing a certificate."""
    return Lesson.objects.filter(course_id=course_id, current_version__isnull=False).count()


def course_lesson_count_for_display(course_id: int) -> int:
    """The same count, cached briefly: for progress lines and bars on the hot pages."""
    count = cache.get(_count_key(course_id))
    if count is None:
        count = course_lesson_count(course_id)
        cache.set(_count_key(course_id), count, _COUNT_SECONDS)
    return int(count)


def course_lesson_count_forget(course_id: int) -> None:
    cache.delete(_count_key(course_id))
