"""Courses and private groups that existed before the discussion group get their groups and lesson threads."""

from django.db import migrations


def create_groups(apps, schema_editor):
    Course = apps.get_model("courses", "Course")
    Offering = apps.get_model("courses", "Offering")
    Lesson = apps.get_model("lessons", "Lesson")
    Group = apps.get_model("discussions", "Group")
    Thread = apps.get_model("discussions", "Thread")
    wanted = [(pk, None) for pk in Course.objects.values_list("pk", flat=True)]
    wanted += list(Offering.objects.filter(private_group=True).values_list("course_id", "organisation_id"))
    for course_id, organisation_id in wanted:
        group, _ = Group.objects.get_or_create(course_id=course_id, organisation_id=organisation_id)
        lessons = Lesson.objects.filter(course_id=course_id).values_list("pk", flat=True)
        Thread.objects.bulk_create([Thread(group=group, lesson_id=pk) for pk in lessons], ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [("discussions", "0001_initial")]

    operations = [migrations.RunPython(create_groups, migrations.RunPython.noop)]
