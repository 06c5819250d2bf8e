"""Fill the stored counters from the delivery history that existed before them."""

import zoneinfo
from collections import Counter

from django.db import migrations
from django.db.models import Count, Q


def backfill(apps, schema_editor):
    Delivery = apps.get_model("lessons", "Delivery")
    LessonStats = apps.get_model("lessons", "LessonStats")
    EnrolmentStats = apps.get_model("lessons", "EnrolmentStats")
    DailyCompletion = apps.get_model("lessons", "DailyCompletion")
    funnel = (
        Delivery.objects.values("enrolment__membership__organisation_id", "lesson_id")
        .annotate(
            sent=Count("pk"),
            completed=Count("pk", filter=Q(completed_at__isnull=False)),
            correct=Count("pk", filter=Q(answer_correct=True)),
        )
        .order_by()
    )
    LessonStats.objects.bulk_create(
        [
            LessonStats(
                organisation_id=row["enrolment__membership__organisation_id"],
                lesson_id=row["lesson_id"],
                sent=row["sent"],
                completed=row["completed"],
                correct=row["correct"],
            )
            for row in funnel
        ],
        batch_size=1000,
    )
    correct = Delivery.objects.filter(answer_correct=True).values("enrolment_id").annotate(n=Count("pk")).order_by()
    EnrolmentStats.objects.bulk_create(
        [EnrolmentStats(enrolment_id=row["enrolment_id"], correct=row["n"]) for row in correct], batch_size=1000
    )
    days = Counter()
    completed = Delivery.objects.filter(completed_at__isnull=False).values_list(
        "enrolment__membership__organisation_id", "enrolment__membership__organisation__timezone",
        "enrolment__course_id", "completed_at",
    )
    for organisation_id, timezone, course_id, at in completed.iterator(chunk_size=5000):
        days[(organisation_id, course_id, at.astimezone(zoneinfo.ZoneInfo(timezone)).date())] += 1
    DailyCompletion.objects.bulk_create(
        [DailyCompletion(organisation_id=o, course_id=c, day=d, completed=n) for (o, c, d), n in days.items()],
        batch_size=1000,
    )


class Migration(migrations.Migration):
    dependencies = [("lessons", "0002_progress_counters")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
