"""Read-side queries for the learner's own pages. Every one starts from the signed-in user."""

from django.db.models import Count, F, OuterRef, Prefetch, Q, QuerySet, Value
from django.db.models.functions import Coalesce

from accounts.models import User
from courses.models import Enrolment
from lessons.models import Delivery, Module
from lessons.selectors import published_lesson_count
from organisations.models import Membership


def enrolments_of(*, user: User) -> QuerySet[Enrolment]:
    """This person's enrolments, with course and organisation, and ``lesson_total`` annotated."""
    return (
        Enrolment.objects.filter(membership__user=user)
        .select_related("course", "membership__organisation")
        .annotate(lesson_total=Coalesce(published_lesson_count(OuterRef("course_id")), Value(0)))
        .order_by("-created_at", "pk")
    )


def received_deliveries() -> QuerySet[Delivery]:
    """Lessons that went out, newest first, with the version they carried."""
    return (
        Delivery.objects.filter(status=Delivery.Status.SENT)
        .select_related("version")
        .annotate(module_id=F("lesson__module_id"))
        .only(
            "pk",
            "enrolment_id",
            "position",
            "sent_at",
            "answer",
            "answer_correct",
            "answered_at",
            "completed_at",
            "version__title",
            "version__question",
        )
        .order_by("-position")
    )


def modules_with_counts() -> QuerySet[Module]:
    """Modules in order, each with ``published``: how many of its lessons are published."""
    published = Q(lessons__published=True, lessons__current_version__isnull=False)
    return Module.objects.annotate(published=Count("lessons", filter=published)).order_by("position")


def enrolments_with_received(*, user: User) -> QuerySet[Enrolment]:
    """Enrolments for "my courses", with their certificate and their course's modules: three queries
    however many lessons were received."""
    return (
        enrolments_of(user=user)
        .select_related("certificate")
        .prefetch_related(
            Prefetch("deliveries", queryset=received_deliveries(), to_attr="received"),
            Prefetch("course__modules", queryset=modules_with_counts(), to_attr="outline"),
        )
    )


def memberships_of(*, user: User) -> QuerySet[Membership]:
    return Membership.objects.filter(user=user).select_related("organisation").order_by("organisation__name")


def deliveries_of(*, user: User) -> QuerySet[Delivery]:
    """Every delivery planned for this person, whatever its send status."""
    return (
        Delivery.objects.filter(enrolment__membership__user=user)
        .select_related("version", "enrolment__course")
        .order_by("enrolment_id", "position")
    )
