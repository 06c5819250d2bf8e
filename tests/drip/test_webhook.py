"""The SendGrid event webhook: signed payloads shaped like SendGrid's, applied exactly once."""

import datetime as dt
import json
import time
from pathlib import Path

import pytest
from django.test import Client

from courses.models import Enrolment
from lessons.models import Delivery, EnrolmentStats, LessonStats
from mailer.models import ProviderEvent
from organisations.models import Membership
from tests.factories import (
    CourseFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
    enrol,
    enrol_many,
    make_lessons,
    send_outbox,
)
from tests.sendgrid_events import SigningKey, events_for

pytestmark = pytest.mark.django_db

MONDAY = "2027-03-01T08:30:00+01:00"
URL = "/webhooks/sendgrid/"


@pytest.fixture
def key(settings) -> SigningKey:  # type: ignore[no-untyped-def]
    signing = SigningKey.generate()
    settings.SENDGRID_WEBHOOK_PUBLIC_KEY = signing.public
    return signing


@pytest.fixture
def sent(fake_sendgrid, run_tick):  # type: ignore[no-untyped-def]
    """Two learners of one organisation got lesson 1 through the fake SendGrid."""
    course = CourseFactory.create()
    make_lessons(course, 3)
    organisation = OrganisationFactory.create()
    enrolments = [enrol(course, organisation=organisation, start=dt.date(2027, 3, 1)) for _ in range(2)]
    run_tick(MONDAY)
    (request,) = fake_sendgrid.accepted
    return request, enrolments


def post(events: list[dict], key: SigningKey, **header_changes: str) -> tuple[int, dict]:
    body = json.dumps(events).encode()
    headers = {**key.headers(body), **header_changes}
    response = Client().post(URL, body, content_type="application/json", headers=headers)
    return response.status_code, (response.json() if response.status_code == 200 else {})


def test_delivered_open_and_click_events_update_deliveries_and_counters(sent, key):  # type: ignore[no-untyped-def]
    request, _ = sent
    delivered, opened, clicked = (events_for(request, kind) for kind in ("delivered", "open", "click"))
    status, report = post(delivered + opened + clicked[:1], key)
    assert status == 200
    assert report["applied"] == 5
    first, second = Delivery.objects.order_by("pk")
    assert None not in (first.delivered_at, first.opened_at, first.clicked_at)
    assert None not in (second.delivered_at, second.opened_at)
    assert second.clicked_at is None
    stats = LessonStats.objects.get()
    assert (stats.sent, stats.opened) == (2, 2)
    assert sorted(EnrolmentStats.objects.values_list("opened", flat=True)) == [1, 1]


def test_apple_machine_opens_are_kept_apart_and_do_not_count_as_opens(sent, key):  # type: ignore[no-untyped-def]
    request, _ = sent
    post(events_for(request, "open", sg_machine_open=True), key)
    delivery = Delivery.objects.order_by("pk").first()
    assert delivery is not None
    assert delivery.machine_opened_at is not None
    assert delivery.opened_at is None
    assert LessonStats.objects.get().opened == 0


def test_a_duplicated_batch_changes_nothing_the_second_time(sent, key):  # type: ignore[no-untyped-def]
    request, _ = sent
    events = events_for(request, "open")
    post(events, key)
    status, report = post(events, key)
    assert status == 200
    assert report["duplicates"] == 2
    assert report["applied"] == 0
    # A new sg_event_id is a new event (SendGrid's id is the key), but a second open of the
    # same mail counts nothing more.
    for event in events:
        event["sg_event_id"] += "-again"
    _, report = post(events, key)
    assert report["duplicates"] == 0
    assert LessonStats.objects.get().opened == 2
    assert ProviderEvent.objects.count() == 4


def test_a_tampered_payload_is_refused_and_writes_nothing(sent, key):  # type: ignore[no-untyped-def]
    request, _ = sent
    events = events_for(request, "open")
    body = json.dumps(events).encode()
    headers = key.headers(body)
    response = Client().post(URL, body.replace(b'"open"', b'"click"'), content_type="application/json", headers=headers)
    assert response.status_code == 403
    assert not ProviderEvent.objects.exists()
    assert not Delivery.objects.filter(opened_at__isnull=False).exists()


def test_a_payload_signed_before_the_replay_window_is_refused(sent, key, settings):  # type: ignore[no-untyped-def]
    request, _ = sent
    events = events_for(request, "open")
    body = json.dumps(events).encode()
    old = key.headers(body, timestamp=int(time.time() - settings.SENDGRID_WEBHOOK_MAX_AGE_SECONDS - 60))
    response = Client().post(URL, body, content_type="application/json", headers=old)
    assert response.status_code == 403
    assert not ProviderEvent.objects.exists()


def test_a_malformed_payload_gets_400_and_writes_nothing(key):  # type: ignore[no-untyped-def]
    for body in (b"{not json", b'{"event": "open"}', b'[{"event": "open"}]'):
        response = Client().post(URL, body, content_type="application/json", headers=key.headers(body))
        assert response.status_code == 400
    assert not ProviderEvent.objects.exists()


def test_a_get_is_not_allowed_and_an_unsigned_post_is_forbidden(key):  # type: ignore[no-untyped-def]
    assert Client().get(URL).status_code == 405
    assert Client().post(URL, b"[]", content_type="application/json").status_code == 403


def test_an_event_for_an_unknown_delivery_is_recorded_but_changes_nothing(sent, key):  # type: ignore[no-untyped-def]
    request, _ = sent
    stranger = events_for(request, "open", delivery_id="987654")[:1]
    no_args = [
        {k: v for k, v in stranger[0].items() if k != "delivery_id"}
        | {"sg_event_id": "other", "timestamp": stranger[0]["timestamp"] + 1}
    ]
    status, report = post(stranger + no_args, key)
    assert status == 200
    assert report["unknown_delivery"] == 2
    assert not Delivery.objects.filter(opened_at__isnull=False).exists()


def test_a_hard_bounce_suspends_the_enrolment_and_tells_the_organisation_admin(  # type: ignore[no-untyped-def]
    sent, key, outbox_dir: Path, run_tick, django_capture_on_commit_callbacks
):
    request, enrolments = sent
    organisation = enrolments[0].membership.organisation
    admin = UserFactory.create(email="hr@org.example")
    MembershipFactory.create(organisation=organisation, user=admin, role=Membership.Role.ADMIN)
    bounce = events_for(request, "bounce", type="bounce", reason="550 5.1.1 user unknown")[:1]
    with django_capture_on_commit_callbacks(execute=True):
        status, report = post(bounce, key)
    assert (status, report["suspended"]) == (200, 1)
    # The webhook request only writes the notice into the outbox; the outbox's sweep sends it.
    assert not list(outbox_dir.glob("*.eml"))
    assert send_outbox() == 1
    enrolments[0].refresh_from_db()
    assert enrolments[0].status == Enrolment.Status.SUSPENDED
    assert Delivery.objects.get(enrolment=enrolments[0]).status == Delivery.Status.FAILED
    (mail,) = outbox_dir.glob("*.eml")
    text = mail.read_text()
    assert "hr@org.example" in text
    assert enrolments[0].membership.user.email in text
    run_tick("2027-03-03T08:30:00+01:00")
    assert Delivery.objects.filter(enrolment=enrolments[0]).count() == 1
    assert Delivery.objects.filter(enrolment=enrolments[1]).count() == 2


def test_a_soft_block_does_not_suspend(sent, key):  # type: ignore[no-untyped-def]
    request, enrolments = sent
    post(events_for(request, "bounce", type="blocked")[:1], key)
    enrolments[0].refresh_from_db()
    assert enrolments[0].status == Enrolment.Status.ACTIVE


def test_a_spam_report_suspends_and_an_unsubscribe_ends_the_enrolment(sent, key):  # type: ignore[no-untyped-def]
    request, enrolments = sent
    spam = events_for(request, "spamreport")[:1]
    unsubscribe = events_for(request, "unsubscribe")[1:]
    _, report = post(spam + unsubscribe, key)
    assert (report["suspended"], report["unsubscribed"]) == (1, 1)
    first, second = (Enrolment.objects.get(pk=e.pk) for e in enrolments)
    assert first.status == Enrolment.Status.SUSPENDED
    assert second.status == Enrolment.Status.UNSUBSCRIBED


def test_a_batch_of_1000_events_is_applied_in_a_constant_number_of_queries(
    fake_sendgrid, run_tick, key, django_assert_max_num_queries
):  # type: ignore[no-untyped-def]
    course = CourseFactory.create()
    make_lessons(course, 2)
    enrol_many(course, OrganisationFactory.create(), 500, start=dt.date(2027, 3, 1))
    run_tick(MONDAY)
    (request,) = fake_sendgrid.accepted
    events = events_for(request, "delivered") + events_for(request, "open")
    assert len(events) == 1000
    with django_assert_max_num_queries(20):
        status, report = post(events, key)
    assert (status, report["applied"]) == (200, 1000)
    assert LessonStats.objects.get().opened == 500
    assert Delivery.objects.filter(delivered_at__isnull=False, opened_at__isnull=False).count() == 500
