"""The weekly digest for organisation admins: Monday 08:xx local time, once per week.

Beat runs ``digest_send_due`` hourly. An organisation is due when its local time
is Monday 08:00-08:59 and it has no WeeklyDigestSent row for that Monday. The row
and one outbox row per admin are written in one transaction: a second beat or a
retry hits the unique constraint (on PostgreSQL it waits for the first to commit)
and adds nothing; the outbox sends each mail once after the commit. Each admin's mail
carries its own one-click link that stops the digest for them (WeeklyDigestOptOut);
the sender leaves those admins out.
"""

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.urls import reverse

from core.tokens import SignedId
from courses.models import Enrolment
from dashboard.models import WeeklyDigestOptOut, WeeklyDigestSent
from dashboard.stats import BEHIND_AFTER, DashboardFilters, employee_enrolments
from discussions.selectors import unanswered_questions
from lessons.models import DailyCompletion
from mailer.outgoing import outgoing_add
from mailer.templated import RenderedMail, render_mail
from organisations.models import Membership, Organisation

logger = logging.getLogger(__name__)

DIGEST_WEEKDAY = 0  # Monday
DIGEST_HOUR = 8
# The mail lists this many people who are behind, furthest behind first, then "and N more".
BEHIND_LISTED = 25
# The credential of an admin's "stop this digest" link: their membership, signed.
_STOP_TOKENS = SignedId("druppel.weekly-digest.stop")


def digest_stop_token(membership_id: int) -> str:
    return _STOP_TOKENS.sign(membership_id)


def digest_stop_membership(token: str) -> Membership | None:
    """The admin membership a stop link is for; None for a forged link or a membership gone since."""
    membership_id = _STOP_TOKENS.unsign(token)
    if membership_id is None:
        return None
    return Membership.objects.select_related("organisation").filter(pk=membership_id).first()


def digest_stop(*, membership: Membership) -> bool:
    """No more weekly digests for this admin; True when this call stopped it."""
    _, created = WeeklyDigestOptOut.objects.get_or_create(membership=membership)
    return created


def digest_stopped(*, membership: Membership) -> bool:
    return WeeklyDigestOptOut.objects.filter(membership=membership).exists()


def digest_stop_url(membership_id: int) -> str:
    return settings.SITE_URL + reverse("weekly_digest_stop", args=[digest_stop_token(membership_id)])


def digest_open_questions(*, organisation: Organisation) -> int:
    """Questions the organisation's people asked in the group that no trainer has answered yet."""
    return unanswered_questions().filter(author_organisation=organisation).count()


def digest_week(*, organisation: Organisation, now: dt.datetime) -> dt.date | None:
    """The local Monday whose digest is due at ``now``, or None outside Monday 08:xx local time."""
    local = now.astimezone(organisation.tz)
    if local.weekday() == DIGEST_WEEKDAY and local.hour == DIGEST_HOUR:
        return local.date()
    return None


@dataclass(frozen=True)
class Digest:
    organisation: Organisation
    week: dt.date
    behind: list[Enrolment]
    behind_total: int
    completed_last_week: int
    open_questions: int
    dashboard_url: str

    @property
    def behind_more(self) -> int:
        return self.behind_total - len(self.behind)

    @property
    def last_week_start(self) -> dt.date:
        return self.week - dt.timedelta(days=7)

    @property
    def last_week_end(self) -> dt.date:
        return self.week - dt.timedelta(days=1)


def digest_build(*, organisation: Organisation, week: dt.date) -> Digest:
    """What the admins read: who is behind, last week's completions, open questions."""
    behind = employee_enrolments(
        organisation=organisation, filters=DashboardFilters(status=Enrolment.Status.ACTIVE, behind_only=True)
    )
    completed = DailyCompletion.objects.filter(
        organisation=organisation, day__gte=week - dt.timedelta(days=7), day__lt=week
    ).aggregate(total=Sum("completed"))["total"]
    return Digest(
        organisation=organisation,
        week=week,
        behind=list(behind.select_related("membership__user", "course").order_by("-gap", "pk")[:BEHIND_LISTED]),
        behind_total=behind.count(),
        completed_last_week=completed or 0,
        open_questions=digest_open_questions(organisation=organisation),
        dashboard_url=settings.SITE_URL + reverse("dashboard:dashboard", args=[organisation.slug]),
    )


def digest_mail(*, digest: Digest, membership_id: int) -> RenderedMail:
    """The digest for one admin: the same figures for all, each with their own link to stop it."""
    stop_url = digest_stop_url(membership_id)
    context = {
        "digest": digest,
        "organisation": digest.organisation,
        "behind_after": BEHIND_AFTER,
        "stop_url": stop_url,
    }
    return render_mail("emails/digest", context, unsubscribe_url=stop_url)


def digest_send(*, organisation: Organisation, week: dt.date, now: dt.datetime) -> bool:
    """Queue this week's digest, one mail per admin (colleagues' addresses stay private), unless it
    was queued already; True when this call queued it."""
    recipients = list(
        Membership.objects.filter(organisation=organisation, role=Membership.Role.ADMIN, is_active=True)
        .exclude(weekly_digest_opt_out__isnull=False)
        .order_by("pk")
        .values_list("pk", "user__email")
    )
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = WeeklyDigestSent.objects.create(
                    organisation=organisation, week=week, sent_at=now, recipients=len(recipients)
                )
        except IntegrityError:
            return False
        if recipients:
            digest = digest_build(organisation=organisation, week=week)
            for membership_id, address in recipients:
                key = f"weekly-digest:{organisation.pk}:{week.isoformat()}:{address}"
                mail = digest_mail(digest=digest, membership_id=membership_id)
                outgoing_add(key=key, kind="weekly-digest", mail=mail, to=address)
    logger.info("weekly digest %s for %s to %d admins", record.week, organisation.slug, len(recipients))
    return True


def digest_send_due(*, now: dt.datetime) -> list[int]:
    """Queue the digest for every organisation at Monday 08:xx local time that has not had it this
    week; returns the ids of the organisations this call queued it for."""
    due = {}
    for organisation in Organisation.objects.order_by("pk"):
        week = digest_week(organisation=organisation, now=now)
        if week is not None:
            due[organisation.pk] = (organisation, week)
    done = set(WeeklyDigestSent.objects.filter(organisation_id__in=due).values_list("organisation_id", "week"))
    return [
        organisation.pk
        for organisation, week in due.values()
        if (organisation.pk, week) not in done and digest_send(organisation=organisation, week=week, now=now)
    ]
