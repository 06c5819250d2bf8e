"""Lessons, their versions, and the deliveries that carry them to learners."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from courses.models import Course, Enrolment
from organisations.models import Organisation


class Module(models.Model):
    """A chapter of a course (for example one a month): a title, a short intro and a place in the order."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="modules")
    position = models.PositiveIntegerField(_("position"))
    slug = models.SlugField(_("slug"), max_length=120)
    title = models.CharField(_("title"), max_length=200)
    intro = models.TextField(_("introduction"), blank=True)

    class Meta:
        verbose_name = _("module")
        verbose_name_plural = _("modules")
        ordering = ["course", "position"]
        constraints = [
            models.UniqueConstraint(fields=["course", "position"], name="one_module_per_position"),
            models.UniqueConstraint(fields=["course", "slug"], name="unique_module_slug_per_course"),
        ]

    def __str__(self) -> str:
        return f"{self.position:02d} {self.title}"


class LessonQuerySet(models.QuerySet["Lesson"]):
    def published(self) -> "LessonQuerySet":
        """Lessons the drip sends: published, with a version to send."""
        return self.filter(published=True, current_version__isnull=False)


class Lesson(models.Model):
    """A place in a course. What it says lives in its versions.

    ``module`` and ``order`` (within the module) are the course order the trainer sees.
    ``position`` is the drip's: the published lessons in course order are 1 … P, the
    unpublished ones follow (P+1 …). lessons/outline.py keeps the two in step.
    """

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="lessons")
    module = models.ForeignKey(Module, on_delete=models.PROTECT, related_name="lessons")
    order = models.PositiveIntegerField(_("order in the module"))
    position = models.PositiveIntegerField(_("position"))
    slug = models.SlugField(_("slug"), max_length=120)
    # Unpublished: no longer sent to anyone who has not received it; kept for those who have.
    published = models.BooleanField(_("published"), default=True)
    current_version = models.ForeignKey(
        "LessonVersion", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = LessonQuerySet.as_manager()

    class Meta:
        verbose_name = _("lesson")
        verbose_name_plural = _("lessons")
        ordering = ["course", "position"]
        constraints = [
            models.UniqueConstraint(fields=["course", "position"], name="one_lesson_per_position"),
            models.UniqueConstraint(fields=["course", "slug"], name="unique_lesson_slug_per_course"),
            models.UniqueConstraint(fields=["module", "order"], name="one_lesson_per_module_order"),
        ]

    def __str__(self) -> str:
        return f"{self.position:03d} {self.slug}"

    @property
    def is_sendable(self) -> bool:
        return self.published and self.current_version_id is not None


class LessonVersion(models.Model):
    """An immutable edition of a lesson. A delivery points at the one it sent."""

    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    title = models.CharField(_("title"), max_length=200)
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    body_markdown = models.TextField(_("body (Markdown)"))
    # Rendered and sanitised once, when the version is saved.
    body_html = models.TextField(editable=False)
    # The same as readable plain text, for a mail's text part (lessons/plaintext.py).
    body_text = models.TextField(editable=False, default="")
    # {"prompt": str, "options": [str], "correct": int (0-based), "explanation": str} or {}.
    question = models.JSONField(default=dict, blank=True)
    checksum = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    # Who saved it (the web editor); empty for a folder import.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("lesson version")
        verbose_name_plural = _("lesson versions")
        constraints = [models.UniqueConstraint(fields=["lesson", "number"], name="unique_version_number")]

    def __str__(self) -> str:
        return f"{self.title} (v{self.number})"

    @property
    def has_question(self) -> bool:
        return bool(self.question.get("options"))

    @property
    def options(self) -> list[str]:
        return list(self.question.get("options", []))

    def is_correct(self, option: int) -> bool:
        return self.has_question and option == self.question.get("correct")


class SendBatch(models.Model):
    """Up to 1,000 deliveries of one lesson version, sent in one provider request.

    The state machine (see docs/architecture.md):
    queued -> sending -> sent | waiting | unknown | failed; waiting -> sending
    (a retry after a 429 or 5xx); a rejected batch of several deliveries is split
    into two queued children.

    ``attempt_started_at`` is set, and committed, before a request leaves, and
    cleared only by a definite answer. A claim that finds it set does not send:
    the request may have been accepted, so the batch goes to reconciliation.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        SENDING = "sending", _("sending")
        # The provider answered 429 or 5xx: nothing was accepted; a retry is due at ``retry_at``.
        WAITING = "waiting", _("waiting to retry")
        SENT = "sent", _("sent")
        UNKNOWN = "unknown", _("outcome unknown")
        FAILED = "failed", _("failed")
        SPLIT = "split", _("split to isolate an error")

    version = models.ForeignKey(LessonVersion, on_delete=models.PROTECT, related_name="batches")
    parent = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="children")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    size = models.PositiveIntegerField(default=0)
    claim_token = models.UUIDField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    # Set before a request leaves, cleared by a definite answer: an attempt in flight.
    attempt_started_at = models.DateTimeField(null=True, blank=True)
    retry_at = models.DateTimeField(null=True, blank=True)
    message_id = models.CharField(max_length=100, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField()
    queued_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    # Set when an unknown batch that no provider event ever confirmed was sent again (once only).
    resent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("send batch")
        verbose_name_plural = _("send batches")
        indexes = [
            models.Index(
                fields=["status", "queued_at"],
                condition=models.Q(status__in=["queued", "sending", "waiting", "unknown"]),
                name="batch_unfinished",
            )
        ]

    def __str__(self) -> str:
        return f"batch {self.pk} ({self.status}, {self.size})"

    @staticmethod
    def new_claim_token() -> uuid.UUID:
        return uuid.uuid4()


class Delivery(models.Model):
    """One lesson for one enrolment. Unique: a lesson is sent to an enrolment at most once."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        SENDING = "sending", _("sending")
        SENT = "sent", _("sent")
        UNKNOWN = "unknown", _("outcome unknown")
        FAILED = "failed", _("failed")
        # Left out of the request: the learner had left, paused or is suppressed (``error`` says why).
        SKIPPED = "skipped", _("not sent")

    # No index of its own: the unique (enrolment, lesson) constraint's index leads with it.
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="deliveries", db_index=False)
    lesson = models.ForeignKey(Lesson, on_delete=models.PROTECT, related_name="deliveries")
    version = models.ForeignKey(LessonVersion, on_delete=models.PROTECT, related_name="deliveries")
    batch = models.ForeignKey(SendBatch, on_delete=models.SET_NULL, null=True, blank=True, related_name="deliveries")
    position = models.PositiveIntegerField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    message_id = models.CharField(max_length=100, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    # Filled by SendGrid open events and "mark as read" (a later issue); shown already.
    delivered_at = models.DateTimeField(null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    # Apple Mail Privacy Protection fetches images for every mail: not a human open.
    machine_opened_at = models.DateTimeField(null=True, blank=True)
    clicked_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    answer = models.PositiveSmallIntegerField(null=True, blank=True)
    answer_correct = models.BooleanField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    # When the completion was added to the aggregates (lessons/folding.py): the
    # answer POST only records the fact, the fold counts it a few seconds later.
    counted_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [models.UniqueConstraint(fields=["enrolment", "lesson"], name="one_delivery_per_lesson")]
        indexes = [
            # The fold's only scan: completions not yet counted.
            models.Index(
                fields=["completed_at"],
                condition=models.Q(completed_at__isnull=False, counted_at__isnull=True),
                name="delivery_uncounted",
            )
        ]

    def __str__(self) -> str:
        return f"delivery {self.pk} ({self.status})"


class SendAttempt(models.Model):
    """One provider request for a batch: recorded before it leaves, finished by its answer.

    An attempt without ``finished_at`` whose batch is no longer held is one whose
    outcome nobody saw (a crash, a timeout, a lost database write).
    """

    class Outcome(models.TextChoices):
        ACCEPTED = "accepted", _("accepted")
        RETRY = "retry", _("refused for now (429, 5xx, no connection)")
        REJECTED = "rejected", _("rejected (400, 413)")
        REFUSED = "refused", _("credentials refused (401, 403)")
        UNKNOWN = "unknown", _("no answer")

    batch = models.ForeignKey(SendBatch, on_delete=models.CASCADE, related_name="send_attempts")
    number = models.PositiveIntegerField()
    # The claim that made it: its holder's answer is written to this row, whatever else marked it.
    token = models.UUIDField()
    recipients = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=16, choices=Outcome.choices, blank=True)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("send attempt")
        verbose_name_plural = _("send attempts")
        constraints = [models.UniqueConstraint(fields=["batch", "number"], name="one_attempt_per_number")]
        indexes = [models.Index(fields=["started_at"], name="attempt_started")]

    def __str__(self) -> str:
        return f"attempt {self.number} of batch {self.batch_id}: {self.outcome or 'in flight'}"


class Heartbeat(models.Model):
    """When a periodic job last ran (the drip tick): /healthz reports its age."""

    name = models.CharField(max_length=50, primary_key=True)
    beat_at = models.DateTimeField()

    class Meta:
        verbose_name = _("heartbeat")
        verbose_name_plural = _("heartbeats")

    def __str__(self) -> str:
        return f"{self.name} @ {self.beat_at.isoformat()}"


# Stored aggregates. Dashboards read these instead of scanning delivery history;
# lessons/stats.py keeps them current in the same transaction as the change.


class LessonStats(models.Model):
    """How one organisation's staff fared with one lesson: the funnel sent → opened → read → completed.

    ``sent`` counts planned deliveries, like ``Enrolment.lessons_sent``.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="lesson_stats")
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="stats")
    sent = models.PositiveIntegerField(default=0)
    # SendGrid's "delivered" events, counted once per delivery by the webhook (drip/events.py).
    delivered = models.PositiveIntegerField(default=0, db_default=0)
    opened = models.PositiveIntegerField(default=0)
    read = models.PositiveIntegerField(default=0)
    completed = models.PositiveIntegerField(default=0)
    correct = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("lesson statistics")
        verbose_name_plural = _("lesson statistics")
        constraints = [models.UniqueConstraint(fields=["organisation", "lesson"], name="one_stats_per_org_lesson")]

    def __str__(self) -> str:
        return f"{self.lesson} @ {self.organisation_id}: {self.sent}/{self.completed}"


class EnrolmentStats(models.Model):
    """Per-enrolment counters that Enrolment itself does not carry (it has sent and completed).

    A row appears with an enrolment's first open, read or correct answer; none means zero.
    """

    enrolment = models.OneToOneField(Enrolment, on_delete=models.CASCADE, primary_key=True, related_name="stats")
    opened = models.PositiveIntegerField(default=0)
    read = models.PositiveIntegerField(default=0)
    correct = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("enrolment statistics")
        verbose_name_plural = _("enrolment statistics")

    def __str__(self) -> str:
        return f"enrolment {self.enrolment_id}: {self.opened}/{self.read}"


class DailyCompletion(models.Model):
    """Lessons completed per organisation, course and local day: the completion-over-time chart."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="daily_completions")
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="daily_completions")
    day = models.DateField()
    completed = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("daily completions")
        verbose_name_plural = _("daily completions")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "course", "day"], name="one_completion_count_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.day}: {self.completed}"


# The trainer's figures that LessonStats cannot hold (lessons/tallies.py).
from lessons.tallies import AnswerCount, WeeklyLessonCompletion  # noqa: E402, F401
