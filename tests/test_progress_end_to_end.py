"""End to end: a lesson goes out through the fake SendGrid, which posts its events back to
Druppel's webhook over HTTP; the learner answers; the dashboard and the progress bar show it."""

import datetime as dt
import re
import time

import pytest
from django.test import Client
from django.urls import reverse

from lessons.models import Delivery
from lessons.tokens import delivery_token
from organisations.models import Membership
from tests.factories import CourseFactory, MembershipFactory, OrganisationFactory, UserFactory, enrol, make_lessons
from tests.fake_sendgrid import RecordedRequest
from tests.sendgrid_events import SigningKey, events_for, post_events


def wait_until(predicate, timeout: float = 15.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def row_for(html: str, name: str) -> list[str]:
    for row in re.findall(r'<tr class="employee[^"]*">(.*?)</tr>', html, re.S):
        cells = [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        if cells and cells[0] == name:
            return cells
    raise AssertionError(f"{name} not on the dashboard")


@pytest.mark.django_db(transaction=True)
def test_events_and_an_answer_show_on_the_dashboard_and_the_progress_bar(  # type: ignore[no-untyped-def]
    live_server, fake_sendgrid, settings, run_tick
):
    key = SigningKey.generate()
    settings.SENDGRID_WEBHOOK_PUBLIC_KEY = key.public
    webhook = live_server.url + reverse("sendgrid_events")
    statuses: list[int] = []

    def sendgrid_reports(request: RecordedRequest) -> None:
        events = [*events_for(request, "delivered"), *events_for(request, "open"), *events_for(request, "click")]
        statuses.append(post_events(webhook, events, key))

    fake_sendgrid.add_accepted_hook(sendgrid_reports)
    organisation = OrganisationFactory.create(slug="avelgem")
    course = CourseFactory.create()
    make_lessons(course, 4)
    eva = UserFactory.create(first_name="Eva", last_name="Peeters")
    enrolment = enrol(course, organisation=organisation, user=eva, start=dt.date(2027, 3, 1))
    admin = UserFactory.create()
    MembershipFactory.create(organisation=organisation, user=admin, role=Membership.Role.ADMIN)

    run_tick("2027-03-01T08:30:00+01:00")
    assert wait_until(lambda: statuses == [200]), statuses
    delivery = Delivery.objects.get(enrolment=enrolment)
    assert None not in (delivery.delivered_at, delivery.opened_at, delivery.clicked_at)

    token = delivery_token(delivery.pk)
    answer = Client().post(reverse("lessons:answer", args=[token, 2]), {"option": "2"})
    assert "Juist!" in answer.content.decode()

    boss = Client()
    boss.force_login(admin)
    dashboard = boss.get(reverse("dashboard:dashboard", args=["avelgem"])).content.decode()
    # name, department, sent, opened, read, completed, ...
    assert row_for(dashboard, "Eva Peeters")[2:6] == ["1", "1", "0", "1"]
    learner = Client()
    learner.force_login(eva)
    courses = learner.get(reverse("learners:courses")).content.decode()
    assert "1 afgerond" in courses
    assert re.search(r'<progress class="bar" max="100" value="25"', courses), "progress bar at 1 of 4 lessons"
