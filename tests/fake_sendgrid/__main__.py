"""python -m tests.fake_sendgrid --port 3030: the fake on its own."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from types import FrameType

from tests.fake_sendgrid.fake import FakeSendGrid


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
