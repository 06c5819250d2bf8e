"""What the fake answers and records: scripted responses, recorded requests, SendGrid-shaped errors."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

MAIL_SEND_PATH = "/v3/mail/send"
CONTROL_PREFIX = "/__fake__/"
# [limitations] "The total size of your email, including attachments, must be less than 30MB";
# [errors] 413 "The JSON payload you have included in your request is too large". The fake
# counts the request body. A body up to MAX_DRAINED_BYTES is read (and dropped) before the 413,
# so the client gets to read the answer; a bigger one is answered unread and the connection closed.
MAX_BODY_BYTES = 30 * 1024 * 1024
MAX_DRAINED_BYTES = 64 * 1024 * 1024
_HELP_URL = "https://docs.sendgrid.com/api-reference/mail-send/errors"

JSONDict = dict[str, Any]
# Called with every request answered 202, after the answer was written; received hooks
# run as soon as a request is known to be accepted, before any scripted delay.
AcceptedHook = Callable[["RecordedRequest"], None]


@dataclass
class Response:
    """One scripted answer of the fake.

    A status of 202 means "behave normally, after ``delay`` seconds": the
    request is still validated and checked against rejected recipients, and
    a 202 answer gets its message id. Any other status is answered as is.
    An empty ``body`` on an error status is replaced by a SendGrid-like
    default body, and a 429 gets rate-limit headers unless given.
    """

    status: int = 202
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    # A request that never got through: after ``delay`` the connection is closed without an
    # answer, and nothing is accepted (a timeout in front of the provider, not behind it).
    lost: bool = False

    def __post_init__(self) -> None:
        if not 100 <= self.status <= 599:
            raise ValueError(f"not an HTTP status: {self.status}")
        if self.delay < 0:
            raise ValueError(f"delay must not be negative: {self.delay}")


@dataclass
class RecordedRequest:
    """A mail-send request as the fake received and answered it.

    ``status`` is 0 while the answer is still being prepared (for instance
    while a ``hang()`` delay runs), so a test can tell "received, not yet
    answered" apart from "never received". Header names are lower-cased.
    """

    method: str
    path: str
    headers: dict[str, str]
    body: JSONDict
    status: int
    message_id: str | None
    received_at: float

    def as_json(self) -> JSONDict:
        """The shape served by ``GET /__fake__/requests``."""
        return {
            "method": self.method,
            "path": self.path,
            "status": self.status,
            "message_id": self.message_id,
            "body": self.body,
            "received_at": self.received_at,
        }


def _error(message: str, field_name: str | None = None, help_url: str | None = None) -> JSONDict:
    return {"message": message, "field": field_name, "help": help_url}


def _errors_body(errors: list[JSONDict]) -> bytes:
    return json.dumps({"errors": errors}).encode()


def _default_body(status: int) -> bytes:
    if status < 400:
        return b""
    if status in (500, 503):
        message = "internal error"
    elif status == 413:
        message = "payload too large"
    elif status == 429:
        message = "too many requests"
    else:
        try:
            message = HTTPStatus(status).phrase
        except ValueError:
            message = "error"
    return json.dumps({"errors": [{"message": message}]}).encode()


def _default_headers(status: int) -> dict[str, str]:
    if status != 429:
        return {}
    # SendGrid announces the end of the rate-limit window as epoch seconds;
    # Retry-After is 0 so clients that honour it keep tests fast.
    return {
        "X-RateLimit-Limit": "600",
        "X-RateLimit-Remaining": "0",
        "X-RateLimit-Reset": str(int(time.time()) + 1),
        "Retry-After": "0",
    }


def _response_from_json(item: object) -> Response:
    """Build a Response from its control-API form.

    Raises TypeError or ValueError when ``item`` is malformed.
    """
    if not isinstance(item, dict):
        raise TypeError("each response must be an object")
    status = item.get("status", 202)
    delay = item.get("delay", 0.0)
    raw_body = item.get("body", b"")
    headers = item.get("headers", {})
    if not isinstance(status, int) or isinstance(status, bool):
        raise TypeError("status must be an integer")
    if not isinstance(delay, int | float) or isinstance(delay, bool):
        raise TypeError("delay must be a number")
    if not isinstance(headers, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in headers.items()):
        raise TypeError("headers must map strings to strings")
    if isinstance(raw_body, str):
        body = raw_body.encode()
    elif isinstance(raw_body, bytes):
        body = raw_body
    else:
        body = json.dumps(raw_body).encode()
    return Response(status=status, body=body, headers=dict(headers), delay=float(delay))


_NOT_A_JSON_OBJECT = _errors_body([_error("Bad Request: the body must be a JSON object.", None, _HELP_URL)])
_TOO_LARGE = _errors_body(
    [_error("The JSON payload you have included in your request is too large.", None, f"{_HELP_URL}#message.413")]
)
# [errors] Encoding errors: 415 "Invalid UTF8 in request".
_NOT_UTF8 = _errors_body([_error("Invalid UTF8 in request", None, f"{_HELP_URL}#message.Encoding")])
_INVALID_UTF8 = object()  # what _mail_send parses a body that is not UTF-8 into
