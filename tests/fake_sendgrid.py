"""A small in-process fake of the SendGrid v3 Mail Send API.

The fake serves ``POST /v3/mail/send`` on a loopback port, so the real
``sendgrid`` SDK can be pointed at it::

    with FakeSendGrid() as fake:
        client = SendGridAPIClient(api_key="SG.test", host=fake.url)
        client.client.mail.send.post(request_body=message)
        assert fake.accepted[0].status == 202

Besides the Python API it serves a control/inspection API under
``/__fake__/`` so it can be driven from another process (see ``_Handler``),
and it can be run on its own::

    python -m tests.fake_sendgrid --port 3030 [--verbose]

Behaviour in short:

* Requests without ``Authorization: Bearer <token>`` are answered 401.
* A body over 30 MB is answered 413, one that is not UTF-8 415, one that is
  not a JSON object 400.
* The body is checked against SendGrid's documented Mail Send rules; each
  rule cites its page where it is checked (``_check_message``):
  at most 1,000 personalizations and 1,000 recipients (to + cc + bcc); each
  address once per request, across every personalization's to, cc and bcc
  (Druppel's planner relies on this refusal being real); addresses of at
  most 320 characters, recipient names without ``;`` or ``,``; headers with
  string values, ASCII names, none twice and none of the reserved ones
  (x-sg-id, x-sg-eid, received, dkim-signature, Content-Type,
  Content-Transfer-Encoding, To, From, Subject, Reply-To, CC, BCC);
  custom_args of strings, at most 10,000 bytes per personalization once
  merged; substitutions of strings, at most 100 and 10,000 bytes; at most 10
  unique ASCII categories of at most 255 characters; a subject (or one per
  personalization, or a template); content blocks with a type and a value,
  text/plain first, then text/html. Every violation found is reported in one
  400 with SendGrid's ``{"errors": [{"message", "field", "help"}]}`` body.
  Rules that depend on the account (template, IP pool or ASM group ids) and
  parameters Druppel never sends (attachments, send_at, batch_id, asm,
  mail_settings) are not modelled.
* Valid requests are accepted on arrival and answered 202 with an empty body
  and a unique ``X-Message-Id`` header.
* ``script()`` queues one-shot answers for the next mail-send requests
  (``hang()`` delays one, ``lose()`` never answers it), and
  ``reject_recipients()`` adds persistent per-recipient failures.
* Received hooks run as soon as a request is accepted, before a scripted
  delay (SendGrid's events can arrive before its answer); accepted hooks run
  after a 202 was written. ``accepted`` and ``requests`` record what came in.

Events the other way: tests/sendgrid_events.py signs and posts SendGrid-shaped
events to Druppel's webhook, and tests/lessons/sendgrid_sample_events.json holds
SendGrid's published sample of each event type.
"""

from __future__ import annotations

import argparse
import json
import re
import secrets
import signal
import socket
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import FrameType, TracebackType
from typing import Any, Self, TypeGuard
from urllib.parse import urlsplit

__all__ = [
    "MAIL_SEND_PATH",
    "MAX_PERSONALIZATIONS",
    "FakeSendGrid",
    "RecordedRequest",
    "Response",
]

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


# -- SendGrid's documented Mail Send rules ------------------------------------------------
#
# Each rule below cites the page that documents it:
# [errors]      https://www.twilio.com/docs/sendgrid/api-reference/mail-send/errors
#               (the parameter-level error table; every error there is a 400, encoding a 415)
# [limitations] https://docs.sendgrid.com/api-reference/mail-send/limitations
# [request]     https://docs.sendgrid.com/api-reference/mail-send/mail-send
#               (request body parameters: types, minimums and maximums)
# Each violation is one SendGrid-shaped error, {"message", "field", "help"}; like SendGrid,
# the fake reports as many as it finds in one answer. Rules SendGrid checks against the
# account (template, IP pool and ASM group ids, the sender's verification) and parameters
# Druppel never sends (attachments, send_at, batch_id, asm, mail_settings) are not modelled.

# [errors] personalizations; [request] personalizations "Min 1, Max 1000".
MAX_PERSONALIZATIONS = 1000
# [errors] "There is a limit of 1000 total recipients (to + cc + bcc) per request"; [limitations].
MAX_RECIPIENTS = 1000
# [errors] "The To email exceeds the maximum total length of 320 characters" (also cc, bcc, from).
MAX_ADDRESS_LENGTH = 320
# [errors] personalizations.custom_args: "The combined size of both global and personalization
# custom arguments may not exceed 10,000 bytes per personalization"; [limitations]. SendGrid does
# not say how it counts; the fake counts the merged object as compact UTF-8 JSON.
MAX_CUSTOM_ARGS_BYTES = 10_000
# [request] personalizations.substitutions: "Max 100 substitutions, or 10K bytes, per
# personalization object" (counted like custom_args).
MAX_SUBSTITUTIONS = 100
MAX_SUBSTITUTION_BYTES = 10_000
# [errors] categories: at most 10, each at most 255 characters, unique, ASCII.
MAX_CATEGORIES = 10
MAX_CATEGORY_LENGTH = 255
# [errors] headers and personalizations.headers: "Header can not be one of the reserved keys"
# (the same list is in [request] under headers). Header names are case-insensitive in mail, so
# the fake compares them case-insensitively.
RESERVED_HEADERS = frozenset(
    name.lower()
    for name in (
        "x-sg-id", "x-sg-eid", "received", "dkim-signature", "Content-Type", "Content-Transfer-Encoding",
        "To", "From", "Subject", "Reply-To", "CC", "BCC",
    )
)  # fmt: skip


_SPACE = re.compile(r"\s")


def _invalid(message: str, field_name: str) -> JSONDict:
    """A validation error; its help link points at the [errors] table's row, as SendGrid's do."""
    anchor = ".".join(part for part in field_name.split(".") if not part.isdigit())
    return _error(message, field_name, f"{_HELP_URL}#message.{anchor}")


def _looks_like_email(value: object) -> TypeGuard[str]:
    if not isinstance(value, str):
        return False
    local, at, domain = value.rpartition("@")
    return bool(at and local and "." in domain and " " not in value)


def _string_map(value: object) -> TypeGuard[dict[str, str]]:
    return isinstance(value, dict) and all(type(item) is str for item in value.values())


def _over(value: dict[str, str], limit: int) -> bool:
    """Whether ``value`` is more than ``limit`` bytes as compact UTF-8 JSON. A character takes at
    most 6 bytes there (\\uXXXX), so a small object is known to fit without encoding it."""
    chars = sum(map(len, value)) + sum(map(len, value.values()))
    if 6 * chars + 6 * len(value) + 2 <= limit:
        return False
    return len(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()) > limit


def _new_message_id() -> str:
    # 16 random bytes are exactly 22 url-safe base64 characters.
    return secrets.token_urlsafe(16)


def _nonempty_str(value: object) -> bool:
    return isinstance(value, str) and bool(value)


@dataclass
class _Checked:
    """What one pass over a request found."""

    errors: list[JSONDict] = field(default_factory=list)
    rejections: list[JSONDict] = field(default_factory=list)
    reject_status: int = 0
    # Lower-cased address -> the field that named it first ([errors]: each address once per request).
    seen: dict[str, str] = field(default_factory=dict)
    recipients: int = 0

    def add(self, message: str, field_name: str) -> None:
        self.errors.append(_invalid(message, field_name))


def _check_message(body: JSONDict, rejected: dict[str, int]) -> tuple[int, list[JSONDict]]:
    """Validate a mail-send body against SendGrid's documented rules; (status, errors), 202 when fine.

    One pass over the personalizations, so the cost is linear in the size of the request.
    Validation errors win over rejected recipients (``reject_recipients``).
    """
    checked = _Checked()
    personalizations = _check_personalization_list(body, checked)
    shared_args = body.get("custom_args")
    _check_custom_args(shared_args, "custom_args", checked)
    shared_over = _string_map(shared_args) and _over(shared_args, MAX_CUSTOM_ARGS_BYTES)
    for index, personalization in enumerate(personalizations):
        _check_personalization(personalization, f"personalizations.{index}", checked, rejected)
        if isinstance(personalization, dict):
            _check_merged_custom_args(shared_args, shared_over, personalization, f"personalizations.{index}", checked)
    if checked.recipients > MAX_RECIPIENTS:
        # [errors] personalizations; [limitations] "The total number of recipients must be no more than 1000".
        checked.add("There is a limit of 1000 total recipients (to + cc + bcc) per request.", "personalizations")
    _check_sender(body, checked)
    _check_subject(body, personalizations, checked)
    _check_content(body, checked)
    _check_headers(body.get("headers"), "headers", checked)
    _check_categories(body.get("categories"), checked)
    if checked.errors:
        return 400, checked.errors
    if checked.rejections:
        return checked.reject_status, checked.rejections
    return 202, []


def _check_personalization_list(body: JSONDict, checked: _Checked) -> list[object]:
    """[errors] personalizations: at least one, at most 1,000 (past that nothing else is looked at)."""
    personalizations = body.get("personalizations")
    if not isinstance(personalizations, list) or not personalizations:
        checked.add(
            "The personalizations field is required and must have at least one personalization.", "personalizations"
        )
        return []
    if len(personalizations) > MAX_PERSONALIZATIONS:
        checked.add(
            f"The personalization block is limited to {MAX_PERSONALIZATIONS} personalizations per API request. "
            f"You have provided {len(personalizations)} personalizations. Please consider splitting this into "
            "multiple requests and resending your request.",
            "personalizations",
        )
        return []
    return personalizations


def _check_personalization(personalization: object, prefix: str, checked: _Checked, rejected: dict[str, int]) -> None:
    if not isinstance(personalization, dict):
        checked.add("Each personalization must be an object.", prefix)
        return
    to = personalization.get("to")
    if not isinstance(to, list) or not to:
        # [errors] personalizations: "The to parameter is required for all personalization objects."
        checked.add(
            "The to array is required for all personalization objects, and must have "
            "at least one email object with a valid email address.",
            f"{prefix}.to",
        )
    for kind in ("to", "cc", "bcc"):
        entries = personalization.get(kind)
        if entries is None or (kind == "to" and not (isinstance(entries, list) and entries)):
            continue
        if not isinstance(entries, list):
            checked.add(f"The {kind} array, when used, must be an array of email objects.", f"{prefix}.{kind}")
            continue
        for index, entry in enumerate(entries):
            _check_recipient(entry, kind, f"{prefix}.{kind}", index, checked, rejected)
    subject = personalization.get("subject")
    if subject is not None and not _nonempty_str(subject):
        # [errors] personalizations.subject
        checked.add("The subject of your email must be a string at least one character in length.", f"{prefix}.subject")
    _check_headers(personalization.get("headers"), f"{prefix}.headers", checked)
    _check_substitutions(personalization.get("substitutions"), f"{prefix}.substitutions", checked)


def _check_recipient(
    entry: object, kind: str, list_field: str, index: int, checked: _Checked, rejected: dict[str, int]
) -> None:
    """[errors] personalizations.to/cc/bcc: a valid address of at most 320 characters, named once per
    request; [limitations] and [request]: a name without ``;`` or ``,``."""
    checked.recipients += 1
    field_name = f"{list_field}.{index}"
    email = entry.get("email") if isinstance(entry, dict) else None
    if not isinstance(entry, dict) or not _looks_like_email(email):
        checked.add("Does not contain a valid address.", f"{field_name}.email")
        return
    if len(email) > MAX_ADDRESS_LENGTH:
        checked.add(
            f"The {kind.capitalize()} email exceeds the maximum total length of 320 characters", f"{field_name}.email"
        )
    name = entry.get("name")
    if name is not None and (not isinstance(name, str) or ";" in name or "," in name):
        checked.add(f"The {kind}.name may not contain ';' or ',' characters.", f"{field_name}.name")
    key = email.lower()
    if key in checked.seen:
        # [errors] personalizations: the duplicate rule that Druppel's planner relies on.
        checked.add(
            f"Each unique email address in the personalizations array should only be included once. "
            f"You have included {email} more than once (duplicate of {checked.seen[key]}).",
            list_field,
        )
    else:
        checked.seen[key] = field_name
    status = rejected.get(key) if rejected and kind == "to" else None
    if status is not None:
        checked.reject_status = checked.reject_status or status
        checked.rejections.append(_error("Does not contain a valid address.", f"{field_name}.email"))


def _check_sender(body: JSONDict, checked: _Checked) -> None:
    """[errors] from, reply_to: an email object with a valid address of at most 320 characters."""
    sender = body.get("from")
    if not isinstance(sender, dict) or not _looks_like_email(sender.get("email")):
        checked.add(
            "The from object must be provided for every email send. It is an object that "
            "requires the email parameter, but may also contain a name parameter.",
            "from.email" if isinstance(sender, dict) else "from",
        )
    elif len(sender["email"]) > MAX_ADDRESS_LENGTH:
        checked.add("The From email exceeds the maximum total length of 320 characters", "from.email")
    reply_to = body.get("reply_to")
    if reply_to is not None and not (isinstance(reply_to, dict) and _looks_like_email(reply_to.get("email"))):
        checked.add(
            "The reply_to object, when used, must at least have an email parameter with a valid email address "
            "and it may also contain a name parameter.",
            "reply_to",
        )


def _has_template(body: JSONDict) -> bool:
    return _nonempty_str(body.get("template_id"))


def _check_subject(body: JSONDict, personalizations: list[object], checked: _Checked) -> None:
    """[errors] subject: a non-empty string, required unless a template or every personalization has one."""
    subject = body.get("subject")
    if subject is not None and not _nonempty_str(subject):
        checked.add("The subject of your email must be a string at least one character in length.", "subject")
        return
    every_personalization_has_one = bool(personalizations) and all(
        isinstance(p, dict) and _nonempty_str(p.get("subject")) for p in personalizations
    )
    if subject is None and not _has_template(body) and not every_personalization_has_one:
        checked.add(
            "The subject is required. You can get around this requirement if you use a "
            "template with a subject defined or if every personalization has a subject defined.",
            "subject",
        )


def _check_content(body: JSONDict, checked: _Checked) -> None:
    """[errors] content, content.type, content.value: at least one block unless a template is used; each
    with a type (no ``;`` or CRLF) and a non-empty value; text/plain first, then text/html."""
    content = body.get("content")
    if content is None:
        if not _has_template(body):
            checked.add(
                "Unless a valid template_id is provided, the content parameter is required. "
                "There must be at least one defined content block.",
                "content",
            )
        return
    if not isinstance(content, list) or (not content and not _has_template(body)):
        checked.add("The content parameter must be a list of content blocks.", "content")
        return
    types = []
    for index, block in enumerate(content):
        kind = block.get("type") if isinstance(block, dict) else None
        if not isinstance(block, dict) or not isinstance(kind, str) or not kind:
            checked.add("The content type must be provided.", f"content.{index}.type")
            continue
        if any(char in kind for char in ";\r\n"):
            checked.add("Cannot contain ';', or CRLF characters.", f"content.{index}.type")
        if not _nonempty_str(block.get("value")):
            checked.add(
                "The content value must be a string at least one character in length.", f"content.{index}.value"
            )
        types.append(kind.lower())
    expected = [kind for kind in ("text/plain", "text/html") if kind in types]
    if types[: len(expected)] != expected:
        checked.add(
            "Following RFC 1341, section 7.2, if either text/html or text/plain are to be sent in your email: "
            "text/plain needs to be first, followed by text/html, followed by any other content.",
            "content",
        )


def _check_headers(headers: object, field_name: str, checked: _Checked) -> None:
    """[errors] headers, personalizations.headers: string values, ASCII keys without spaces, no key
    twice, none of the reserved keys."""
    if headers is None:
        return
    if not isinstance(headers, dict):
        checked.add("The headers must be an object of header names and values.", field_name)
        return
    seen: set[str] = set()
    for name, value in headers.items():
        if not name or not name.isascii() or _SPACE.search(name):
            checked.add("Header keys cannot contain non-ASCII characters and empty spaces.", field_name)
        elif name.lower() in RESERVED_HEADERS:
            checked.add(f"Header can not be one of the reserved keys ({name}).", field_name)
        elif name.lower() in seen:
            checked.add("The headers cannot contain duplicate keys.", field_name)
        if not isinstance(value, str):
            checked.add("The header values must be strings.", field_name)
        seen.add(name.lower())


def _check_custom_args(args: object, field_name: str, checked: _Checked) -> None:
    """[errors] personalizations.custom_args: a non-empty object of strings."""
    if args is None:
        return
    if not isinstance(args, dict) or not args:
        checked.add("custom_args cannot be empty, and must be an object.", field_name)
    elif not _string_map(args):
        checked.add("All values of custom arguments object must be strings", field_name)


def _check_merged_custom_args(
    shared: object, shared_over: bool, personalization: JSONDict, prefix: str, checked: _Checked
) -> None:
    own = personalization.get("custom_args")
    _check_custom_args(own, f"{prefix}.custom_args", checked)
    if own is None:
        over = shared_over
    elif _string_map(own):
        # The personalization's keys win, as SendGrid merges them.
        over = _over({**shared, **own} if _string_map(shared) else own, MAX_CUSTOM_ARGS_BYTES)
    else:
        over = False
    if over:
        checked.add(
            "The combined size of both global and personalization custom arguments may not exceed "
            "10,000 bytes per personalization.",
            f"{prefix}.custom_args",
        )


def _check_substitutions(substitutions: object, field_name: str, checked: _Checked) -> None:
    """[errors] personalizations.substitutions: an object of strings; [request]: at most 100, 10K bytes."""
    if substitutions is None:
        return
    if not _string_map(substitutions):
        checked.add(
            "The substitution values must be an object of key/value pairs, where the values are all strings.",
            field_name,
        )
        return
    if len(substitutions) > MAX_SUBSTITUTIONS or _over(substitutions, MAX_SUBSTITUTION_BYTES):
        checked.add(
            "You may not include more than 100 substitutions per personalization object, and the total "
            "collective size of your substitutions may not exceed 10,000 bytes per personalization object.",
            field_name,
        )


def _check_categories(categories: object, checked: _Checked) -> None:
    """[errors] categories: an array of at most 10 unique ASCII strings of at most 255 characters."""
    if categories is None:
        return
    if not isinstance(categories, list) or not all(isinstance(c, str) for c in categories):
        checked.add("Categories must be an array of strings.", "categories")
        return
    if len(categories) > MAX_CATEGORIES:
        checked.add(
            f"There is a limit of {MAX_CATEGORIES} categories for each email that is sent. "
            f"You provided {len(categories)} categories.",
            "categories",
        )
    seen: set[str] = set()
    for category in categories:
        if len(category) > MAX_CATEGORY_LENGTH:
            checked.add(
                f"Each category must not be longer than 255 characters. {category[:40]}… exceeds this limit",
                "categories",
            )
        if not category.isascii():
            checked.add("Categories can not contain non-ASCII characters.", "categories")
        if category in seen:
            checked.add(
                f"The categories must be a unique list, and you have included {category} more than once.", "categories"
            )
        seen.add(category)


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


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], fake: FakeSendGrid) -> None:
        self.fake = fake
        super().__init__(address, _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that gave up (e.g. after its read timeout) is normal here.
        exc = sys.exc_info()[1]
        if isinstance(exc, ConnectionError) and not self.fake.verbose:
            return
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    """Serves the mail API and the ``/__fake__/`` control API.

    Control API:

    * ``GET /__fake__/requests``: recorded requests as JSON.
    * ``GET /__fake__/stats``: ``{"requests", "accepted", "personalizations"}``.
    * ``POST /__fake__/script``: ``{"responses": [{"status": 429}, ...]}``.
    * ``POST /__fake__/reject``: ``{"emails": [...], "status": 400}``.
    * ``POST /__fake__/reset``.
    """

    protocol_version = "HTTP/1.1"
    server_version = "FakeSendGrid/1.0"
    # Idle keep-alive connections are dropped after this many seconds.
    timeout = 60
    server: _Server

    def setup(self) -> None:
        super().setup()
        # Headers and body are written separately; without this, Nagle's
        # algorithm and delayed ACKs add ~40 ms to keep-alive requests.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def version_string(self) -> str:
        return self.server_version

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.fake.verbose:
            super().log_message(format, *args)

    # -- plumbing ---------------------------------------------------------

    def _send(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        extra = headers or {}
        if body and not any(name.lower() == "content-type" for name in extra):
            self.send_header("Content-Type", "application/json")
        for name, value in extra.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if body:
            self.wfile.write(body)

    def _send_json(self, status: int, payload: object) -> None:
        self._send(status, json.dumps(payload).encode())

    def _read_body(self) -> bytes | None:
        """Read the request body; answer and return None if that is impossible."""
        raw_length = self.headers.get("Content-Length")
        if raw_length is None:
            if self.command == "POST":
                self.close_connection = True
                self._send(411, _errors_body([_error("Content-Length is required.")]))
                return None
            return b""
        try:
            length = int(raw_length)
            if length < 0:
                raise ValueError(raw_length)
        except ValueError:
            self.close_connection = True
            self._send(400, _errors_body([_error("Invalid Content-Length.")]))
            return None
        if length > MAX_BODY_BYTES:
            self._drain(length)
            self.close_connection = True
            self._send(413, _TOO_LARGE)
            return None
        return self.rfile.read(length) if length else b""

    def _drain(self, length: int) -> None:
        if length > MAX_DRAINED_BYTES:
            return
        while length > 0:
            chunk = self.rfile.read(min(length, 1024 * 1024))
            if not chunk:
                return
            length -= len(chunk)

    # -- dispatch ---------------------------------------------------------

    def do_POST(self) -> None:
        self._dispatch()

    def do_GET(self) -> None:
        self._dispatch()

    def do_PUT(self) -> None:
        self._dispatch()

    def do_DELETE(self) -> None:
        self._dispatch()

    def do_PATCH(self) -> None:
        self._dispatch()

    def _dispatch(self) -> None:
        raw = self._read_body()
        if raw is None:
            return
        path = urlsplit(self.path).path
        if path == MAIL_SEND_PATH:
            if self.command != "POST":
                self._send(405, _errors_body([_error("method not allowed")]), {"Allow": "POST"})
            else:
                self._mail_send(raw)
        elif path.startswith(CONTROL_PREFIX):
            self._control(path[len(CONTROL_PREFIX) :], raw)
        else:
            self._send(404, _errors_body([_error("resource not found")]))

    # -- mail API ---------------------------------------------------------

    def _mail_send(self, raw: bytes) -> None:
        fake = self.server.fake
        headers = {name.lower(): value for name, value in self.headers.items()}
        parsed: object
        try:
            parsed = json.loads(raw.decode("utf-8"))
        except UnicodeDecodeError:
            parsed = _INVALID_UTF8
        except ValueError:
            parsed = None
        body: JSONDict = parsed if isinstance(parsed, dict) else {}
        record, scripted, generation = fake._begin(self.command, self.path, headers, body)

        status, answer_body, answer_headers = self._decide(headers, parsed, scripted)
        message_id = _new_message_id() if status == 202 and not (scripted and scripted.lost) else None
        if message_id is not None:
            answer_headers["X-Message-Id"] = message_id
            # Accepted on arrival: SendGrid processes a request (and reports it) while its answer
            # may still be on its way, or never arrive.
            fake._accept(record, message_id, generation)
            fake._run_hooks(fake._received_hooks, record)

        if scripted is not None and scripted.delay > 0:
            fake._sleep(scripted.delay)
        if scripted is not None and scripted.lost:
            self.close_connection = True
            return

        fake._finish(record, status, message_id, generation)
        self._send(status, answer_body, answer_headers)
        if status == 202:
            fake._run_accepted_hooks(record)

    def _decide(
        self, headers: dict[str, str], parsed: object, scripted: Response | None
    ) -> tuple[int, bytes, dict[str, str]]:
        fake = self.server.fake
        if scripted is not None and scripted.status != 202:
            answer_headers = _default_headers(scripted.status)
            answer_headers.update(scripted.headers)
            return (
                scripted.status,
                scripted.body or _default_body(scripted.status),
                answer_headers,
            )

        scripted_headers = dict(scripted.headers) if scripted is not None else {}
        authorization = headers.get("authorization", "")
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            message = (
                "The provided authorization grant is invalid, expired, or revoked"
                if authorization
                else "authorization required"
            )
            return 401, _errors_body([_error(message)]), {}
        if parsed is _INVALID_UTF8:
            return 415, _NOT_UTF8, {}
        if not isinstance(parsed, dict):
            return 400, _NOT_A_JSON_OBJECT, {}

        status, errors = _check_message(parsed, fake._rejected_snapshot())
        if status != 202:
            return status, _errors_body(errors), {}
        return 202, scripted.body if scripted is not None else b"", scripted_headers

    # -- control API ------------------------------------------------------

    def _control(self, name: str, raw: bytes) -> None:
        fake = self.server.fake
        if self.command == "GET" and name == "requests":
            self._send_json(200, [record.as_json() for record in fake._requests_snapshot()])
            return
        if self.command == "GET" and name == "stats":
            self._send_json(200, fake.stats())
            return
        if self.command != "POST" or name not in ("script", "reject", "reset"):
            self._send(
                404,
                _errors_body([_error(f"unknown control endpoint {self.command} {name}")]),
            )
            return
        if name == "reset":
            fake.reset()
            self._send_json(200, {"reset": True})
            return
        try:
            payload = json.loads(raw) if raw else {}
            if not isinstance(payload, dict):
                raise TypeError("the body must be a JSON object")
            if name == "script":
                items = payload.get("responses")
                if not isinstance(items, list):
                    raise TypeError('"responses" must be a list')
                responses = [_response_from_json(item) for item in items]
                fake.script(*responses)
                self._send_json(200, {"queued": len(responses)})
            else:
                emails = payload.get("emails")
                status = payload.get("status", 400)
                if not isinstance(emails, list) or not all(isinstance(e, str) for e in emails):
                    raise TypeError('"emails" must be a list of strings')
                if not isinstance(status, int) or isinstance(status, bool):
                    raise TypeError('"status" must be an integer')
                fake.reject_recipients(set(emails), status)
                self._send_json(200, {"rejected": len(emails), "status": status})
        except (TypeError, ValueError) as exc:
            self._send(400, _errors_body([_error(str(exc))]))


class FakeSendGrid:
    """Fake SendGrid v3 Mail Send endpoint served from a daemon thread."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, *, verbose: bool = False) -> None:
        self.host = host
        self.port = port
        self.verbose = verbose
        self.requests: list[RecordedRequest] = []
        self.accepted: list[RecordedRequest] = []
        self._lock = threading.Lock()
        self._accepted_changed = threading.Condition(self._lock)
        self._script: deque[Response] = deque()
        self._rejected: dict[str, int] = {}
        self._accepted_personalizations = 0
        # Bumped by reset(): requests still in flight then are not counted.
        self._generation = 0
        self._accepted_hooks: list[AcceptedHook] = []
        self._received_hooks: list[AcceptedHook] = []
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle --------------------------------------------------------

    def start(self) -> Self:
        if self._server is not None:
            raise RuntimeError("FakeSendGrid is already running")
        self._stopping.clear()
        self._server = _Server((self.host, self.port), self)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"fake-sendgrid-{self._server.server_address[1]}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        server, thread = self._server, self._thread
        if server is None:
            return
        self._stopping.set()  # wakes up handlers sleeping in a delay
        server.shutdown()
        server.server_close()
        if thread is not None:
            thread.join(timeout=5)
        self._server = None
        self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("FakeSendGrid is not running; call start() first")
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    # -- behaviour --------------------------------------------------------

    def reset(self) -> None:
        """Forget recorded requests, scripted answers and rejected recipients."""
        with self._lock:
            self.requests.clear()
            self.accepted.clear()
            self._script.clear()
            self._rejected.clear()
            self._accepted_personalizations = 0
            self._generation += 1

    def script(self, *responses: Response | int) -> None:
        """Queue one-shot answers for the next mail-send requests, in order.

        Every ``POST /v3/mail/send`` consumes one entry, valid or not; an int
        stands for ``Response(status=that_int)``. Once the queue is empty the
        fake behaves normally again.
        """
        queued = [r if isinstance(r, Response) else Response(status=r) for r in responses]
        with self._lock:
            self._script.extend(queued)

    def reject_recipients(self, emails: Iterable[str], status: int = 400) -> None:
        """Answer `status` to every request with one of these "to" addresses."""
        if not 400 <= status <= 599:
            raise ValueError(f"a rejection needs an error status, not {status}")
        with self._lock:
            for email in emails:
                self._rejected[email.lower()] = status

    @staticmethod
    def hang(seconds: float) -> Response:
        """A scripted answer that waits `seconds` before answering normally (202)."""
        return Response(status=202, delay=seconds)

    @staticmethod
    def lose(seconds: float) -> Response:
        """A request that never gets through: no answer after `seconds`, nothing accepted."""
        return Response(status=202, delay=seconds, lost=True)

    def add_received_hook(self, hook: AcceptedHook) -> None:
        """Call `hook` with every request as soon as it is accepted, before a scripted delay:
        SendGrid's events for a request can arrive while its answer is still on its way."""
        with self._lock:
            self._received_hooks.append(hook)

    def add_accepted_hook(self, hook: AcceptedHook) -> None:
        """Webhook injection point: call `hook` with every request answered 202.

        Hooks run in the handler thread after the answer was written, so a
        future event-webhook sender can post delivery events from here.
        """
        with self._lock:
            self._accepted_hooks.append(hook)

    # -- inspection -------------------------------------------------------

    def wait_for(self, count: int, timeout: float = 10.0) -> bool:
        """Block until at least `count` requests were accepted; False on timeout."""
        with self._accepted_changed:
            return self._accepted_changed.wait_for(lambda: len(self.accepted) >= count, timeout)

    def personalizations(self) -> list[JSONDict]:
        """All personalizations of accepted requests, flattened, in order."""
        result: list[JSONDict] = []
        for record in self._accepted_snapshot():
            items = record.body.get("personalizations")
            if isinstance(items, list):
                result.extend(p for p in items if isinstance(p, dict))
        return result

    def custom_args(self) -> list[JSONDict]:
        """custom_args of each accepted personalization, merged over the request's."""
        result: list[JSONDict] = []
        for record in self._accepted_snapshot():
            shared = record.body.get("custom_args")
            base: JSONDict = shared if isinstance(shared, dict) else {}
            items = record.body.get("personalizations")
            if not isinstance(items, list):
                continue
            for personalization in items:
                if not isinstance(personalization, dict):
                    continue
                own = personalization.get("custom_args")
                result.append({**base, **own} if isinstance(own, dict) else dict(base))
        return result

    def stats(self) -> dict[str, int]:
        with self._lock:
            return {
                "requests": len(self.requests),
                "accepted": len(self.accepted),
                "personalizations": self._accepted_personalizations,
            }

    # -- used by the handler ----------------------------------------------

    def _begin(
        self, method: str, path: str, headers: dict[str, str], body: JSONDict
    ) -> tuple[RecordedRequest, Response | None, int]:
        record = RecordedRequest(
            method=method,
            path=path,
            headers=headers,
            body=body,
            status=0,
            message_id=None,
            received_at=time.time(),
        )
        with self._lock:
            self.requests.append(record)
            scripted = self._script.popleft() if self._script else None
            return record, scripted, self._generation

    def _accept(self, record: RecordedRequest, message_id: str, generation: int) -> None:
        with self._lock:
            record.message_id = message_id
            if generation == self._generation:
                self.accepted.append(record)
                items = record.body.get("personalizations")
                self._accepted_personalizations += len(items) if isinstance(items, list) else 0
                self._accepted_changed.notify_all()

    def _finish(
        self,
        record: RecordedRequest,
        status: int,
        message_id: str | None,
        generation: int,
    ) -> None:
        with self._lock:
            record.status = status
            record.message_id = message_id

    def _sleep(self, seconds: float) -> None:
        self._stopping.wait(seconds)

    def _rejected_snapshot(self) -> dict[str, int]:
        with self._lock:
            return dict(self._rejected) if self._rejected else {}

    def _requests_snapshot(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self.requests)

    def _accepted_snapshot(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self.accepted)

    def _run_accepted_hooks(self, record: RecordedRequest) -> None:
        self._run_hooks(self._accepted_hooks, record)

    def _run_hooks(self, registered: list[AcceptedHook], record: RecordedRequest) -> None:
        with self._lock:
            hooks = list(registered)
        for hook in hooks:
            # An exception here is reported by _Server.handle_error; the
            # client already has its answer.
            hook(record)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tests.fake_sendgrid",
        description="Fake SendGrid v3 Mail Send API for tests and benchmarks.",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=3030, help="0 picks a free port")
    parser.add_argument("--verbose", action="store_true", help="log every request to stderr")
    args = parser.parse_args(argv)

    stop_requested = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stop_requested.set()

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)

    fake = FakeSendGrid(args.host, args.port, verbose=args.verbose).start()
    print(f"fake SendGrid listening on {fake.url}", flush=True)
    try:
        while not stop_requested.wait(0.5):
            pass
    finally:
        fake.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
