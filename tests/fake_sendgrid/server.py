"""The HTTP side of the fake: the mail-send endpoint and the control API under /__fake__/."""

from __future__ import annotations

import json
import socket
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from tests.fake_sendgrid.rules import _check_message, _new_message_id
from tests.fake_sendgrid.shapes import (
    _INVALID_UTF8,
    _NOT_A_JSON_OBJECT,
    _NOT_UTF8,
    _TOO_LARGE,
    CONTROL_PREFIX,
    MAIL_SEND_PATH,
    MAX_BODY_BYTES,
    MAX_DRAINED_BYTES,
    JSONDict,
    Response,
    _default_body,
    _default_headers,
    _error,
    _errors_body,
    _response_from_json,
)

if TYPE_CHECKING:
    from tests.fake_sendgrid.fake import FakeSendGrid


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
