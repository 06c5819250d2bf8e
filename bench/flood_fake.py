"""P6's fake SendGrid: tests/fake_sendgrid.py with an accepted hook that tells the flood what to report.

    python -m bench.flood_fake --port 3030 --queue redis://127.0.0.1:6379/12 --key bench:flood

For every request answered 202 the hook pushes one JSON line onto a Redis list:
when it was accepted (``time.time()`` after the answer was written), its message
id and, per personalization, the address and the delivery id of its
``custom_args``. The poster (bench/flood_poster.py, another process) turns these
into SendGrid's events. The hook is the fake's only extra work, about a
millisecond per request of 1,000, and it runs in the P6 runs with and without
the flood alike, so the comparison measures the flood and nothing else.
"""

import argparse
import json
import signal
import sys
import threading
import time
from types import FrameType

import redis

from tests.fake_sendgrid import FakeSendGrid, RecordedRequest


def _hook(queue: redis.Redis, key: str):  # type: ignore[no-untyped-def]
    def accepted(record: RecordedRequest) -> None:
        recipients = [
            (p["to"][0]["email"], p.get("custom_args", {}).get("delivery_id", ""))
            for p in record.body.get("personalizations", [])
        ]
        line = {"accepted_at": time.time(), "message_id": record.message_id, "recipients": recipients}
        queue.rpush(key, json.dumps(line))

    return accepted


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--queue", required=True, help="Redis URL of the list")
    parser.add_argument("--key", default="bench:flood")
    args = parser.parse_args()
    stop = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    fake = FakeSendGrid("127.0.0.1", args.port)
    fake.add_accepted_hook(_hook(redis.Redis.from_url(args.queue), args.key))
    fake.start()
    print(f"flood fake SendGrid listening on {fake.url}", flush=True)
    try:
        while not stop.wait(0.5):
            pass
    finally:
        fake.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
