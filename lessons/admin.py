"""Lessons, their versions and modules in the Django admin, for platform staff.

The order of a course and what it says change only through the authoring services (the
folder import, the studio), which keep the drip's order and the learners' next lessons
right; so here lessons and versions are to look at. Publishing and unpublishing are
actions that call those services, and a module's title and intro can be edited.
"""

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from lessons.authoring import lesson_publish, module_update
from lessons.models import Lesson, LessonVersion, Module


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class VersionInline(admin.TabularInline):
    model = LessonVersion
    fields = ["number", "title", "summary", "created_at", "created_by"]
    readonly_fields = ["number", "title", "summary", "created_at", "created_by"]
    extra = 0
    ordering = ["-number"]
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Lesson)
class LessonAdmin(_ReadOnly):
    list_display = ["position", "slug", "title", "module", "course", "published"]
    list_filter = ["published", "course"]
    search_fields = ["slug", "current_version__title", "module__title", "course__title", "course__slug"]
    list_select_related = ["current_version", "module", "course"]
    readonly_fields = ["course", "module", "order", "position", "slug", "published", "current_version"]
    inlines = [VersionInline]
    actions = ["publish", "unpublish"]

    @admin.display(description=_("title"), ordering="current_version__title")
    def title(self, lesson: Lesson) -> str:
        return lesson.current_version.title if lesson.current_version else ""

    def has_publish_permission(self, request: HttpRequest) -> bool:
        # The lesson itself is not edited here; publishing goes through the authoring service.
        return request.user.has_perm("lessons.change_lesson")

    @admin.action(description=_("Publish the selected lessons"), permissions=["publish"])
    def publish(self, request: HttpRequest, queryset: QuerySet[Lesson]) -> None:
        self._publish(request, queryset, published=True)

    @admin.action(description=_("Unpublish the selected lessons"), permissions=["publish"])
    def unpublish(self, request: HttpRequest, queryset: QuerySet[Lesson]) -> None:
        self._publish(request, queryset, published=False)

    def _publish(self, request: HttpRequest, queryset: QuerySet[Lesson], *, published: bool) -> None:
        changed = sum(lesson_publish(lesson=lesson, published=published) for lesson in queryset)
        message = ngettext("%(count)d lesson changed.", "%(count)d lessons changed.", changed)
        self.message_user(request, message % {"count": changed}, messages.SUCCESS)


_VERSION_FIELDS = (
    "lesson", "number", "title", "summary", "body_markdown", "question", "checksum", "created_at", "created_by"
)  # fmt: skip


@admin.register(LessonVersion)
class LessonVersionAdmin(_ReadOnly):
    """Versions are immutable: a delivery keeps the one it went out with."""

    list_display = ["title", "number", "lesson", "created_at", "created_by"]
    list_filter = ["lesson__course"]
    search_fields = ["title", "summary", "body_markdown", "lesson__slug", "lesson__course__title"]
    list_select_related = ["lesson", "created_by"]
    fields = _VERSION_FIELDS
    readonly_fields = _VERSION_FIELDS


@admin.register(Module)
class ModuleAdmin(admin.ModelAdmin):
    list_display = ["position", "title", "slug", "course"]
    list_filter = ["course"]
    search_fields = ["title", "slug", "intro", "course__title", "course__slug"]
    list_select_related = ["course"]
    fields = ["course", "position", "slug", "title", "intro"]
    readonly_fields = ["course", "position", "slug"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # modules are made in the studio or a course folder

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Module, form: object, change: bool) -> None:
        module_update(module=obj, title=obj.title, intro=obj.intro)
