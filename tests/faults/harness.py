"""Real processes for the fault suite: a private redis-server, Celery workers and beats.

Each runs as its own operating-system process, started the way an operator
starts them, and is supervised the way systemd's ``Restart=always`` would: a
process that exits without being asked to is started again (docs/operations.md).
"""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until(predicate: Callable[[], bool], *, timeout: float, every: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(every)
    return predicate()


def children_of(pid: int) -> list[int]:
    """The direct children of a process, read from /proc (a Celery worker's pool processes)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(entry.name))
    return found


class Process:
    """One supervised process, with its output in a log file."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str], log_dir: Path, ready: str = "") -> None:
        self.name, self.argv, self.env, self.ready = name, argv, env, ready
        self.log = log_dir / f"{name}.log"
        self.popen: subprocess.Popen[bytes] | None = None
        self.restarts = 0
        self.wanted = False

    def start(self, *, wait: bool = True) -> None:
        offset = self.log.stat().st_size if self.log.exists() else 0
        with self.log.open("ab") as out:
            self.popen = subprocess.Popen(
                self.argv, cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
        self.wanted = True
        if wait and self.ready and not wait_until(lambda: self.ready in self.output(offset), timeout=60):
            raise RuntimeError(f"{self.name} did not get ready; its log ends:\n{self.output(offset)[-3000:]}")

    def output(self, offset: int = 0) -> str:
        if not self.log.exists():
            return ""
        with self.log.open("rb") as handle:
            handle.seek(offset)
            return handle.read().decode("utf-8", "replace")

    @property
    def pid(self) -> int:
        assert self.popen is not None
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def signal(self, signum: int) -> None:
        if self.alive():
            os.kill(self.pid, signum)

    def kill_children(self) -> list[int]:
        """SIGKILL the pool processes: the tasks they run die mid-flight."""
        killed = children_of(self.pid) if self.alive() else []
        for pid in killed:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        return killed

    def stop(self, *, timeout: float = 60) -> None:
        """A deploy's stop: SIGTERM, then SIGKILL of the whole group after ``timeout``."""
        self.wanted = False
        if not self.alive():
            return
        assert self.popen is not None
        self.popen.send_signal(signal.SIGTERM)
        try:
            self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.pid, signal.SIGKILL)
            self.popen.wait(10)

    def crash(self) -> None:
        """SIGKILL the process alone (its pool processes are orphaned, as after an OOM kill)."""
        self.signal(signal.SIGKILL)
        assert self.popen is not None
        self.popen.wait(10)


class Supervisor:
    """Restart processes that exit while they are wanted, like systemd's Restart=always."""

    def __init__(self) -> None:
        self.processes: list[Process] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="fault-supervisor", daemon=True)
        self._thread.start()

    def add(self, process: Process) -> Process:
        self.processes.append(process)
        return process

    def _watch(self) -> None:
        while not self._stop.wait(0.5):
            for process in list(self.processes):
                if process.wanted and not process.alive():
                    process.restarts += 1
                    process.start(wait=False)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(5)
        for process in self.processes:
            process.stop(timeout=30)
        for process in self.processes:
            # Orphaned pool processes of a crashed worker, if any are left.
            with contextlib.suppress(ProcessLookupError, PermissionError):
                if process.popen is not None:
                    os.killpg(process.pid, signal.SIGKILL)


class RedisServer:
    """A redis-server of the suite's own, on its own port, keeping nothing on disk."""

    def __init__(self, directory: Path) -> None:
        self.port = free_port()
        self.directory = directory
        self.popen: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        argv = [
            "redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
            "--appendonly", "no", "--dir", str(self.directory),
        ]  # fmt: skip
        log = (self.directory / "redis.log").open("ab")
        self.popen = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT)
        if not wait_until(self._answers, timeout=10):
            raise RuntimeError("redis-server did not start")

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        if self.popen is not None and self.popen.poll() is None:
            self.popen.terminate()
            self.popen.wait(10)

    def flush(self) -> None:
        """FLUSHALL: every queued and unacknowledged message gone, the server still up."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=2) as sock:
            sock.sendall(b"FLUSHALL\r\n")
            assert sock.recv(16).startswith(b"+OK")

    def restart(self, *, down_for: float = 1.0) -> None:
        """Stop and start again: with nothing on disk, every queued message is gone."""
        self.stop()
        time.sleep(down_for)
        self.start()


@contextlib.contextmanager
def redis_server(directory: Path) -> Iterator[RedisServer]:
    if not any((Path(p) / "redis-server").exists() for p in os.environ.get("PATH", "").split(os.pathsep)):
        raise RuntimeError("the fault suite needs redis-server on PATH (apt-get install redis-server)")
    server = RedisServer(directory)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def celery(*args: str) -> list[str]:
    return [sys.executable, "-m", "celery", "-A", "druppel", *args]
