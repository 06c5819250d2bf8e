"""Switching reminders off: on /me/, or through the reminder mail's signed link and a POST."""

import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from courses.models import Enrolment
from lessons.models import Delivery
from progress.reminders import reminder_token, reminders_send_due
from tests.factories import UserFactory, send_outbox
from tests.learners.helpers import links_in, mails_in

pytestmark = pytest.mark.django_db

WEDNESDAY = dt.datetime.fromisoformat("2027-03-10T08:30:00+01:00")
NEXT_WEDNESDAY = WEDNESDAY + dt.timedelta(days=7)
SITE = "http://testserver"


def switch_url(enrolment: Enrolment) -> str:
    return reverse("learners:reminders", args=[enrolment.pk])


def enabled(enrolment: Enrolment) -> bool:
    enrolment.refresh_from_db()
    return enrolment.reminders_enabled


def test_switching_reminders_off_on_my_courses_stops_them(eva_client, eva_enrolment, outbox_dir):  # type: ignore[no-untyped-def]
    response = eva_client.post(switch_url(eva_enrolment), {"enabled": "0"})
    assert response.status_code == 302
    assert enabled(eva_enrolment) is False
    assert reminders_send_due(now=WEDNESDAY) == 0
    send_outbox()

    eva_client.post(switch_url(eva_enrolment), {"enabled": "1"})
    assert enabled(eva_enrolment) is True
    assert reminders_send_due(now=WEDNESDAY) == 1
    send_outbox()


def test_my_courses_offers_the_switch_that_matches_the_setting(eva_client, eva_enrolment):  # type: ignore[no-untyped-def]
    eva_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "Switch reminders off" in eva_client.get("/me/").content.decode()
    Enrolment.objects.filter(pk=eva_enrolment.pk).update(reminders_enabled=False)
    assert "Switch reminders on" in eva_client.get("/me/").content.decode()


def test_the_switch_takes_a_post_and_only_for_ones_own_enrolment(eva_client, eva_enrolment):  # type: ignore[no-untyped-def]
    assert eva_client.get(switch_url(eva_enrolment)).status_code == 405
    stranger = Client()
    stranger.force_login(UserFactory.create(email="jonas@avelgem.be"))
    assert stranger.post(switch_url(eva_enrolment), {"enabled": "0"}).status_code == 404
    assert enabled(eva_enrolment) is True


def test_every_link_in_the_reminder_mail_can_be_fetched_without_changing_anything(eva_enrolment, outbox_dir: Path):  # type: ignore[no-untyped-def]
    assert reminders_send_due(now=WEDNESDAY) == 1
    send_outbox()
    (mail,) = mails_in(outbox_dir)
    links = [link.removeprefix(SITE) for link in links_in(mail)]
    assert len(links) == 3  # the latest lesson, my courses, no more reminders
    before = list(Enrolment.objects.values()), list(Delivery.objects.values())
    scanner = Client()
    for link in links:
        assert scanner.get(link).status_code in (200, 302), link
    assert (list(Enrolment.objects.values()), list(Delivery.objects.values())) == before
    latest = Delivery.objects.get(enrolment=eva_enrolment, position=3)
    assert any(link.startswith("/l/") and scanner.get(link).context["delivery"] == latest for link in links)


def test_the_mail_link_switches_reminders_off_only_after_the_confirming_post(eva_enrolment, outbox_dir):  # type: ignore[no-untyped-def]
    reminders_send_due(now=WEDNESDAY)
    send_outbox()
    (mail,) = mails_in(outbox_dir)
    off = next(link for link in links_in(mail) if "/me/reminders/" in link).removeprefix(SITE)
    assert off == reverse("learners:reminders_off", args=[reminder_token(eva_enrolment.pk)])
    confirm = Client().get(off)
    assert b'<form method="post">' in confirm.content
    assert enabled(eva_enrolment) is True

    response = Client(enforce_csrf_checks=True).post(off)  # no cookies, no CSRF token: the signature suffices
    assert response.status_code == 200
    assert enabled(eva_enrolment) is False
    assert reminders_send_due(now=NEXT_WEDNESDAY) == 0
    send_outbox()


def test_a_forged_reminder_link_gets_404(eva_enrolment):  # type: ignore[no-untyped-def]
    forged = reminder_token(eva_enrolment.pk)[:-2] + "xx"
    assert Client().post(reverse("learners:reminders_off", args=[forged])).status_code == 404
    assert enabled(eva_enrolment) is True
