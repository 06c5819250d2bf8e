"""Shared by the fake SendGrid's own tests: the fake, the real SDK pointed at it, and request builders."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from python_http_client.exceptions import (  # type: ignore[import-untyped]
    HTTPError,
)
from sendgrid import SendGridAPIClient  # type: ignore[import-untyped]

from tests.fake_sendgrid import FakeSendGrid

REPO_ROOT = Path(__file__).resolve().parents[2]


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
