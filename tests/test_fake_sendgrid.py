"""Tests of the fake SendGrid server, driven through the real sendgrid SDK.

Most are plain functions that need no database. The documented Mail Send rules each get a
request that breaks them; the last test sends a real Druppel lesson batch through every rule.
"""

from __future__ import annotations

import datetime as dt
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from python_http_client.exceptions import (  # type: ignore[import-untyped]
    BadRequestsError,
    HTTPError,
    InternalServerError,
    PayloadTooLargeError,
    TooManyRequestsError,
    UnauthorizedError,
)
from sendgrid import SendGridAPIClient  # type: ignore[import-untyped]

from courses.models import Offering
from lessons.models import Delivery
from tests.factories import CourseFactory, OrganisationFactory, UserFactory, enrol, enrol_many, make_lessons
from tests.fake_sendgrid import FakeSendGrid, RecordedRequest, Response

REPO_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def fake() -> Iterator[FakeSendGrid]:
    with FakeSendGrid() as server:
        yield server


def sdk_client(fake: FakeSendGrid, timeout: float | None = None) -> SendGridAPIClient:
    client = SendGridAPIClient(api_key="SG.test", host=fake.url)
    if timeout is not None:
        # python_http_client.Client copies .timeout into every child client it
        # builds for `.mail.send`, and passes it to urllib's opener.open().
        client.client.timeout = timeout
    return client


def message(*emails: str, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "personalizations": [{"to": [{"email": email}]} for email in emails],
        "from": {"email": "noreply@druppel.test", "name": "Druppel"},
        "subject": "Your lesson",
        "content": [{"type": "text/plain", "value": "Hello"}],
    }
    body.update(extra)
    return body


def send(client: SendGridAPIClient, body: dict[str, Any]) -> Any:
    return client.client.mail.send.post(request_body=body)


def control(fake: FakeSendGrid, name: str, payload: object | None = None) -> Any:
    data = None if payload is None else json.dumps(payload).encode()
    request = urllib.request.Request(
        f"{fake.url}/__fake__/{name}",
        data=data,
        method="GET" if payload is None else "POST",
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        return json.loads(response.read())


def error_fields(exc: HTTPError) -> list[str | None]:
    return [error.get("field") for error in exc.to_dict["errors"]]


def test_fake_answers_202_with_a_message_id(fake: FakeSendGrid) -> None:
    response = send(sdk_client(fake), message("ada@example.com"))

    assert response.status_code == 202
    assert response.body == b""
    message_id = response.headers["X-Message-Id"]
    assert len(message_id) == 22
    [recorded] = fake.accepted
    assert recorded.message_id == message_id
    assert recorded.status == 202
    assert recorded.method == "POST"
    assert recorded.path == "/v3/mail/send"
    assert recorded.headers["authorization"] == "Bearer SG.test"
    assert recorded.body["personalizations"] == [{"to": [{"email": "ada@example.com"}]}]
    assert fake.requests == [recorded]


def test_every_accepted_request_gets_its_own_message_id(fake: FakeSendGrid) -> None:
    client = sdk_client(fake)
    ids = {send(client, message("ada@example.com")).headers["X-Message-Id"] for _ in range(20)}

    assert len(ids) == 20


def test_a_request_with_1000_personalizations_is_accepted(fake: FakeSendGrid) -> None:
    emails = [f"user{i}@example.com" for i in range(1000)]

    response = send(sdk_client(fake), message(*emails))

    assert response.status_code == 202
    assert len(fake.personalizations()) == 1000
    assert fake.personalizations()[-1] == {"to": [{"email": "user999@example.com"}]}


def test_a_request_with_1001_personalizations_is_rejected_with_400(
    fake: FakeSendGrid,
) -> None:
    emails = [f"user{i}@example.com" for i in range(1001)]

    with pytest.raises(BadRequestsError) as raised:
        send(sdk_client(fake), message(*emails))

    assert raised.value.status_code == 400
    assert error_fields(raised.value) == ["personalizations"]
    assert fake.accepted == []
    assert [r.status for r in fake.requests] == [400]


def test_a_scripted_429_is_answered_once_then_the_default_202_returns(
    fake: FakeSendGrid,
) -> None:
    client = sdk_client(fake)
    fake.script(429)

    with pytest.raises(TooManyRequestsError) as raised:
        send(client, message("ada@example.com"))
    second = send(client, message("ada@example.com"))

    assert raised.value.status_code == 429
    assert raised.value.headers["Retry-After"] == "0"
    assert int(raised.value.headers["X-RateLimit-Reset"]) >= int(time.time())
    assert second.status_code == 202
    assert [r.status for r in fake.requests] == [429, 202]
    assert fake.requests[0].message_id is None
    assert len(fake.accepted) == 1


def test_scripted_answers_are_consumed_in_order(fake: FakeSendGrid) -> None:
    client = sdk_client(fake)
    fake.script(500, Response(status=400, body=b'{"errors":[{"message":"custom"}]}'))

    with pytest.raises(InternalServerError) as first:
        send(client, message("ada@example.com"))
    with pytest.raises(BadRequestsError) as second:
        send(client, message("ada@example.com"))

    assert first.value.to_dict == {"errors": [{"message": "internal error"}]}
    assert second.value.to_dict == {"errors": [{"message": "custom"}]}
    assert send(client, message("ada@example.com")).status_code == 202


def test_a_rejected_recipient_gets_400_only_for_requests_containing_it(
    fake: FakeSendGrid,
) -> None:
    client = sdk_client(fake)
    fake.reject_recipients({"Bounce@Example.com"})

    with pytest.raises(BadRequestsError) as raised:
        send(client, message("ada@example.com", "bounce@example.COM"))
    accepted = send(client, message("ada@example.com", "grace@example.com"))

    assert raised.value.to_dict == {
        "errors": [
            {
                "message": "Does not contain a valid address.",
                "field": "personalizations.1.to.0.email",
                "help": None,
            }
        ]
    }
    assert accepted.status_code == 202
    assert [r.status for r in fake.requests] == [400, 202]


def test_a_rejection_can_use_another_status(fake: FakeSendGrid) -> None:
    fake.reject_recipients({"blocked@example.com"}, status=403)

    with pytest.raises(HTTPError) as raised:
        send(sdk_client(fake), message("blocked@example.com"))

    assert raised.value.status_code == 403


def test_a_hanging_answer_makes_the_sdk_raise_a_read_timeout(
    fake: FakeSendGrid,
) -> None:
    fake.script(fake.hang(1.0))
    client = sdk_client(fake, timeout=0.3)

    started = time.monotonic()
    with pytest.raises(TimeoutError) as raised:
        send(client, message("ada@example.com"))
    elapsed = time.monotonic() - started

    # The request was sent and received: urllib does not wrap a read timeout
    # in URLError (it only wraps errors raised while connecting/sending).
    assert not isinstance(raised.value, urllib.error.URLError)
    assert elapsed < 0.9
    assert len(fake.requests) == 1
    assert fake.requests[0].status == 0  # received, not yet answered
    # SendGrid accepted it on arrival and answers 202 after the delay: the client just never knew.
    assert fake.wait_for(1, timeout=5)
    assert fake.accepted[0].message_id
    deadline = time.monotonic() + 5
    while fake.accepted[0].status != 202 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert fake.accepted[0].status == 202


def test_a_refused_connection_raises_urlerror_not_a_timeout() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        free_port = probe.getsockname()[1]
    client = SendGridAPIClient(api_key="SG.test", host=f"http://127.0.0.1:{free_port}")
    client.client.timeout = 0.3

    with pytest.raises(urllib.error.URLError) as raised:
        send(client, message("ada@example.com"))

    assert isinstance(raised.value.reason, ConnectionRefusedError)


def test_a_request_without_authorization_is_answered_401(fake: FakeSendGrid) -> None:
    client = sdk_client(fake)
    del client.client.request_headers["Authorization"]

    with pytest.raises(UnauthorizedError) as raised:
        send(client, message("ada@example.com"))

    assert raised.value.status_code == 401
    assert raised.value.to_dict["errors"][0]["message"] == "authorization required"
    assert [r.status for r in fake.requests] == [401]
    assert fake.accepted == []


def test_a_non_bearer_authorization_is_answered_401(fake: FakeSendGrid) -> None:
    client = sdk_client(fake)
    client.client.request_headers["Authorization"] = "Basic dXNlcjpwYXNz"

    with pytest.raises(UnauthorizedError):
        send(client, message("ada@example.com"))


def test_a_body_that_is_not_json_is_answered_400(fake: FakeSendGrid) -> None:
    request = urllib.request.Request(
        f"{fake.url}/v3/mail/send",
        data=b"to=ada@example.com",
        headers={"Authorization": "Bearer SG.test", "Content-Type": "application/json"},
    )

    with pytest.raises(urllib.error.HTTPError) as raised:
        urllib.request.urlopen(request, timeout=5)

    assert raised.value.code == 400
    assert fake.requests[0].body == {}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda body: body.pop("personalizations"), "personalizations"),
        (lambda body: body.update(personalizations=[]), "personalizations"),
        (
            lambda body: body.update(personalizations=[{"cc": [{"email": "a@example.com"}]}]),
            "personalizations.0.to",
        ),
        (
            lambda body: body.update(personalizations=[{"to": [{"name": "Ada"}]}]),
            "personalizations.0.to.0.email",
        ),
        (lambda body: body.pop("from"), "from"),
        (lambda body: body.update({"from": {"name": "Druppel"}}), "from.email"),
        (lambda body: body.pop("subject"), "subject"),
        (lambda body: body.pop("content"), "content"),
        (lambda body: body.update(content=[{"type": "text/plain"}]), "content.0.value"),
        (lambda body: body.update(content=[{"value": "Hello"}]), "content.0.type"),
    ],
)
def test_an_invalid_message_is_answered_400_naming_the_field(
    fake: FakeSendGrid, change: Callable[[dict[str, Any]], object], field: str
) -> None:
    body = message("ada@example.com")
    change(body)

    with pytest.raises(BadRequestsError) as raised:
        send(sdk_client(fake), body)

    assert error_fields(raised.value) == [field]
    assert fake.accepted == []


def test_a_subject_in_every_personalization_or_a_template_replaces_the_top_level_one(
    fake: FakeSendGrid,
) -> None:
    client = sdk_client(fake)
    with_subjects = message("ada@example.com", "grace@example.com")
    del with_subjects["subject"]
    for personalization in with_subjects["personalizations"]:
        personalization["subject"] = "Hi"
    templated = message("ada@example.com", template_id="d-123")
    del templated["subject"], templated["content"]
    one_subject_missing = message("ada@example.com", "grace@example.com")
    del one_subject_missing["subject"]
    one_subject_missing["personalizations"][0]["subject"] = "Hi"

    assert send(client, with_subjects).status_code == 202
    assert send(client, templated).status_code == 202
    with pytest.raises(BadRequestsError):
        send(client, one_subject_missing)


def test_custom_args_of_a_personalization_win_over_the_request_ones(
    fake: FakeSendGrid,
) -> None:
    body = message(
        "ada@example.com",
        "grace@example.com",
        custom_args={"batch": "b1", "kind": "lesson"},
    )
    body["personalizations"][1]["custom_args"] = {"kind": "reminder", "user": "7"}

    send(sdk_client(fake), body)

    assert fake.custom_args() == [
        {"batch": "b1", "kind": "lesson"},
        {"batch": "b1", "kind": "reminder", "user": "7"},
    ]


def test_wait_for_reports_false_when_too_few_requests_arrive(
    fake: FakeSendGrid,
) -> None:
    send(sdk_client(fake), message("ada@example.com"))

    assert fake.wait_for(1, timeout=0.1) is True
    assert fake.wait_for(2, timeout=0.1) is False


def test_reset_forgets_requests_scripts_and_rejections(fake: FakeSendGrid) -> None:
    client = sdk_client(fake)
    send(client, message("ada@example.com"))
    fake.script(500)
    fake.reject_recipients({"ada@example.com"})

    fake.reset()

    assert fake.requests == []
    assert fake.accepted == []
    assert send(client, message("ada@example.com")).status_code == 202


def test_the_control_api_scripts_rejects_reports_and_resets(fake: FakeSendGrid) -> None:
    client = sdk_client(fake)

    assert control(fake, "script", {"responses": [{"status": 429}, {"status": 202, "delay": 0.05}]}) == {"queued": 2}
    assert control(fake, "reject", {"emails": ["bounce@example.com"], "status": 400}) == {
        "rejected": 1,
        "status": 400,
    }
    with pytest.raises(TooManyRequestsError):
        send(client, message("ada@example.com"))
    accepted = send(client, message("ada@example.com", "grace@example.com"))
    with pytest.raises(BadRequestsError):
        send(client, message("bounce@example.com"))

    assert control(fake, "stats") == {
        "requests": 3,
        "accepted": 1,
        "personalizations": 2,
    }
    listed = control(fake, "requests")
    assert [(r["status"], r["message_id"]) for r in listed] == [
        (429, None),
        (202, accepted.headers["X-Message-Id"]),
        (400, None),
    ]
    assert listed[1]["method"] == "POST"
    assert listed[1]["path"] == "/v3/mail/send"
    assert listed[1]["body"]["personalizations"][1] == {"to": [{"email": "grace@example.com"}]}
    assert isinstance(listed[1]["received_at"], float)

    assert control(fake, "reset", {}) == {"reset": True}
    assert control(fake, "stats") == {
        "requests": 0,
        "accepted": 0,
        "personalizations": 0,
    }
    assert send(client, message("bounce@example.com")).status_code == 202


def test_the_control_api_refuses_a_malformed_script(fake: FakeSendGrid) -> None:
    with pytest.raises(urllib.error.HTTPError) as raised:
        control(fake, "script", {"responses": [{"status": "soon"}]})

    assert raised.value.code == 400
    assert send(sdk_client(fake), message("ada@example.com")).status_code == 202


def test_a_keep_alive_connection_serves_several_requests(fake: FakeSendGrid) -> None:
    port = int(fake.url.rsplit(":", 1)[1])
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    payload = json.dumps(message("ada@example.com")).encode()
    headers = {"Authorization": "Bearer SG.test", "Content-Type": "application/json"}
    statuses: list[int] = []
    local_ports: set[int | None] = set()
    try:
        for _ in range(3):
            connection.request("POST", "/v3/mail/send", body=payload, headers=headers)
            response = connection.getresponse()
            response.read()
            statuses.append(response.status)
            # http.client drops its socket when the server closes the connection.
            local_ports.add(connection.sock.getsockname()[1] if connection.sock else None)
    finally:
        connection.close()

    assert statuses == [202, 202, 202]
    assert len(local_ports) == 1
    assert None not in local_ports
    assert len(fake.accepted) == 3


def test_an_accepted_hook_sees_every_accepted_request(fake: FakeSendGrid) -> None:
    seen: list[RecordedRequest] = []
    fake.add_accepted_hook(seen.append)
    fake.reject_recipients({"bounce@example.com"})
    client = sdk_client(fake)

    send(client, message("ada@example.com"))
    with pytest.raises(BadRequestsError):
        send(client, message("bounce@example.com"))

    assert [r.status for r in seen] == [202]


def test_the_module_runs_on_its_own_and_stops_on_sigterm() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.fake_sendgrid", "--port", "0"],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline().strip()
        assert line.startswith("fake SendGrid listening on http://127.0.0.1:")
        url = line.rsplit(" ", 1)[1]
        with urllib.request.urlopen(f"{url}/__fake__/stats", timeout=5) as response:
            assert json.loads(response.read()) == {
                "requests": 0,
                "accepted": 0,
                "personalizations": 0,
            }
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


# -- SendGrid's documented Mail Send rules (see the citations in tests/fake_sendgrid.py) ----


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
