"""Courses and the enrolments that drip them to people."""

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from courses.slots import WEEKDAY_CODES, Calendar, make_calendar
from organisations.models import Membership, Organisation


def default_weekdays() -> list[int]:
    return [0, 2, 4]  # Monday, Wednesday, Friday


class Course(models.Model):
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), unique=True)
    language = models.CharField(_("language"), max_length=8, default="nl")
    description = models.TextField(_("description"), blank=True)
    weekdays = models.JSONField(_("weekdays"), default=default_weekdays, help_text=_("0 = Monday … 6 = Sunday"))
    send_time = models.TimeField(_("send time"), default=dt.time(8, 30))
    group_name = models.CharField(_("discussion group"), max_length=200, blank=True)
    group_intro = models.TextField(_("discussion group introduction"), blank=True)
    external_group_url = models.URLField(_("external group link"), blank=True)
    reminder_every_days = models.PositiveSmallIntegerField(
        _("reminder every (days)"),
        default=7,
        help_text=_("At most one reminder per learner this often; 0 = no reminders, otherwise at least 7."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        ordering = ["title"]
        constraints = [
            # A reminder is gentle: never more than one a week.
            models.CheckConstraint(
                condition=models.Q(reminder_every_days=0) | models.Q(reminder_every_days__gte=7),
                name="reminders_at_most_weekly",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def weekday_codes(self) -> list[str]:
        return [WEEKDAY_CODES[day] for day in self.weekdays]

    def calendar_for(self, organisation: Organisation, closures: list[tuple[dt.date, dt.date]]) -> Calendar:
        return make_calendar(
            timezone=organisation.timezone,
            holiday_country=organisation.holiday_country,
            weekdays=self.weekdays,
            send_time=self.send_time,
            closures=closures,
        )


class CourseTrainer(models.Model):
    """A person who writes and looks after a course. Platform staff train every course without a row."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="course_trainers")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="course_trainers")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("course trainer")
        verbose_name_plural = _("course trainers")
        constraints = [models.UniqueConstraint(fields=["course", "user"], name="one_trainer_row_per_course")]

    def __str__(self) -> str:
        return f"{self.user} → {self.course}"


class EnrolmentQuerySet(models.QuerySet["Enrolment"]):
    """The only place an enrolment's status changes: each method moves the enrolments of this
    queryset that are in an allowed state (Enrolment.TRANSITIONS), in one conditional UPDATE,
    and returns how many moved. Concurrent callers cannot both move the same row."""

    def _move(self, action: str, **fields: object) -> int:
        allowed, target = Enrolment.TRANSITIONS[action]
        return self.filter(status__in=allowed).update(status=target, **fields)

    def pause(self, *, now: dt.datetime) -> int:
        return self._move("pause", paused_at=now)

    def resume(self, *, due: dt.datetime) -> int:
        return self._move("resume", paused_at=None, next_due_at=due)

    def unsubscribe(self, *, now: dt.datetime) -> int:
        return self._move("unsubscribe", ended_at=now, next_due_at=None)

    def stop(self, *, now: dt.datetime) -> int:
        return self._move("stop", ended_at=now, next_due_at=None)

    def restart(self, *, due: dt.datetime) -> int:
        return self._move("restart", ended_at=None, next_due_at=due)

    def resubscribe(self, *, due: dt.datetime) -> int:
        return self._move("resubscribe", ended_at=None, next_due_at=due)

    def resubscribe_paused(self) -> int:
        return self._move("resubscribe_paused", ended_at=None)

    def suspend(self) -> int:
        return self._move("suspend", next_due_at=None)

    def finish(self) -> int:
        return self._move("finish", next_due_at=None)


class Enrolment(models.Model):
    """One person following one course. The drip advances ``next_position``."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("active")
        PAUSED = "paused", _("paused")
        FINISHED = "finished", _("all lessons sent")
        UNSUBSCRIBED = "unsubscribed", _("unsubscribed")
        STOPPED = "stopped", _("stopped by the organisation")
        # The mailbox bounced hard or reported spam: no more mail until someone acts.
        SUSPENDED = "suspended", _("suspended: the mailbox refused our mail")

    # action -> (the states it may leave, the state it enters); EnrolmentQuerySet applies them.
    TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
        "pause": (frozenset({Status.ACTIVE}), Status.PAUSED),
        "resume": (frozenset({Status.PAUSED}), Status.ACTIVE),
        "unsubscribe": (frozenset({Status.ACTIVE, Status.PAUSED, Status.SUSPENDED}), Status.UNSUBSCRIBED),
        "stop": (frozenset({Status.ACTIVE, Status.PAUSED, Status.SUSPENDED}), Status.STOPPED),
        "restart": (frozenset({Status.STOPPED}), Status.ACTIVE),
        # The learner's undo, right after unsubscribing: back to the state they left.
        "resubscribe": (frozenset({Status.UNSUBSCRIBED}), Status.ACTIVE),
        "resubscribe_paused": (frozenset({Status.UNSUBSCRIBED}), Status.PAUSED),
        "suspend": (frozenset({Status.ACTIVE, Status.PAUSED}), Status.SUSPENDED),
        "finish": (frozenset({Status.ACTIVE}), Status.FINISHED),
    }

    # No index of its own: the unique (membership, course) constraint's index leads with it.
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="enrolments", db_index=False)
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="enrolments")
    start_date = models.DateField(_("start date"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE)
    next_position = models.PositiveIntegerField(_("next lesson"), default=1)
    next_due_at = models.DateTimeField(_("next lesson due"), null=True, blank=True)
    lessons_sent = models.PositiveIntegerField(default=0)
    lessons_completed = models.PositiveIntegerField(default=0)
    paused_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    reminders_enabled = models.BooleanField(_("reminders"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = EnrolmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        constraints = [models.UniqueConstraint(fields=["membership", "course"], name="one_enrolment_per_course")]
        indexes = [
            # The tick's only scan: active enrolments that are due.
            models.Index(fields=["next_due_at"], condition=models.Q(status="active"), name="enrolment_due_active")
        ]

    def __str__(self) -> str:
        return f"{self.membership} → {self.course}"

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE


class Reminder(models.Model):
    """One reminder mail to a learner who fell behind. Unique per (enrolment, local week).

    The row is the claim: inserted before the mail leaves, so a second beat or a
    retry hits the constraint and sends nothing. ``claim`` tells the inserting
    call which rows are its own.
    """

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="reminders")
    week = models.DateField(_("week (Monday)"))
    claim = models.UUIDField()
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        constraints = [models.UniqueConstraint(fields=["enrolment", "week"], name="one_reminder_per_week")]

    def __str__(self) -> str:
        return f"reminder {self.enrolment_id} {self.week}"


class Certificate(models.Model):
    """Proof that a learner completed every lesson of a course; one per enrolment."""

    enrolment = models.OneToOneField(Enrolment, on_delete=models.CASCADE, related_name="certificate")
    issued_at = models.DateTimeField(_("issued"))
    # Set when the mail is claimed: the mail goes out once.
    mailed_at = models.DateTimeField(_("mailed"), null=True, blank=True)

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")

    def __str__(self) -> str:
        return f"certificate {self.pk} ({self.enrolment_id})"


class Offering(models.Model):
    """An organisation taking a course: when it starts, for how many people."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="offerings")
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="offerings")
    start_date = models.DateField(_("start date"))
    seats = models.PositiveIntegerField(
        _("seats"), null=True, blank=True, help_text=_("How many people may follow it; empty for no limit.")
    )
    external_group_url = models.URLField(
        _("external discussion link"), blank=True, help_text=_("Shown in every lesson mail, e.g. a Teams group.")
    )
    # The organisation's staff discuss among themselves instead of in the course-wide group.
    private_group = models.BooleanField(
        _("private discussion group"),
        default=False,
        help_text=_("Only your own staff (and the trainers) see and write in the course's discussion group."),
    )
    # The current invite link's last valid day; a new link replaces (and so revokes) the old one.
    invite_expires_on = models.DateField(_("invite link valid until"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("course offering")
        verbose_name_plural = _("course offerings")
        constraints = [models.UniqueConstraint(fields=["organisation", "course"], name="one_offering_per_course")]

    def __str__(self) -> str:
        return f"{self.course} @ {self.organisation}"

    def enrolments(self) -> "models.QuerySet[Enrolment]":
        return Enrolment.objects.filter(membership__organisation=self.organisation, course=self.course)

    def seats_taken(self) -> int:
        return self.enrolments().exclude(status__in=[Enrolment.Status.UNSUBSCRIBED, Enrolment.Status.STOPPED]).count()


class StaffUpload(models.Model):
    """A staff list uploaded on the web, kept between its preview and its confirmation.

    The raw bytes are stored rather than the parsed rows so that the confirmation
    re-parses and re-plans against the database as it is then: what is written is
    exactly what a fresh preview would show. It lives in the database (not the
    session) because a 10 MB file does not belong in a signed cookie or session
    row, and because the row is scoped to its organisation: a confirmation looks
    it up by (organisation, id), so another organisation's id is a 404.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="staff_uploads")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    filename = models.CharField(_("file name"), max_length=200, blank=True)
    data = models.BinaryField(_("file contents"))
    offering = models.ForeignKey(Offering, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    full_list = models.BooleanField(_("complete staff list"), default=False)
    # Set when the admin confirms: the import task is queued (on commit) and runs in a worker.
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    # Set, with ``result``, in the import's own transaction: all rows were written.
    imported_at = models.DateTimeField(_("imported"), null=True, blank=True)
    # What the import wrote (counts and the rows it reported), for the result page.
    result = models.JSONField(default=dict, blank=True)
    # Why the worker refused the import (too few seats by then): it is no longer confirmed.
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("staff upload")
        verbose_name_plural = _("staff uploads")

    def __str__(self) -> str:
        return f"{self.filename or self.pk} @ {self.organisation}"
