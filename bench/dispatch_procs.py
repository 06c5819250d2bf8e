"""The processes of the P1 dispatch benchmark: the fake SendGrid and real Celery workers.

Both are subprocesses on loopback, started with the bench environment and
always stopped by their own process id. Worker memory is read from
``/proc/<pid>/status`` (``VmHWM``: the peak resident set of each process),
for the worker's main process and each of its pool children.
"""

import contextlib
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _stop(process: subprocess.Popen, children: list[int] | None = None, marker: str = "") -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    for pid in children or []:
        # A pool child outliving its parent would be ours and orphaned: end it by its id.
        # Only if the id still names our worker (its unique node name is on the command line).
        with contextlib.suppress(OSError):
            if marker and marker in Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace"):
                os.kill(pid, signal.SIGKILL)


class FakeSendGridProcess:
    """`python -m tests.fake_sendgrid` (or a module that wraps it) on a free port, read through its control API."""

    def __init__(self, log: Path, module: str = "tests.fake_sendgrid", args: tuple[str, ...] = ()) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        with log.open("ab") as out:
            self.process = subprocess.Popen(  # noqa: S603
                [sys.executable, "-m", module, "--port", str(self.port), *args],
                cwd=settings.BASE_DIR,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                self.stats()
                return
            except OSError:
                if self.process.poll() is not None:
                    raise RuntimeError(f"the fake SendGrid exited with {self.process.returncode}") from None
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("the fake SendGrid did not answer within 20 s")

    def _call(self, method: str, path: str) -> dict:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            connection.request(method, f"/__fake__/{path}")
            return dict(json.loads(connection.getresponse().read()))
        finally:
            connection.close()

    def stats(self) -> dict:
        return self._call("GET", "stats")

    def reset(self) -> None:
        self._call("POST", "reset")

    def wait_for(self, personalizations: int, timeout: float) -> float:
        """Poll every 20 ms until the fake accepted ``personalizations``; the moment it did."""
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            stats = self.stats()
            if stats["personalizations"] >= personalizations:
                return time.perf_counter()
            time.sleep(0.02)
        raise TimeoutError(f"the fake accepted {self.stats()} of {personalizations} after {timeout} s")

    def peak_rss_mb(self) -> float:
        return _peak_mb(self.process.pid)

    def stop(self) -> None:
        _stop(self.process)


def _status_kb(pid: int, field: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _peak_mb(pid: int) -> float:
    return round(_status_kb(pid, "VmHWM") / 1024, 1)


def _children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


class Workers:
    """`celery -A druppel worker -Q send,drip -c N` (prefork) with the bench environment."""

    def __init__(self, *, concurrency: int, broker_url: str, sendgrid_url: str, log: Path) -> None:
        self.concurrency = concurrency
        self.name = f"bench{concurrency}-{os.getpid()}@127.0.0.1"
        env = {
            **os.environ,
            "CELERY_BROKER_URL": broker_url,
            "SENDGRID_API_KEY": "SG.bench",
            "SENDGRID_API_HOST": sendgrid_url,
            "DEBUG": "0",
            "LOG_LEVEL": "WARNING",
        }
        command = [
            sys.executable, "-m", "celery", "-A", "druppel", "worker", "-Q", "send,drip",
            "-c", str(concurrency), "-P", "prefork", "-n", self.name, "--loglevel", "WARNING",
            "--without-gossip", "--without-mingle", "--without-heartbeat",
        ]  # fmt: skip
        with log.open("ab") as out:
            self.process = subprocess.Popen(  # noqa: S603
                command, cwd=settings.BASE_DIR, env=env, stdout=out, stderr=subprocess.STDOUT
            )
        self.children: list[int] = []

    def wait_ready(self, app: object, timeout: float = 60) -> None:
        """Until the worker answers a control ping and its pool has all its processes."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the worker exited with {self.process.returncode}")
            answer = app.control.ping(destination=[self.name], timeout=0.5)  # type: ignore[attr-defined]
            self.children = _children(self.process.pid)
            if answer and len(self.children) >= self.concurrency:
                return
        raise RuntimeError(f"worker {self.name} not ready within {timeout} s")

    def peak_rss_mb(self) -> dict:
        """Peak RSS of the main process, of the largest pool child, and of all together."""
        self.children = _children(self.process.pid) or self.children
        main = _peak_mb(self.process.pid)
        children = [_peak_mb(pid) for pid in self.children]
        return {
            "main_mb": main,
            "max_child_mb": max(children, default=0.0),
            "total_mb": round(main + sum(children), 1),
            "max_process_mb": max([main, *children]),
        }

    def stop(self) -> None:
        _stop(self.process, self.children, marker=self.name)
