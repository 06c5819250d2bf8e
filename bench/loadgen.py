"""A small closed-loop HTTP load generator: N keep-alive connections, bounded in requests and time.

    python -m bench.loadgen --port 8123 --paths FILE [--method POST --body option=2]
        [--connections 8] [--seconds 10] [--max-requests 5000] [--once]

Each connection is a thread with its own ``http.client`` connection (HTTP/1.1
keep-alive; it reconnects when the server closes). Connection *i* takes the
paths ``i, i+N, i+2N, …``: with ``--once`` every path is requested exactly once
(each POST answers a different delivery), otherwise the paths are cycled. It
stops by itself at ``--seconds`` or ``--max-requests``, whichever comes first,
and prints one JSON object: requests, errors (anything not 2xx/3xx, and any
connection failure), status counts, req/s and latency percentiles.

No Django here: it runs as a separate process so the server under test does
not share its interpreter, only the machine's cores.
"""

import argparse
import http.client
import itertools
import json
import sys
import threading
import time
from collections import Counter
from pathlib import Path

TIMEOUT_S = 10.0


def _percentile(ordered: list[float], fraction: float) -> float:
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


class _Connection(threading.Thread):
    def __init__(self, args: argparse.Namespace, paths: list[str], start: threading.Event, deadline: list[float]):
        super().__init__(daemon=True)
        self.args = args
        self.paths = paths
        self.start_event = start
        self.deadline = deadline
        self.latencies: list[float] = []
        self.statuses: Counter[str] = Counter()

    def run(self) -> None:
        args = self.args
        connection = http.client.HTTPConnection("127.0.0.1", args.port, timeout=TIMEOUT_S)
        body = args.body.encode() if args.body else None
        headers = {"Host": args.host}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        paths = self.paths if args.once else itertools.cycle(self.paths)
        self.start_event.wait()
        for count, path in enumerate(paths):
            if count >= args.budget or time.perf_counter() >= self.deadline[0]:
                break
            started = time.perf_counter()
            try:
                connection.request(args.method, path, body=body, headers=headers)
                response = connection.getresponse()
                response.read()
                status = str(response.status)
            except (OSError, http.client.HTTPException) as exc:
                connection.close()
                status = type(exc).__name__
            self.latencies.append((time.perf_counter() - started) * 1000)
            self.statuses[status] += 1
        connection.close()


def run(args: argparse.Namespace) -> dict:
    paths = [line for line in Path(args.paths).read_text().splitlines() if line]
    connections = min(args.connections, len(paths))
    args.budget = -(-args.max_requests // connections)  # ceil: the total stays within max + N - 1
    start = threading.Event()
    deadline = [0.0]
    threads = [_Connection(args, paths[i::connections], start, deadline) for i in range(connections)]
    for thread in threads:
        thread.start()
    began = time.perf_counter()
    deadline[0] = began + args.seconds
    start.set()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    latencies = sorted(ms for thread in threads for ms in thread.latencies)
    statuses: Counter[str] = Counter()
    for thread in threads:
        statuses.update(thread.statuses)
    errors = sum(n for status, n in statuses.items() if not (status.isdigit() and 200 <= int(status) < 400))
    return {
        "method": args.method,
        "connections": connections,
        "requests": len(latencies),
        "errors": errors,
        "statuses": dict(sorted(statuses.items())),
        "seconds": round(elapsed, 2),
        "rps": round(len(latencies) / elapsed, 1) if elapsed else 0.0,
        "p50_ms": round(_percentile(latencies, 0.50), 1),
        "p95_ms": round(_percentile(latencies, 0.95), 1),
        "p99_ms": round(_percentile(latencies, 0.99), 1),
        "max_ms": round(latencies[-1], 1) if latencies else 0.0,
        # The generator shares the machine's cores with the server: say how much it took.
        "client_cpu_seconds": round(time.process_time(), 2),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--host", default="127.0.0.1", help="Host header")
    parser.add_argument("--paths", required=True, help="file with one path per line")
    parser.add_argument("--method", default="GET")
    parser.add_argument("--body", default="", help="form body, e.g. option=2")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--max-requests", type=int, default=10_000)
    parser.add_argument("--once", action="store_true", help="request every path at most once")
    print(json.dumps(run(parser.parse_args())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
