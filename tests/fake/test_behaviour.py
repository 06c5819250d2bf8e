"""The fake SendGrid behaves like SendGrid's Mail Send API: answers, scripts, hooks, the control API."""

from __future__ import annotations

import http.client
import json
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from python_http_client.exceptions import (  # type: ignore[import-untyped]
    BadRequestsError,
    HTTPError,
    InternalServerError,
    TooManyRequestsError,
    UnauthorizedError,
)
from sendgrid import SendGridAPIClient  # type: ignore[import-untyped]

from tests.fake.conftest import error_fields, message, sdk_client, send
from tests.fake_sendgrid import FakeSendGrid, RecordedRequest, Response

REPO_ROOT = Path(__file__).resolve().parents[2]


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
