"""The weekly digest reaches each organisation's admins once, Monday 08:xx in the organisation's time zone."""

import datetime as dt
import email
import email.policy
from pathlib import Path

import pytest
from celery.schedules import crontab
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dashboard.digest import digest_send_due, digest_stop_token
from dashboard.models import WeeklyDigestOptOut
from dashboard.models import WeeklyDigestSent as DigestSent
from discussions.services import group_for_enrolment, lesson_thread, post_create
from lessons.models import DailyCompletion
from mailer.models import OutgoingMail
from organisations.models import Membership
from tests.factories import MembershipFactory, OrganisationFactory, send_outbox

pytestmark = pytest.mark.django_db

# Monday 23 November 2026 at 08:15 in Brussels (UTC+1) is 07:15 UTC.
MONDAY_0815_BRUSSELS = dt.datetime(2026, 11, 23, 7, 15, tzinfo=dt.UTC)


def mails(outbox_dir) -> list[email.message.EmailMessage]:  # type: ignore[no-untyped-def]
    return [
        email.message_from_bytes(path.read_bytes(), policy=email.policy.default)  # type: ignore[misc]
        for path in sorted(Path(outbox_dir).glob("*.eml"))
    ]


def recipients(outbox_dir) -> list[str]:  # type: ignore[no-untyped-def]
    return sorted(str(message["To"]) for message in mails(outbox_dir))


def text_of(message) -> str:  # type: ignore[no-untyped-def]
    return message.get_body(("plain",)).get_content()


def test_the_digest_goes_to_every_admin_at_monday_eight_local_time(small_org, outbox_dir):  # type: ignore[no-untyped-def]
    second = MembershipFactory.create(organisation=small_org.organisation, role=Membership.Role.ADMIN)
    assert digest_send_due(now=MONDAY_0815_BRUSSELS) == [small_org.organisation.pk]
    send_outbox()
    assert recipients(outbox_dir) == sorted([small_org.admin.email, second.user.email])
    assert DigestSent.objects.get(organisation=small_org.organisation).week == dt.date(2026, 11, 23)


def test_the_digest_names_who_is_behind_and_last_weeks_completions(small_org, outbox_dir):  # type: ignore[no-untyped-def]
    DailyCompletion.objects.all().delete()
    for day, count in [(dt.date(2026, 11, 16), 4), (dt.date(2026, 11, 22), 3), (dt.date(2026, 11, 15), 50)]:
        DailyCompletion.objects.create(
            organisation=small_org.organisation, course=small_org.course, day=day, completed=count
        )
    digest_send_due(now=MONDAY_0815_BRUSSELS)
    send_outbox()
    (message,) = mails(outbox_dir)
    text = text_of(message)
    assert "Gemeente Avelgem" in str(message["Subject"])
    assert "7 " in text
    assert " 50 " not in text
    assert "Jonas Claes (Communicatie)" in text
    assert "Lotte Maes (Financiën)" in text
    assert "Eva Peeters" not in text
    html = message.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert "Lotte Maes" in html
    assert 'style="' in html
    assert "/org/avelgem/dashboard/" in text


def test_open_questions_appear_only_when_there_are_some(small_org, outbox_dir):  # type: ignore[no-untyped-def]
    digest_send_due(now=MONDAY_0815_BRUSSELS)
    send_outbox()
    quiet = text_of(mails(outbox_dir)[0])
    DigestSent.objects.all().delete()
    OutgoingMail.objects.all().delete()
    for path in Path(outbox_dir).glob("*.eml"):
        path.unlink()
    # Three questions from the organisation's people, none answered by a trainer yet.
    for enrolment in (small_org.eva, small_org.jonas, small_org.lotte):
        thread = lesson_thread(group=group_for_enrolment(enrolment=enrolment), lesson_id=small_org.lessons[0].pk)
        post_create(thread=thread, author=enrolment.membership.user, body="Hoe doe ik dat?", now=MONDAY_0815_BRUSSELS)
    digest_send_due(now=MONDAY_0815_BRUSSELS)
    send_outbox()
    busy = text_of(mails(outbox_dir)[0])
    assert busy.count("3") > quiet.count("3")
    assert len(busy.splitlines()) == len(quiet.splitlines()) + 2


def test_the_digest_is_never_sent_twice_in_one_week(small_org, outbox_dir):  # type: ignore[no-untyped-def]
    assert digest_send_due(now=MONDAY_0815_BRUSSELS) == [small_org.organisation.pk]
    send_outbox()
    assert digest_send_due(now=MONDAY_0815_BRUSSELS + dt.timedelta(minutes=40)) == []
    send_outbox()
    assert digest_send_due(now=MONDAY_0815_BRUSSELS) == []
    send_outbox()
    assert len(mails(outbox_dir)) == 1
    assert DigestSent.objects.count() == 1


@pytest.mark.parametrize(
    "moment",
    [
        dt.datetime(2026, 11, 23, 6, 59, tzinfo=dt.UTC),  # Monday 07:59 in Brussels
        dt.datetime(2026, 11, 23, 8, 0, tzinfo=dt.UTC),  # Monday 09:00 in Brussels
        dt.datetime(2026, 11, 24, 7, 15, tzinfo=dt.UTC),  # Tuesday 08:15
        dt.datetime(2026, 11, 22, 7, 15, tzinfo=dt.UTC),  # Sunday 08:15
    ],
)
def test_no_digest_goes_out_outside_monday_eight_local_time(small_org, outbox_dir, moment):  # type: ignore[no-untyped-def]
    assert digest_send_due(now=moment) == []
    send_outbox()
    assert mails(outbox_dir) == []


def test_each_organisation_gets_it_at_eight_in_its_own_time_zone(outbox_dir):  # type: ignore[no-untyped-def]
    brussels = MembershipFactory.create(
        organisation=OrganisationFactory.create(timezone="Europe/Brussels"), role=Membership.Role.ADMIN
    )
    new_york = MembershipFactory.create(
        organisation=OrganisationFactory.create(timezone="America/New_York"), role=Membership.Role.ADMIN
    )
    sent: dict[int, list[dt.datetime]] = {}
    for hour in range(24 * 2):  # every hourly beat from Monday 00:00 UTC for two days
        moment = dt.datetime(2026, 11, 23, tzinfo=dt.UTC) + dt.timedelta(hours=hour)
        for organisation_id in digest_send_due(now=moment):
            sent.setdefault(organisation_id, []).append(moment)
        send_outbox()
    assert sent == {
        brussels.organisation_id: [dt.datetime(2026, 11, 23, 7, 0, tzinfo=dt.UTC)],  # 08:00 CET
        new_york.organisation_id: [dt.datetime(2026, 11, 23, 13, 0, tzinfo=dt.UTC)],  # 08:00 EST
    }
    assert recipients(outbox_dir) == sorted([brussels.user.email, new_york.user.email])


def test_the_next_monday_brings_the_next_digest(small_org, outbox_dir):  # type: ignore[no-untyped-def]
    digest_send_due(now=MONDAY_0815_BRUSSELS)
    send_outbox()
    digest_send_due(now=MONDAY_0815_BRUSSELS + dt.timedelta(weeks=1))
    send_outbox()
    assert sorted(DigestSent.objects.values_list("week", flat=True)) == [dt.date(2026, 11, 23), dt.date(2026, 11, 30)]
    assert len(mails(outbox_dir)) == 2


def test_beat_runs_the_thin_digest_task_every_hour(monkeypatch):  # type: ignore[no-untyped-def]
    from dashboard import tasks

    entry = settings.CELERY_BEAT_SCHEDULE["weekly-digest"]
    assert entry["task"] == tasks.send_weekly_digests.name == "dashboard.tasks.send_weekly_digests"
    assert entry["schedule"] == crontab(minute=0)
    calls: list[dt.datetime] = []

    def send_due(*, now: dt.datetime) -> list[int]:
        calls.append(now)
        return [7]

    monkeypatch.setattr(tasks.digest, "digest_send_due", send_due)
    assert tasks.send_weekly_digests.apply().get() == [7]
    (now,) = calls
    assert abs((timezone.now() - now).total_seconds()) < 60


def test_an_admin_who_stopped_the_digest_gets_none_and_a_colleague_still_does(small_org, outbox_dir):  # type: ignore[no-untyped-def]
    second = MembershipFactory.create(organisation=small_org.organisation, role=Membership.Role.ADMIN)
    mine = Membership.objects.get(user=small_org.admin, organisation=small_org.organisation)
    path = reverse("weekly_digest_stop", args=[digest_stop_token(mine.pk)])
    assert Client(enforce_csrf_checks=True).get(path).status_code == 200
    assert not WeeklyDigestOptOut.objects.exists()
    assert Client(enforce_csrf_checks=True).post(path).status_code == 200
    assert WeeklyDigestOptOut.objects.get().membership == mine
    digest_send_due(now=MONDAY_0815_BRUSSELS)
    send_outbox()
    assert recipients(outbox_dir) == [second.user.email]
    (message,) = mails(outbox_dir)
    own = reverse("weekly_digest_stop", args=[digest_stop_token(second.pk)])
    assert own in str(message["List-Unsubscribe"])
    assert own in text_of(message)


def test_a_forged_stop_link_is_not_found():
    assert Client().post(reverse("weekly_digest_stop", args=["1.forged"])).status_code == 404
