"""The fake SendGrid itself: a loopback server in a daemon thread, scripts, hooks and what it recorded."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Iterable
from types import TracebackType
from typing import Self

from tests.fake_sendgrid.server import _Server
from tests.fake_sendgrid.shapes import AcceptedHook, JSONDict, RecordedRequest, Response


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

    def clear_script(self) -> int:
        """Drop the scripted answers not used yet; returns how many. The fake answers normally again."""
        with self._lock:
            left = len(self._script)
            self._script.clear()
            return left

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
