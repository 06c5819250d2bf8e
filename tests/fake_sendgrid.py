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
* Bodies that are not JSON objects are answered 400.
* The body is validated lightly, like SendGrid does (personalizations,
  ``from.email``, subject, content or template_id); violations are answered
  400 with a SendGrid-shaped ``{"errors": [...]}`` body.
* Valid requests are answered 202 with an empty body and a unique
  ``X-Message-Id`` header.
* ``script()`` queues one-shot answers for the next mail-send requests and
  ``reject_recipients()`` adds persistent per-recipient failures.
"""

from __future__ import annotations

import argparse
import json
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
MAX_PERSONALIZATIONS = 1000
# SendGrid refuses messages above 30 MB; bigger bodies are not even read.
MAX_BODY_BYTES = 30 * 1024 * 1024
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


def _looks_like_email(value: object) -> TypeGuard[str]:
    if not isinstance(value, str):
        return False
    local, at, domain = value.rpartition("@")
    return bool(at and local and "." in domain and " " not in value)


def _new_message_id() -> str:
    # 16 random bytes are exactly 22 url-safe base64 characters.
    return secrets.token_urlsafe(16)


def _check_message(body: JSONDict, rejected: dict[str, int]) -> tuple[int, list[JSONDict]]:
    """Validate a mail-send body; return (status, errors), 202 when fine.

    One pass over the personalizations, so the cost is linear in the size
    of the request. Validation errors win over rejected recipients.
    """
    errors: list[JSONDict] = []
    rejections: list[JSONDict] = []
    reject_status = 0

    has_template = isinstance(body.get("template_id"), str) and bool(body["template_id"])
    top_subject = body.get("subject")
    has_top_subject = isinstance(top_subject, str) and bool(top_subject)
    every_personalization_has_subject = True

    personalizations = body.get("personalizations")
    if not isinstance(personalizations, list) or not personalizations:
        errors.append(
            _error(
                "The personalizations field is required and must have at least one personalization.",
                "personalizations",
                _HELP_URL,
            )
        )
        personalizations = []
    elif len(personalizations) > MAX_PERSONALIZATIONS:
        errors.append(
            _error(
                f"You may not have more than {MAX_PERSONALIZATIONS} personalizations per request.",
                "personalizations",
                _HELP_URL,
            )
        )
        personalizations = []

    for p_index, personalization in enumerate(personalizations):
        prefix = f"personalizations.{p_index}"
        if not isinstance(personalization, dict):
            errors.append(_error("Each personalization must be an object.", prefix, _HELP_URL))
            every_personalization_has_subject = False
            continue
        subject = personalization.get("subject")
        if not (isinstance(subject, str) and subject):
            every_personalization_has_subject = False
        to = personalization.get("to")
        if not isinstance(to, list) or not to:
            errors.append(
                _error(
                    "The to array is required for all personalization objects, and must have "
                    "at least one email object with a valid email address.",
                    f"{prefix}.to",
                    _HELP_URL,
                )
            )
            continue
        for t_index, recipient in enumerate(to):
            email = recipient.get("email") if isinstance(recipient, dict) else None
            field_name = f"{prefix}.to.{t_index}.email"
            if not _looks_like_email(email):
                errors.append(_error("Does not contain a valid address.", field_name, _HELP_URL))
                continue
            status = rejected.get(email.lower()) if rejected else None
            if status is not None:
                reject_status = reject_status or status
                rejections.append(_error("Does not contain a valid address.", field_name))

    sender = body.get("from")
    if not isinstance(sender, dict) or not _looks_like_email(sender.get("email")):
        errors.append(
            _error(
                "The from object must be provided for every email send. It is an object that "
                "requires the email parameter, but may also contain a name parameter.",
                "from.email" if isinstance(sender, dict) else "from",
                _HELP_URL,
            )
        )

    if not has_top_subject and not has_template and not (personalizations and every_personalization_has_subject):
        errors.append(
            _error(
                "The subject is required. You can get around this requirement if you use a "
                "template with a subject defined or if every personalization has a subject defined.",
                "subject",
                _HELP_URL,
            )
        )

    content = body.get("content")
    if content is None:
        if not has_template:
            errors.append(
                _error(
                    "Unless a valid template_id is provided, the content parameter is required. "
                    "There must be at least one defined content block.",
                    "content",
                    _HELP_URL,
                )
            )
    elif not isinstance(content, list) or (not content and not has_template):
        errors.append(
            _error(
                "The content parameter must be a list of content blocks.",
                "content",
                _HELP_URL,
            )
        )
    else:
        for c_index, block in enumerate(content):
            if not isinstance(block, dict) or not isinstance(block.get("type"), str) or not block["type"]:
                errors.append(
                    _error(
                        "The content type must be provided.",
                        f"content.{c_index}.type",
                        _HELP_URL,
                    )
                )
            elif not isinstance(block.get("value"), str) or not block["value"]:
                errors.append(
                    _error(
                        "The content value must be a string at least one character in length.",
                        f"content.{c_index}.value",
                        _HELP_URL,
                    )
                )

    if errors:
        return 400, errors
    if rejections:
        return reject_status, rejections
    return 202, []


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
            # The body is not read, so the connection cannot be reused.
            self.close_connection = True
            self._send(413, _default_body(413))
            return None
        return self.rfile.read(length) if length else b""

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
        try:
            parsed: object = json.loads(raw)
        except ValueError:  # also covers UnicodeDecodeError
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
