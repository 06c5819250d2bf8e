from django.contrib import admin
from django.http import HttpRequest

from courses.models import Certificate, Course, CourseTrainer, Enrolment, Reminder
from courses.services import course_trainer_add


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "language", "send_time"]
    search_fields = ["title", "slug"]


@admin.register(CourseTrainer)
class CourseTrainerAdmin(admin.ModelAdmin):
    """Who trains which course; saving one also marks the person as a possible trainer."""

    list_display = ["user", "course", "created_at"]
    list_filter = ["course"]
    search_fields = ["user__email", "user__first_name", "user__last_name", "course__title", "course__slug"]
    raw_id_fields = ["user"]
    fields = ["course", "user"]

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False  # add or remove a trainer; there is nothing to edit on the row

    def save_model(self, request: HttpRequest, obj: CourseTrainer, form: object, change: bool) -> None:
        obj.pk = course_trainer_add(course=obj.course, user=obj.user).pk


@admin.register(Enrolment)
class EnrolmentAdmin(admin.ModelAdmin):
    list_display = ["membership", "course", "status", "next_position", "next_due_at", "lessons_completed"]
    list_filter = ["status", "course", "membership__organisation"]
    search_fields = ["membership__user__email"]
    raw_id_fields = ["membership"]


class _RecordAdmin(admin.ModelAdmin):
    """Rows the system writes as claims and proofs: to look at, not to edit."""

    raw_id_fields = ["enrolment"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Reminder)
class ReminderAdmin(_RecordAdmin):
    list_display = ["enrolment", "week", "created_at"]
    list_filter = ["week"]
    search_fields = ["enrolment__membership__user__email"]


@admin.register(Certificate)
class CertificateAdmin(_RecordAdmin):
    list_display = ["enrolment", "issued_at", "mailed_at"]
    list_filter = ["enrolment__course", "enrolment__membership__organisation"]
    search_fields = ["enrolment__membership__user__email"]
