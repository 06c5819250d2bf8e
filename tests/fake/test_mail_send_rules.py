"""The fake refuses what SendGrid documents it refuses (see the citations in tests/fake_sendgrid/rules.py)."""

from __future__ import annotations

import datetime as dt
import json
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from python_http_client.exceptions import (  # type: ignore[import-untyped]
    BadRequestsError,
    PayloadTooLargeError,
)

from courses.models import Offering
from lessons.models import Delivery
from tests.factories import CourseFactory, OrganisationFactory, UserFactory, enrol, enrol_many, make_lessons
from tests.fake.conftest import error_fields, message, sdk_client, send
from tests.fake_sendgrid import FakeSendGrid

REPO_ROOT = Path(__file__).resolve().parents[2]


def people(count: int, prefix: str = "user") -> list[dict[str, str]]:
    return [{"email": f"{prefix}{i}@example.com"} for i in range(count)]


def with_personalization(**fields: Any) -> Callable[[dict[str, Any]], object]:
    return lambda body: body["personalizations"][0].update(fields)


def args_of(size: int) -> dict[str, str]:
    """A custom_args object that is ``size`` bytes as compact JSON: {"k":"xxx…"}."""
    return {"k": "x" * (size - 8)}


RESERVED = [
    "x-sg-id", "x-sg-eid", "received", "dkim-signature", "Content-Type", "Content-Transfer-Encoding",
    "To", "From", "Subject", "Reply-To", "CC", "BCC", "content-type", "REPLY-TO",
]  # fmt: skip


@pytest.mark.parametrize(
    ("change", "field"),
    [
        pytest.param(
            with_personalization(to=people(600), cc=people(401, "cc")), "personalizations", id="1001-recipients"
        ),
        pytest.param(
            lambda body: body.update(personalizations=[{"to": people(2, "a")}] + [{"to": [p]} for p in people(999)]),
            "personalizations",
            id="1001-recipients-in-1000-personalizations",
        ),
        pytest.param(
            with_personalization(to=[{"email": "a" * 310 + "@example.com"}]),
            "personalizations.0.to.0.email",
            id="address-over-320",
        ),
        pytest.param(
            with_personalization(to=[{"email": "ada@example.com", "name": "Lovelace, Ada"}]),
            "personalizations.0.to.0.name",
            id="name-with-comma",
        ),
        pytest.param(
            with_personalization(cc=[{"email": "bob@example.com", "name": "Bob; Jr"}]),
            "personalizations.0.cc.0.name",
            id="cc-name-with-semicolon",
        ),
        pytest.param(
            lambda body: body.update({"from": {"email": "a" * 310 + "@druppel.test"}}), "from.email", id="from-over-320"
        ),
        pytest.param(lambda body: body.update(reply_to={"name": "Desk"}), "reply_to", id="reply-to-without-address"),
        pytest.param(lambda body: body.update(subject=""), "subject", id="empty-subject"),
        pytest.param(
            with_personalization(subject=""), "personalizations.0.subject", id="empty-personalization-subject"
        ),
        pytest.param(
            lambda body: body.update(
                content=[{"type": "text/html", "value": "<p>Hi</p>"}, {"type": "text/plain", "value": "Hi"}]
            ),
            "content",
            id="html-before-plain",
        ),
        pytest.param(
            lambda body: body.update(content=[{"type": "text/plain; charset=utf-8", "value": "Hi"}]),
            "content.0.type",
            id="type-with-semicolon",
        ),
        pytest.param(lambda body: body.update(headers={"X-Lesson": 1}), "headers", id="header-value-not-a-string"),
        pytest.param(lambda body: body.update(headers={"X Lesson": "1"}), "headers", id="header-key-with-space"),
        pytest.param(lambda body: body.update(headers={"X-Leçon": "1"}), "headers", id="header-key-not-ascii"),
        pytest.param(
            lambda body: body.update(headers={"X-Lesson": "1", "x-lesson": "2"}), "headers", id="header-twice"
        ),
        pytest.param(
            with_personalization(headers={"List-Unsubscribe": ["<https://x.test>"]}),
            "personalizations.0.headers",
            id="personalization-header-value-not-a-string",
        ),
        pytest.param(lambda body: body.update(custom_args={}), "custom_args", id="empty-custom-args"),
        pytest.param(
            lambda body: body.update(custom_args={"delivery_id": 7}), "custom_args", id="custom-arg-not-a-string"
        ),
        pytest.param(
            with_personalization(custom_args=args_of(10_001)),
            "personalizations.0.custom_args",
            id="custom-args-over-10000-bytes",
        ),
        pytest.param(
            lambda body: (
                body.update(custom_args={"a": "x" * 6000}),
                body["personalizations"][0].update(custom_args={"b": "y" * 5000}),
            ),
            "personalizations.0.custom_args",
            id="merged-custom-args-over-10000-bytes",
        ),
        pytest.param(
            with_personalization(substitutions={"-name-": 1}),
            "personalizations.0.substitutions",
            id="substitution-not-a-string",
        ),
        pytest.param(
            with_personalization(substitutions={f"-s{i}-": "v" for i in range(101)}),
            "personalizations.0.substitutions",
            id="101-substitutions",
        ),
        pytest.param(
            with_personalization(substitutions={"-s-": "v" * 10_000}),
            "personalizations.0.substitutions",
            id="substitutions-over-10000-bytes",
        ),
        pytest.param(
            lambda body: body.update(categories=[f"c{i}" for i in range(11)]), "categories", id="11-categories"
        ),
        pytest.param(lambda body: body.update(categories=["c" * 256]), "categories", id="category-over-255"),
        pytest.param(lambda body: body.update(categories=["leçon"]), "categories", id="category-not-ascii"),
        pytest.param(lambda body: body.update(categories=["lesson", "lesson"]), "categories", id="category-twice"),
        pytest.param(lambda body: body.update(categories="lesson"), "categories", id="categories-not-an-array"),
    ],
)
def test_a_request_breaking_a_documented_rule_is_answered_400_naming_the_field(
    fake: FakeSendGrid, change: Callable[[dict[str, Any]], object], field: str
) -> None:
    body = message("ada@example.com")
    change(body)

    with pytest.raises(BadRequestsError) as raised:
        send(sdk_client(fake), body)

    assert raised.value.status_code == 400
    assert error_fields(raised.value) == [field]
    (error,) = raised.value.to_dict["errors"]
    assert error["message"]
    assert error["help"].startswith("https://docs.sendgrid.com/api-reference/mail-send/errors#message.")
    assert fake.accepted == []


def test_an_address_named_twice_in_one_request_is_refused_as_a_duplicate(fake: FakeSendGrid) -> None:
    """Druppel's planner never puts one address twice in a batch because SendGrid refuses it."""
    client = sdk_client(fake)
    across = message("ada@example.com", "grace@example.com", "Ada@Example.com")
    in_cc = message("ada@example.com")
    in_cc["personalizations"][0]["cc"] = [{"email": "ada@example.com"}]
    in_bcc = message("ada@example.com", "grace@example.com")
    in_bcc["personalizations"][1]["bcc"] = [{"email": "ADA@example.com"}]

    for body, field in (
        (across, "personalizations.2.to"),
        (in_cc, "personalizations.0.cc"),
        (in_bcc, "personalizations.1.bcc"),
    ):
        with pytest.raises(BadRequestsError) as raised:
            send(client, body)
        assert error_fields(raised.value) == [field]
        assert "more than once" in raised.value.to_dict["errors"][0]["message"]
        assert "duplicate" in raised.value.to_dict["errors"][0]["message"]
    assert fake.accepted == []


@pytest.mark.parametrize("name", RESERVED)
def test_a_reserved_header_is_refused_in_the_message_and_in_a_personalization(fake: FakeSendGrid, name: str) -> None:
    client = sdk_client(fake)
    in_message = message("ada@example.com", headers={name: "x"})
    in_personalization = message("ada@example.com")
    in_personalization["personalizations"][0]["headers"] = {name: "x"}

    for body, field in ((in_message, "headers"), (in_personalization, "personalizations.0.headers")):
        with pytest.raises(BadRequestsError) as raised:
            send(client, body)
        assert error_fields(raised.value) == [field]
        assert "reserved" in raised.value.to_dict["errors"][0]["message"]


def test_requests_at_every_documented_limit_are_accepted(fake: FakeSendGrid) -> None:
    client = sdk_client(fake)
    mixed = message("ada@example.com")
    mixed["personalizations"][0].update(to=people(500), cc=people(300, "cc"), bcc=people(200, "bcc"))
    at_limits = message(
        "ada@example.com",
        categories=[f"c{i}" for i in range(9)] + ["c" * 255],
        headers={"List-Unsubscribe-Post": "List-Unsubscribe=One-Click", "X-Entity-Ref-ID": "42"},
        reply_to={"email": "desk@druppel.test", "name": "Desk"},
    )
    at_limits["personalizations"][0].update(
        custom_args=args_of(10_000),
        substitutions={f"-s{i}-": "v" for i in range(100)},
        headers={"List-Unsubscribe": "<https://druppel.test/l/t/unsubscribe/>"},
    )
    at_limits["personalizations"][0]["to"][0].update(email="a" * 308 + "@example.com", name="Ada Lovelace")
    html_after_plain = message("ada@example.com")
    html_after_plain["content"].append({"type": "text/html", "value": "<p>Hello</p>"})

    for body in (mixed, at_limits, html_after_plain):
        assert send(client, body).status_code == 202
    assert len(fake.accepted) == 3


def test_a_body_over_30_mb_is_answered_413(fake: FakeSendGrid) -> None:
    body = message("ada@example.com")
    body["content"][0]["value"] = "x" * (30 * 1024 * 1024)

    with pytest.raises(PayloadTooLargeError) as raised:
        send(sdk_client(fake), body)

    assert raised.value.status_code == 413
    assert "too large" in raised.value.to_dict["errors"][0]["message"]
    assert fake.requests == []
    assert send(sdk_client(fake), message("ada@example.com")).status_code == 202


def test_a_body_that_is_not_utf8_is_answered_415(fake: FakeSendGrid) -> None:
    # The SDK always sends ASCII JSON, so this request is made by hand.
    body = json.dumps(message("ada@example.com", subject="Les 1")).encode().replace(b"Les 1", b"Le\xe7on")
    request = urllib.request.Request(
        f"{fake.url}/v3/mail/send",
        data=body,
        headers={"Authorization": "Bearer SG.test", "Content-Type": "application/json"},
    )

    with pytest.raises(urllib.error.HTTPError) as raised:
        urllib.request.urlopen(request, timeout=5)

    assert raised.value.code == 415
    assert json.loads(raised.value.read())["errors"][0]["message"] == "Invalid UTF8 in request"
    assert fake.accepted == []


@pytest.mark.django_db
def test_a_real_lesson_batch_passes_every_rule_list_unsubscribe_headers_included(fake_sendgrid, run_tick) -> None:  # type: ignore[no-untyped-def]
    """The drip's own requests, as planned and composed by Druppel, pass every rule the fake models."""
    start = dt.date(2027, 3, 1)
    course = CourseFactory.create()
    make_lessons(course, 2)
    with_group, plain = OrganisationFactory.create(), OrganisationFactory.create()
    Offering.objects.create(
        organisation=with_group, course=course, start_date=start, external_group_url="https://teams.example/g?a=1&b=2"
    )
    enrol_many(course, plain, 40, start=start)
    # Names as staff lists spell them: SendGrid refuses a to.name with "," or ";".
    enrol(
        course,
        organisation=with_group,
        start=start,
        user=UserFactory.create(first_name="Eva", last_name="Peeters, jr."),
    )
    enrol(course, organisation=with_group, start=start, user=UserFactory.create(first_name="Jan;", last_name="De Smet"))
    # One person on both staff lists: the planner puts their two deliveries in two requests.
    both = UserFactory.create(first_name="Ann")
    enrol(course, organisation=with_group, start=start, user=both)
    enrol(course, organisation=plain, start=start, user=both)

    run_tick("2027-03-01T08:30:00+01:00")

    assert [r.status for r in fake_sendgrid.requests] == [202, 202]
    assert Delivery.objects.filter(status=Delivery.Status.SENT).count() == 44
    names = {p["to"][0].get("name") for r in fake_sendgrid.accepted for p in r.body["personalizations"]}
    assert {"Eva Peeters jr.", "Jan De Smet"} <= names
    for request in fake_sendgrid.accepted:
        assert request.body["headers"] == {"List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
        assert request.body["categories"] == ["lesson"]
        for personalization in request.body["personalizations"]:
            token = personalization["substitutions"]["__dr_token__"]
            assert personalization["headers"] == {"List-Unsubscribe": f"<http://testserver/l/{token}/unsubscribe/>"}
