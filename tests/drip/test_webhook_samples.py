"""SendGrid's published sample events, signed and posted to the webhook: issue 10's webhook cases.

The samples (tests/drip/sendgrid_sample_events.json) are SendGrid's own examples, one per event
type, with our delivery_id echoed the way SendGrid echoes custom_args. Each test addresses them to
real deliveries of a lesson sent through the fake SendGrid.
"""

import copy
import datetime as dt
import json
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone

from courses.models import Enrolment
from drip import batches
from drip.sending import Outcome, batch_send
from drip.tick import drip_tick
from lessons.models import Delivery, SendAttempt, SendBatch
from mailer.models import ProviderEvent, Suppression
from tests.factories import CourseFactory, OrganisationFactory, enrol_many, make_lessons
from tests.fake_sendgrid import RecordedRequest
from tests.sendgrid_events import SigningKey

pytestmark = pytest.mark.django_db

URL = "/webhooks/sendgrid/"
MONDAY = dt.datetime.fromisoformat("2027-03-01T08:30:00+01:00")
SAMPLES: dict[str, dict] = json.loads(Path(__file__).with_name("sendgrid_sample_events.json").read_text())["events"]
# What SendGrid appends to a request's X-Message-Id to make each recipient's sg_message_id (as in the samples).
MESSAGE_SUFFIX = ".filter0001.16648.5515E0B88.0"


@dataclass(frozen=True)
class To:
    """One recipient of a request: what SendGrid's events about them carry."""

    delivery_id: int
    email: str
    message_id: str

    @property
    def enrolment(self) -> Enrolment:
        return Delivery.objects.get(pk=self.delivery_id).enrolment

    @property
    def delivery(self) -> Delivery:
        return Delivery.objects.get(pk=self.delivery_id)


def sample(name: str, to: To, **changes: object) -> dict:
    """SendGrid's sample event ``name``, about ``to``; a change to None removes that key."""
    event = copy.deepcopy(SAMPLES[name])
    event.update(email=to.email, delivery_id=str(to.delivery_id), timestamp=int(time.time()))
    if "sg_message_id" in event:
        event["sg_message_id"] = to.message_id + MESSAGE_SUFFIX
    # The published ids are one per event type (bounce and blocked even share one): one per delivery here.
    event["sg_event_id"] = f"{event['sg_event_id']}{to.delivery_id}"
    event.update(changes)
    return {key: value for key, value in event.items() if value is not None}


def recipients(request: RecordedRequest) -> list[To]:
    return [
        To(int(p["custom_args"]["delivery_id"]), p["to"][0]["email"], str(request.message_id))
        for p in request.body["personalizations"]
    ]


def post(events: list[dict], key: SigningKey, *, signed_at: float | None = None) -> tuple[int, dict]:
    body = json.dumps(events).encode()
    headers = key.headers(body, timestamp=None if signed_at is None else int(signed_at))
    response = Client().post(URL, body, content_type="application/json", headers=headers)
    return response.status_code, (response.json() if response.status_code == 200 else {})


@pytest.fixture
def key(settings) -> SigningKey:  # type: ignore[no-untyped-def]
    signing = SigningKey.generate()
    settings.SENDGRID_WEBHOOK_PUBLIC_KEY = signing.public
    return signing


@pytest.fixture
def sent(fake_sendgrid, run_tick) -> list[To]:  # type: ignore[no-untyped-def]
    """Fourteen learners got lesson 1 in one request through the fake SendGrid."""
    course = CourseFactory.create()
    make_lessons(course, 3)
    enrol_many(course, OrganisationFactory.create(), 14, start=MONDAY.date())
    run_tick(MONDAY.isoformat())
    (request,) = fake_sendgrid.accepted
    return recipients(request)


@pytest.fixture
def planned() -> SendBatch:
    """One batch of five planned and not yet sent (its broker message was dropped)."""
    course = CourseFactory.create()
    make_lessons(course, 2)
    enrol_many(course, OrganisationFactory.create(), 5, start=MONDAY.date())
    drip_tick(now=MONDAY, dispatch=lambda _: None)
    return SendBatch.objects.get()


def planned_recipients(batch: SendBatch, message_id: str) -> list[To]:
    rows = Delivery.objects.filter(batch=batch).order_by("pk").values_list("pk", "enrolment__membership__user__email")
    return [To(pk, email, message_id) for pk, email in rows]


# Every published sample, and what it does to its learner: (delivery status, enrolment status,
# suppression reason, delivery timestamp fields set).
EFFECTS = {
    "processed": (Delivery.Status.SENT, Enrolment.Status.ACTIVE, None, set()),
    "deferred": (Delivery.Status.SENT, Enrolment.Status.ACTIVE, None, set()),
    "delivered": (Delivery.Status.SENT, Enrolment.Status.ACTIVE, None, {"delivered_at"}),
    "open": (Delivery.Status.SENT, Enrolment.Status.ACTIVE, None, {"opened_at"}),
    "click": (Delivery.Status.SENT, Enrolment.Status.ACTIVE, None, {"opened_at", "clicked_at"}),
    "bounce": (Delivery.Status.FAILED, Enrolment.Status.SUSPENDED, Suppression.Reason.BOUNCE, set()),
    "blocked": (Delivery.Status.SENT, Enrolment.Status.ACTIVE, None, set()),
    "bounce_async": (Delivery.Status.FAILED, Enrolment.Status.SUSPENDED, Suppression.Reason.BOUNCE, set()),
    "dropped": (Delivery.Status.FAILED, Enrolment.Status.SUSPENDED, Suppression.Reason.BOUNCE, set()),
    "spamreport": (Delivery.Status.SENT, Enrolment.Status.SUSPENDED, Suppression.Reason.SPAM, set()),
    "unsubscribe": (Delivery.Status.SENT, Enrolment.Status.UNSUBSCRIBED, Suppression.Reason.UNSUBSCRIBE, set()),
    "group_unsubscribe": (Delivery.Status.SENT, Enrolment.Status.UNSUBSCRIBED, None, set()),
    "group_resubscribe": (Delivery.Status.SENT, Enrolment.Status.ACTIVE, None, set()),
}
STAMPS = {"delivered_at", "opened_at", "clicked_at"}


def test_every_published_sample_has_its_effect_once_and_a_replay_changes_nothing(sent, key):  # type: ignore[no-untyped-def]
    assert set(EFFECTS) | {"account_status_change"} == set(SAMPLES)
    events = [sample(name, to) for name, to in zip(EFFECTS, sent, strict=False)]

    status, report = post(events, key)
    assert status == 200
    assert (report["received"], report["applied"], report["duplicates"], report["ignored"]) == (13, 13, 0, 0)
    assert (report["suspended"], report["unsubscribed"]) == (4, 2)

    def effects() -> dict[str, tuple]:
        seen = {}
        for name, to in zip(EFFECTS, sent, strict=False):
            delivery = to.delivery
            reason = Suppression.objects.filter(email=to.email).values_list("reason", flat=True).first()
            stamps = {stamp for stamp in STAMPS if getattr(delivery, stamp) is not None}
            seen[name] = (delivery.status, to.enrolment.status, reason, stamps)
        return seen

    assert effects() == EFFECTS
    # SendGrid delivers at least once: the same batch again is recognised by sg_event_id.
    status, again = post(events, key)
    assert (status, again["applied"], again["duplicates"]) == (200, 0, 13)
    assert effects() == EFFECTS
    assert ProviderEvent.objects.count() == 13


def test_the_fallback_key_dedupes_only_events_without_an_event_id(sent, key):  # type: ignore[no-untyped-def]
    first = sent[0]
    anonymous = sample("delivered", first, sg_event_id=None)
    _, report = post([anonymous, dict(anonymous)], key)
    assert (report["applied"], report["duplicates"]) == (1, 1)
    _, report = post([anonymous], key)
    assert (report["applied"], report["duplicates"]) == (0, 1)
    # Two event ids are two events, even with the same message id, event, timestamp and delivery.
    opened = sample("open", first, sg_event_id="open-one")
    _, report = post([opened, {**opened, "sg_event_id": "open-two"}], key)
    assert (report["applied"], report["duplicates"]) == (2, 0)
    assert ProviderEvent.objects.count() == 3


@pytest.mark.parametrize("with_event_ids", [True, False], ids=["with-event-ids", "without-event-ids"])
def test_two_asynchronous_bounces_in_one_second_for_different_deliveries_both_suspend(sent, key, with_event_ids):  # type: ignore[no-untyped-def]
    """SendGrid omits sg_message_id on an asynchronous bounce: two of them in the same second
    differ only by their delivery (and their event id, when they have one)."""
    second = int(time.time())
    changes: dict = {"timestamp": second} if with_event_ids else {"timestamp": second, "sg_event_id": None}
    bounces = [sample("bounce_async", to, **changes) for to in sent[:2]]
    assert all("sg_message_id" not in bounce for bounce in bounces)

    status, report = post(bounces, key)

    assert (status, report["applied"], report["duplicates"], report["suspended"]) == (200, 2, 0, 2)
    for to in sent[:2]:
        assert to.enrolment.status == Enrolment.Status.SUSPENDED
        assert to.delivery.status == Delivery.Status.FAILED
    assert set(Suppression.objects.values_list("email", flat=True)) == {to.email for to in sent[:2]}


def test_a_batch_with_an_unknown_event_type_answers_200_and_applies_its_delivered_events(sent, key):  # type: ignore[no-untyped-def]
    delivered = [sample("delivered", to) for to in sent[:3]]
    made_up = {**sample("delivered", sent[3]), "event": "delivered_by_pigeon"}

    status, report = post([SAMPLES["account_status_change"], *delivered, made_up], key)

    assert status == 200
    assert (report["received"], report["applied"], report["ignored"]) == (3, 3, 2)
    assert all(to.delivery.delivered_at is not None for to in sent[:3])
    assert sent[3].delivery.delivered_at is None


@pytest.mark.parametrize(
    ("reason", "becomes", "suppressed"),
    [
        ("Bounced Address", Enrolment.Status.SUSPENDED, Suppression.Reason.BOUNCE),
        ("Spam Reporting Address", Enrolment.Status.SUSPENDED, Suppression.Reason.SPAM),
        ("Unsubscribed Address", Enrolment.Status.UNSUBSCRIBED, Suppression.Reason.UNSUBSCRIBE),
        ("Invalid SMTPAPI header", Enrolment.Status.ACTIVE, None),
        ("Spam Content", Enrolment.Status.ACTIVE, None),
        ("Invalid", Enrolment.Status.ACTIVE, None),
        ("Recipient List over Package Quota", Enrolment.Status.ACTIVE, None),
    ],
)
def test_a_drop_for_a_suppressed_address_acts_like_its_cause_and_any_other_drop_only_fails_the_delivery(  # type: ignore[no-untyped-def]
    sent, key, reason, becomes, suppressed
):
    """The drop reasons are those SendGrid's reference lists for "dropped"."""
    dropped, bystander = sent[0], sent[1]

    status, _ = post([sample("dropped", dropped, reason=reason)], key)

    assert status == 200
    assert dropped.delivery.status == Delivery.Status.FAILED
    assert dropped.enrolment.status == becomes
    assert Suppression.objects.filter(email=dropped.email).values_list("reason", flat=True).first() == suppressed
    assert bystander.enrolment.status == Enrolment.Status.ACTIVE


def test_a_blocked_bounce_neither_suspends_nor_suppresses_nor_fails_the_delivery(sent, key):  # type: ignore[no-untyped-def]
    status, report = post([sample("blocked", sent[0])], key)
    assert (status, report["applied"], report["suspended"]) == (200, 1, 0)
    assert sent[0].enrolment.status == Enrolment.Status.ACTIVE
    assert sent[0].delivery.status == Delivery.Status.SENT
    assert not Suppression.objects.exists()


def test_the_replay_window_is_the_setting_and_covers_sendgrids_day_of_retries(sent, key, settings):  # type: ignore[no-untyped-def]
    window = settings.SENDGRID_WEBHOOK_MAX_AGE_SECONDS
    assert window >= 24 * 3600  # SendGrid retries a failing webhook for up to 24 hours
    now = time.time()

    status, report = post([sample("delivered", sent[0])], key, signed_at=now - 3600)
    assert (status, report["applied"]) == (200, 1)

    status, _ = post([sample("open", sent[1])], key, signed_at=now - window - 60)
    assert status == 403
    assert ProviderEvent.objects.count() == 1
    assert sent[1].delivery.opened_at is None

    settings.SENDGRID_WEBHOOK_MAX_AGE_SECONDS = 1800
    status, _ = post([sample("click", sent[2])], key, signed_at=now - 3600)
    assert status == 403
    assert sent[2].delivery.clicked_at is None


def _hold(batch: SendBatch) -> uuid.UUID:
    token = uuid.uuid4()
    now = timezone.now()
    assert batches.batch_claim(batch_id=batch.pk, token=token, now=now) is batches.Claim.CLAIMED
    batch.refresh_from_db()
    assert batches.attempt_start(batch=batch, token=token, recipients=5, now=now)
    return token


def _waiting(batch: SendBatch) -> None:
    now = timezone.now()
    batches.batch_wait(batch_id=batch.pk, token=_hold(batch), retry_at=now, error="429", now=now)


def _unknown(batch: SendBatch) -> None:
    batches.batch_unknown(batch_id=batch.pk, token=_hold(batch), error="timeout", now=timezone.now())


@pytest.mark.parametrize(
    ("state", "put", "kind"),
    [
        (SendBatch.Status.QUEUED, lambda batch: None, "processed"),
        (SendBatch.Status.SENDING, _hold, "deferred"),
        (SendBatch.Status.WAITING, _waiting, "delivered"),
        (SendBatch.Status.UNKNOWN, _unknown, "open"),
    ],
)
def test_any_event_for_an_unfinished_batch_reconciles_it_to_sent_and_it_is_never_sent_again(  # type: ignore[no-untyped-def]
    planned, fake_sendgrid, key, settings, state, put, kind
):
    put(planned)
    planned.refresh_from_db()
    assert planned.status == state
    first = planned_recipients(planned, message_id="Xq3ZyJ0cRzSu5mKQv2eLtA")[0]

    status, report = post([sample(kind, first)], key)

    assert (status, report["reconciled_batches"]) == (200, [planned.pk])
    planned.refresh_from_db()
    assert (planned.status, planned.message_id, planned.attempt_started_at) == (
        SendBatch.Status.SENT,
        "Xq3ZyJ0cRzSu5mKQv2eLtA",
        None,
    )
    assert set(Delivery.objects.values_list("status", flat=True)) == {Delivery.Status.SENT}
    assert not SendAttempt.objects.filter(finished_at__isnull=True).exists()
    # Every recovery path of a later tick is due: none of them touches a batch proven sent.
    settings.DRIP_REQUEUE_AFTER_SECONDS = settings.DRIP_CLAIM_LEASE_SECONDS = settings.DRIP_UNKNOWN_GRACE_SECONDS = 0
    dispatched: list[int] = []
    drip_tick(now=timezone.now() + dt.timedelta(hours=1), dispatch=dispatched.append)
    assert planned.pk not in dispatched
    assert batch_send(batch_id=planned.pk, dispatch=lambda _: None).outcome is Outcome.SKIPPED
    assert fake_sendgrid.requests == []


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("answer", ["accepted", "timeout"])
def test_a_bounce_while_the_request_is_in_flight_stays_failed_whatever_the_request_then_answers(  # type: ignore[no-untyped-def]
    planned, fake_sendgrid, key, settings, answer
):
    """SendGrid reports a bounce within seconds, possibly before its own answer reaches us."""
    settings.SENDGRID_TIMEOUT = 0.5
    seen: list[tuple[int, list[int], int]] = []

    def bounce_on_arrival(record: RecordedRequest) -> None:
        status, report = post([sample("bounce", recipients(record)[0])], key)
        seen.append((status, report["reconciled_batches"], report["suspended"]))

    fake_sendgrid.add_received_hook(bounce_on_arrival)
    if answer == "timeout":
        fake_sendgrid.script(fake_sendgrid.hang(1.0))

    report = batch_send(batch_id=planned.pk, dispatch=lambda _: None)

    assert seen == [(200, [planned.pk], 1)]
    assert report.outcome is (Outcome.SENT if answer == "accepted" else Outcome.UNKNOWN)
    planned.refresh_from_db()
    assert planned.status == SendBatch.Status.SENT
    bounced, *others = Delivery.objects.order_by("pk")
    assert bounced.status == Delivery.Status.FAILED
    assert {delivery.status for delivery in others} == {Delivery.Status.SENT}
    assert bounced.enrolment.status == Enrolment.Status.SUSPENDED
    # Nor does a later tick send it again.
    settings.DRIP_UNKNOWN_GRACE_SECONDS = 0
    drip_tick(
        now=timezone.now() + dt.timedelta(hours=1),
        dispatch=lambda batch_id: batch_send(batch_id=batch_id, dispatch=lambda _: None),
    )
    assert len(fake_sendgrid.requests) == 1
