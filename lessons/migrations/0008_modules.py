"""Modules: every lesson belongs to one. Existing lessons of each course go into one module
named after the course; their order in it is their position, which stays the drip's order."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def lessons_into_one_module_per_course(apps, schema_editor):  # type: ignore[no-untyped-def]
    Course = apps.get_model("courses", "Course")
    Module = apps.get_model("lessons", "Module")
    Lesson = apps.get_model("lessons", "Lesson")
    for course in Course.objects.filter(lessons__isnull=False).distinct():
        module = Module.objects.create(course=course, position=1, slug=course.slug, title=course.title)
        Lesson.objects.filter(course=course).update(module=module, order=models.F("position"))


class Migration(migrations.Migration):
    dependencies = [
        ("courses", "0007_drop_indexes_led_by_unique"),
        ("lessons", "0007_exactly_once"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Module",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("position", models.PositiveIntegerField(verbose_name="position")),
                ("slug", models.SlugField(max_length=120, verbose_name="slug")),
                ("title", models.CharField(max_length=200, verbose_name="title")),
                ("intro", models.TextField(blank=True, verbose_name="introduction")),
                (
                    "course",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="modules", to="courses.course"
                    ),
                ),
            ],
            options={
                "verbose_name": "module",
                "verbose_name_plural": "modules",
                "ordering": ["course", "position"],
                "constraints": [
                    models.UniqueConstraint(fields=("course", "position"), name="one_module_per_position"),
                    models.UniqueConstraint(fields=("course", "slug"), name="unique_module_slug_per_course"),
                ],
            },
        ),
        migrations.AddField(
            model_name="lesson",
            name="module",
            field=models.ForeignKey(
                null=True, on_delete=django.db.models.deletion.PROTECT, related_name="lessons", to="lessons.module"
            ),
        ),
        migrations.AddField(
            model_name="lesson",
            name="order",
            field=models.PositiveIntegerField(null=True, verbose_name="order in the module"),
        ),
        migrations.AddField(
            model_name="lesson",
            name="published",
            field=models.BooleanField(default=True, verbose_name="published"),
        ),
        migrations.AddField(
            model_name="lessonversion",
            name="created_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.RunPython(lessons_into_one_module_per_course, migrations.RunPython.noop),
    ]
