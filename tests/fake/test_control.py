"""The fake's control API, for driving it from another process, and the fake run on its own."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from python_http_client.exceptions import (  # type: ignore[import-untyped]
    BadRequestsError,
    TooManyRequestsError,
)

from tests.fake.conftest import control, message, sdk_client, send
from tests.fake_sendgrid import FakeSendGrid

REPO_ROOT = Path(__file__).resolve().parents[2]


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
