"""The course's discussion group: groups, threads (one per lesson, plus free ones), posts, reports."""

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from courses.models import Course
from lessons.models import Lesson
from organisations.models import Organisation

# Authors may change their words this long after posting.
EDIT_WINDOW = dt.timedelta(minutes=15)


class Group(models.Model):
    """One closed group per course; an organisation may take a private one instead.

    ``organisation`` empty: the course-wide group, shared by every organisation
    that has not chosen a private group.
    """

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="discussion_groups")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, null=True, blank=True, related_name="discussion_groups"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("discussion group")
        verbose_name_plural = _("discussion groups")
        constraints = [
            models.UniqueConstraint(
                fields=["course"], condition=models.Q(organisation__isnull=True), name="one_shared_group_per_course"
            ),
            models.UniqueConstraint(fields=["course", "organisation"], name="one_private_group_per_organisation"),
        ]

    def __str__(self) -> str:
        return f"{self.course} ({self.organisation or _('all organisations')})"

    @property
    def is_private(self) -> bool:
        return self.organisation_id is not None


class Thread(models.Model):
    """A lesson's thread (``lesson`` set, one per group) or a free thread a learner opened."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="threads")
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, null=True, blank=True, related_name="threads")
    title = models.CharField(_("title"), max_length=200, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    locked_at = models.DateTimeField(_("locked"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("thread")
        verbose_name_plural = _("threads")
        constraints = [
            models.UniqueConstraint(
                fields=["group", "lesson"], condition=models.Q(lesson__isnull=False), name="one_thread_per_lesson"
            ),
            models.CheckConstraint(
                condition=models.Q(lesson__isnull=False) | ~models.Q(title=""), name="free_thread_has_title"
            ),
        ]

    def __str__(self) -> str:
        return self.title or f"lesson {self.lesson_id}"

    @property
    def is_locked(self) -> bool:
        return self.locked_at is not None


class Post(models.Model):
    """A post or (one level deep) a reply. Markdown in, sanitised HTML stored once."""

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="posts")
    parent = models.ForeignKey("self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies")
    # Kept when a person is erased: the conversation stays readable, the name goes.
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    # The organisation shown beside the name, fixed when posting (a person may belong to several).
    author_organisation = models.ForeignKey(
        Organisation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    author_is_trainer = models.BooleanField(default=False)
    body_markdown = models.TextField(_("text"))
    body_html = models.TextField(editable=False)
    created_at = models.DateTimeField()
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    pinned = models.BooleanField(_("pinned"), default=False)
    hidden_at = models.DateTimeField(_("hidden"), null=True, blank=True)
    hidden_reason = models.CharField(_("reason for hiding"), max_length=300, blank=True)
    is_answer = models.BooleanField(_("trainer's answer"), default=False)

    class Meta:
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        indexes = [models.Index(fields=["thread", "created_at"], name="post_thread_time")]
        constraints = [
            # Only a reply can be the answer, and a question has one answer.
            models.CheckConstraint(
                condition=models.Q(is_answer=False) | models.Q(parent__isnull=False), name="answer_is_a_reply"
            ),
            models.UniqueConstraint(
                fields=["parent"], condition=models.Q(is_answer=True), name="one_answer_per_question"
            ),
        ]

    def __str__(self) -> str:
        return f"post {self.pk} in {self.thread_id}"

    @property
    def is_visible(self) -> bool:
        return self.hidden_at is None and self.deleted_at is None

    @property
    def author_name(self) -> str:
        """The name shown: never the email address, nor part of it."""
        if self.author is None:
            return str(_("Former participant"))
        return self.author.get_full_name() or str(_("Participant"))

    def editable_until(self) -> dt.datetime:
        return self.created_at + EDIT_WINDOW


class Report(models.Model):
    """A member flags a post for the trainers. One open report per (post, reporter)."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    created_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        constraints = [models.UniqueConstraint(fields=["post", "reporter"], name="one_report_per_reporter")]

    def __str__(self) -> str:
        return f"report {self.pk} on {self.post_id}"


class Notification(models.Model):
    """A reply someone should hear about, collected for their daily digest."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField()
    digested_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [models.UniqueConstraint(fields=["recipient", "post"], name="one_notification_per_post")]
        indexes = [
            models.Index(fields=["recipient"], condition=models.Q(digested_at__isnull=True), name="notification_due")
        ]

    def __str__(self) -> str:
        return f"notification {self.pk}"


class DiscussionDigestSent(models.Model):
    """The claim for one digest mail: unique per (person, kind, local day), so at most one a day."""

    class Kind(models.TextChoices):
        REPLIES = "replies", _("replies to you")
        UNANSWERED = "unanswered", _("unanswered questions")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    day = models.DateField()
    sent_at = models.DateTimeField()

    class Meta:
        verbose_name = _("discussion digest")
        verbose_name_plural = _("discussion digests")
        constraints = [models.UniqueConstraint(fields=["user", "kind", "day"], name="one_discussion_digest_a_day")]

    def __str__(self) -> str:
        return f"{self.kind} digest {self.day}"


class DigestOptOut(models.Model):
    """Someone who unsubscribed from a discussion digest."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=DiscussionDigestSent.Kind.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("digest opt-out")
        verbose_name_plural = _("digest opt-outs")
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="one_opt_out_per_kind")]

    def __str__(self) -> str:
        return f"{self.user_id} opted out of {self.kind}"
