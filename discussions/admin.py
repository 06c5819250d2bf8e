from django.contrib import admin

from discussions.models import Group, Post, Report, Thread


@admin.register(Group)
class GroupAdmin(admin.ModelAdmin):
    list_display = ["course", "organisation", "created_at"]
    list_select_related = ["course", "organisation"]


@admin.register(Thread)
class ThreadAdmin(admin.ModelAdmin):
    list_display = ["pk", "group", "lesson", "title", "locked_at"]
    list_select_related = ["group__course", "group__organisation", "lesson"]
    raw_id_fields = ["group", "lesson", "author"]


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = ["pk", "thread", "author_is_trainer", "created_at", "hidden_at", "deleted_at", "is_answer"]
    raw_id_fields = ["thread", "parent", "author", "author_organisation"]
    list_filter = ["author_is_trainer", "pinned", "is_answer"]


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ["pk", "post", "created_at", "resolved_at"]
    raw_id_fields = ["post", "reporter"]
