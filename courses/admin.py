from django.contrib import admin
from django.http import HttpRequest

from courses.models import Certificate, Course, Enrolment, Reminder


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "language", "send_time"]
    search_fields = ["title", "slug"]


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
