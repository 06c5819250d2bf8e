"""Fill the trainer's counters once from the history that came before them.

``delivered`` counts every delivery SendGrid confirmed; the answer and weekly
counts take only completions the fold already counted (``counted_at`` set), as
the fold adds the others when it reaches them.
"""

import datetime as dt
import zoneinfo
from collections import Counter

from django.db import migrations
from django.db.models import Count

CHUNK = 5000


def backfill(apps, schema_editor):
    Delivery = apps.get_model("lessons", "Delivery")
    LessonStats = apps.get_model("lessons", "LessonStats")
    AnswerCount = apps.get_model("lessons", "AnswerCount")
    Weekly = apps.get_model("lessons", "WeeklyLessonCompletion")
    organisation = "enrolment__membership__organisation_id"
    delivered = (
        Delivery.objects.filter(delivered_at__isnull=False)
        .values_list(organisation, "lesson_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for organisation_id, lesson_id, n in delivered:
        LessonStats.objects.filter(organisation_id=organisation_id, lesson_id=lesson_id).update(delivered=n)
    counted = Delivery.objects.filter(counted_at__isnull=False, completed_at__isnull=False)
    answers = counted.filter(answer__isnull=False).values_list(organisation, "lesson_id", "answer")
    AnswerCount.objects.bulk_create(
        [
            AnswerCount(organisation_id=org, lesson_id=lesson, option=option, chosen=n)
            for org, lesson, option, n in answers.annotate(n=Count("pk")).order_by()
        ],
        batch_size=CHUNK,
    )
    weeks: Counter = Counter()
    zones: dict = {}
    rows = counted.values_list(organisation, "enrolment__membership__organisation__timezone", "lesson_id", "completed_at")
    for org, timezone, lesson, completed_at in rows.iterator(chunk_size=CHUNK):
        zone = zones.setdefault(timezone, zoneinfo.ZoneInfo(timezone))
        day = completed_at.astimezone(zone).date()
        weeks[(org, lesson, day - dt.timedelta(days=day.weekday()))] += 1
    Weekly.objects.bulk_create(
        [Weekly(organisation_id=org, lesson_id=lesson, week=week, completed=n) for (org, lesson, week), n in weeks.items()],
        batch_size=CHUNK,
    )


def forget(apps, schema_editor):
    apps.get_model("lessons", "AnswerCount").objects.all().delete()
    apps.get_model("lessons", "WeeklyLessonCompletion").objects.all().delete()
    apps.get_model("lessons", "LessonStats").objects.update(delivered=0)


class Migration(migrations.Migration):
    dependencies = [("lessons", "0010_analytics_counters")]

    operations = [migrations.RunPython(backfill, forget)]
