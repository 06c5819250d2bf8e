"""Each lesson version's body as readable plain text (the text part of its mail), filled in for
the versions that exist."""

from django.db import migrations, models


def fill(apps, schema_editor):
    from lessons.plaintext import markdown_text

    LessonVersion = apps.get_model("lessons", "LessonVersion")
    changed = []
    for version in LessonVersion.objects.only("pk", "body_markdown").iterator(chunk_size=500):
        version.body_text = markdown_text(version.body_markdown)
        changed.append(version)
        if len(changed) >= 500:
            LessonVersion.objects.bulk_update(changed, ["body_text"])
            changed = []
    if changed:
        LessonVersion.objects.bulk_update(changed, ["body_text"])


class Migration(migrations.Migration):
    dependencies = [("lessons", "0011_backfill_analytics_counters")]

    operations = [
        migrations.AddField(
            model_name="lessonversion",
            name="body_text",
            field=models.TextField(default="", editable=False),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
    ]
