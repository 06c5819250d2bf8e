from django.contrib import admin

from courses.models import Course, Enrolment


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
