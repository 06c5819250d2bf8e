"""Stored aggregates for the trainer's course analytics, beside LessonStats.

Both are kept by the fold (progress/folding.py) in the batch that counts a
completion into LessonStats, so they move exactly once per completion.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from organisations.models import Organisation


class AnswerCount(models.Model):
    """How many of one organisation's learners chose one option (0-based) of one lesson's question."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="answer_counts")
    lesson = models.ForeignKey("lessons.Lesson", on_delete=models.CASCADE, related_name="answer_counts")
    option = models.PositiveSmallIntegerField()
    chosen = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("answer count")
        verbose_name_plural = _("answer counts")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "lesson", "option"], name="one_count_per_org_lesson_option")
        ]

    def __str__(self) -> str:
        return f"{self.lesson_id} @ {self.organisation_id}: option {self.option + 1} × {self.chosen}"


class WeeklyLessonCompletion(models.Model):
    """Completions of one lesson by one organisation's learners in one week (its local Monday)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="weekly_completions")
    lesson = models.ForeignKey("lessons.Lesson", on_delete=models.CASCADE, related_name="weekly_completions")
    week = models.DateField()
    completed = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("weekly lesson completions")
        verbose_name_plural = _("weekly lesson completions")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "lesson", "week"], name="one_count_per_org_lesson_week")
        ]

    def __str__(self) -> str:
        return f"{self.lesson_id} @ {self.organisation_id}, week of {self.week}: {self.completed}"
