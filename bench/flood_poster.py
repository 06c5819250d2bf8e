"""P6's second process: SendGrid's event webhook, posting back to the app while P1 sends.

    python -m bench.flood_poster --port 8123 --queue redis://127.0.0.1:6379/12 --key bench:flood \\
        --private-key key.pem --mails 100000 [--connections 4] [--batch 1000] [--repeat-every 100]

It reads what the fake accepted (bench/flood_fake.py pushes one line per
request), and for each mail makes SendGrid's events: ``processed`` and
``delivered`` at once, ``open`` and ``click`` one request later (opens come after
delivery). Every tenth delivery (id ending in 0) is opened by a machine (Apple
Mail Privacy Protection: ``sg_machine_open: true``) and gets no click; the rest
are opened and clicked by a person: 3.9 events per mail. Events go out in
signed batches of up to 1,000 over ``--connections`` keep-alive connections, as
SendGrid posts them; every ``--repeat-every``-th batch is posted a second time
later (SendGrid delivers at least once), to check that nothing is applied
twice. A batch answered with anything but 200 is posted again a second later.

It prints one JSON object: events posted, the server's ``applied`` and
``duplicates`` totals, events per second from the first post to the last
answer, and the lag of each accepted request: seconds from its acceptance by
the fake to the answer of the last batch that carried its events.
"""

import argparse
import base64
import http.client
import itertools
import json
import secrets
import statistics
import sys
import threading
import time
from collections import deque
from pathlib import Path

import redis
from cryptography.hazmat.primitives import serialization

from tests.sendgrid_events import SigningKey


def _event(kind: str, email: str, delivery: str, message: str, index: int, **extra: object) -> dict:
    return {
        "email": email,
        "timestamp": int(time.time()),
        "event": kind,
        "sg_event_id": base64.urlsafe_b64encode(secrets.token_bytes(16)).decode()[:22],
        "sg_message_id": f"{message}.recvd-5f7c8d9b6-x2kqp-1-{index}-0",
        "delivery_id": delivery,
        **extra,
    }


class Flood:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.key = SigningKey(serialization.load_pem_private_key(Path(args.private_key).read_bytes(), None))  # type: ignore[arg-type]
        # Batches to post again (a retry, or a repeat): (request indexes, events, first time?).
        self.queue: deque[tuple[list[int], list[dict], bool]] = deque()
        self.pending: deque[tuple[int, dict]] = deque()  # events not yet in a batch, with their request
        self.lock = threading.Condition()
        self.accepted: list[float] = []
        self.left: list[int] = []  # events of each request not yet acknowledged
        self.done_at: list[float] = []
        self.reading_done = False
        self.in_flight = 0
        self.posts: list[dict] = []
        self.kinds: dict[str, int] = {}
        self.machine = self.human = self.reposted = self.retries = 0
        self.batches = itertools.count(1)

    def _events_of(self, index: int, line: dict, late: bool) -> list[tuple[int, dict]]:
        out = []
        for n, (email, delivery) in enumerate(line["recipients"]):
            message = line["message_id"]
            if not late:
                out += [(index, _event(k, email, delivery, message, n)) for k in ("processed", "delivered")]
            elif delivery.endswith("0"):
                out.append((index, _event("open", email, delivery, message, n, sg_machine_open=True)))
            else:
                out.append((index, _event("open", email, delivery, message, n, sg_machine_open=False)))
                out.append((index, _event("click", email, delivery, message, n, url="https://druppel.example/l/")))
        return out

    def read(self) -> None:
        """Accepted requests, in order, until every mail was seen."""
        source = redis.Redis.from_url(self.args.queue)
        seen, previous = 0, None
        deadline = time.time() + self.args.timeout
        while seen < self.args.mails and time.time() < deadline:
            item = source.blpop([self.args.key], timeout=1)
            if item is None:
                continue
            line = json.loads(item[1])
            index = len(self.accepted)
            events = self._events_of(index, line, late=False)
            if previous is not None:
                events += self._events_of(*previous, late=True)
            self._count(line, index, events)
            seen += len(line["recipients"])
            previous = (index, line)
        with self.lock:
            if previous is not None:
                late = self._events_of(*previous, late=True)
                self.left[previous[0]] += len(late)
                self.pending.extend(late)
            self.reading_done = True
            self.lock.notify_all()

    def _count(self, line: dict, index: int, events: list[tuple[int, dict]]) -> None:
        with self.lock:
            self.accepted.append(line["accepted_at"])
            self.done_at.append(0.0)
            self.left.append(0)
            for request, _ in events:
                self.left[request] += 1
            self.pending.extend(events)
            self.lock.notify_all()

    def _next_batch(self) -> tuple[list[int], list[dict], bool] | None:
        """A batch to post (request indexes, events, first time?), or None when all is done."""
        with self.lock:
            while True:
                if self.queue:
                    return self.queue.popleft()
                if len(self.pending) >= self.args.batch or (self.reading_done and self.pending):
                    items = [self.pending.popleft() for _ in range(min(self.args.batch, len(self.pending)))]
                    self.in_flight += 1
                    return [r for r, _ in items], [e for _, e in items], True
                if self.reading_done and not self.pending and not self.in_flight:
                    return None
                self.lock.wait(0.05)

    def post(self) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", self.args.port, timeout=60)
        while (batch := self._next_batch()) is not None:
            requests, events, first = batch
            body = json.dumps(events).encode()
            started = time.time()
            status, answer = self._send(connection, body)
            finished = time.time()
            with self.lock:
                post = {"started": started, "finished": finished, "events": len(events), "status": status}
                self.posts.append({**post, "first": first, **answer})
                if status != 200:
                    self.retries += 1
                    self.queue.append(batch)
                elif first:
                    self._acknowledge(requests, events, finished)
                    if next(self.batches) % self.args.repeat_every == 0:
                        self.queue.append(([], events, False))
                        self.reposted += len(events)
                self.lock.notify_all()
            if status != 200:
                time.sleep(1)
        connection.close()

    def _acknowledge(self, requests: list[int], events: list[dict], at: float) -> None:
        self.in_flight -= 1
        for request, event in zip(requests, events, strict=True):
            self.left[request] -= 1
            if not self.left[request]:
                self.done_at[request] = at
            self.kinds[event["event"]] = self.kinds.get(event["event"], 0) + 1
            if event["event"] == "open":
                self.machine += bool(event["sg_machine_open"])
                self.human += not event["sg_machine_open"]

    def _send(self, connection: http.client.HTTPConnection, body: bytes) -> tuple[int, dict]:
        headers = {"Content-Type": "application/json", "Host": "127.0.0.1", **self.key.headers(body)}
        for attempt in range(2):
            try:
                connection.request("POST", self.args.path, body=body, headers=headers)
                response = connection.getresponse()
                data = response.read()
                answer = json.loads(data) if response.status == 200 else {}
                return response.status, {k: answer.get(k, 0) for k in ("applied", "duplicates", "unknown_delivery")}
            except (OSError, http.client.HTTPException):
                connection.close()
                if attempt:
                    return 0, {}
        return 0, {}


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))] if ordered else 0.0


def summary(flood: Flood) -> dict:
    done = [p for p in flood.posts if p["status"] == 200]
    first = [p for p in done if p["first"]]
    lags = [end - start for start, end in zip(flood.accepted, flood.done_at, strict=True) if end]
    began = min((p["started"] for p in flood.posts), default=0.0)
    ended = max((p["finished"] for p in done), default=0.0)
    unique = sum(p["events"] for p in first)
    latencies = [(p["finished"] - p["started"]) * 1000 for p in done]
    return {
        "requests_accepted": len(flood.accepted),
        "requests_ingested": len(lags),
        "events_posted": unique,
        "events_reposted": flood.reposted,
        "events_by_kind": flood.kinds,
        "machine_opens": flood.machine,
        "human_opens": flood.human,
        "posts": len(flood.posts),
        "post_errors": len(flood.posts) - len(done),
        "applied": sum(p.get("applied", 0) for p in done),
        "duplicates": sum(p.get("duplicates", 0) for p in done),
        "unknown_delivery": sum(p.get("unknown_delivery", 0) for p in done),
        "first_post_at": began,
        "last_answer_at": ended,
        "first_accepted_at": min(flood.accepted, default=0.0),
        "last_accepted_at": max(flood.accepted, default=0.0),
        "events_per_s": round(unique / (ended - began)) if ended > began else 0,
        "lag_s": {
            "median": round(statistics.median(lags), 2) if lags else None,
            "p95": round(_percentile(lags, 0.95), 2),
            "max": round(max(lags, default=0.0), 2),
        },
        "post_ms": {
            "p50": round(_percentile(latencies, 0.5), 1),
            "p95": round(_percentile(latencies, 0.95), 1),
            "max": round(max(latencies, default=0.0), 1),
        },
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, required=True, help="the app's gunicorn")
    parser.add_argument("--path", default="/webhooks/sendgrid/")
    parser.add_argument("--queue", required=True)
    parser.add_argument("--key", default="bench:flood")
    parser.add_argument("--private-key", required=True, help="PEM file of the signing key")
    parser.add_argument("--mails", type=int, required=True, help="stop after the events of this many mails")
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--repeat-every", type=int, default=100)
    parser.add_argument("--timeout", type=float, default=900)
    flood = Flood(parser.parse_args())
    posters = [threading.Thread(target=flood.post, daemon=True) for _ in range(flood.args.connections)]
    for poster in posters:
        poster.start()
    flood.read()
    for poster in posters:
        poster.join(timeout=flood.args.timeout)
    print(json.dumps(summary(flood)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
