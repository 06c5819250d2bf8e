"""Groups and lesson threads exist before anyone looks for them.

A course gets its shared group when it is created, an organisation its private
group when it chooses one, and every group a thread for each new lesson. All of
it is idempotent (unique constraints, conflict-ignoring inserts), so the
read-side fallback in services.lesson_thread never races with this.
"""

from django.db.models.signals import post_save
from django.dispatch import receiver

from courses.models import Course, Offering
from discussions.models import Group
from discussions.services import group_ensure, lesson_threads_ensure
from lessons.models import Lesson


@receiver(post_save, sender=Course, dispatch_uid="discussions_course_group")
def course_group(sender: type, instance: Course, created: bool, raw: bool = False, **kwargs: object) -> None:
    if created and not raw:
        group_ensure(course=instance)


@receiver(post_save, sender=Offering, dispatch_uid="discussions_private_group")
def private_group(sender: type, instance: Offering, raw: bool = False, **kwargs: object) -> None:
    if instance.private_group and not raw:
        group_ensure(course=instance.course, organisation=instance.organisation)


@receiver(post_save, sender=Lesson, dispatch_uid="discussions_lesson_threads")
def lesson_threads(sender: type, instance: Lesson, created: bool, raw: bool = False, **kwargs: object) -> None:
    if created and not raw:
        for group in Group.objects.filter(course_id=instance.course_id):
            lesson_threads_ensure(group=group, lessons=Lesson.objects.filter(pk=instance.pk))
