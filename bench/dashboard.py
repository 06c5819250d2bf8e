"""Benchmark: the organisation dashboard (and its CSV export) for 5,000 learners × 150 lessons."""

import datetime as dt
import statistics
import time

from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bench.dataset import build_dataset
from bench.noise import REPEATS, repeat

GOAL_MS = 300
WARM_UP = 3


def _percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def measure(client: Client, url: str, requests: int) -> dict:
    """Median and p95 wall time of ``requests`` GETs after a warm-up, and the query count of one."""
    for _ in range(WARM_UP):
        assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    # Count now: the next request's request_started signal empties the query log.
    query_count = len(queries)
    samples = []
    for _ in range(requests):
        start = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200
    return {
        "requests": requests,
        "median_ms": round(statistics.median(samples), 1),
        "p95_ms": round(_percentile(samples, 0.95), 1),
        "queries": query_count,
    }


def measure_repeated(client: Client, url: str, requests: int, repeats: int = REPEATS) -> dict:
    """``measure`` ``repeats`` times: the median of the runs' medians and p95s, with their spread."""
    return repeat(lambda: measure(client, url, requests), repeats, ("median_ms", "p95_ms"))


def run_dashboard_benchmarks(*, learners: int, lessons: int, requests: int, repeats: int = REPEATS) -> dict[str, dict]:
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    data = build_dataset(learners=learners, lessons=lessons)
    built_s = round(time.perf_counter() - started, 1)
    client = Client()
    client.force_login(data.admin)
    slug = data.organisation.slug
    shape = {"learners": learners, "lessons": lessons, "dataset_seconds": built_s, "goal_ms": GOAL_MS}
    stamp = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    dashboard = measure_repeated(client, reverse("dashboard:dashboard", args=[slug]), requests, repeats)
    export = measure_repeated(
        client, reverse("dashboard:dashboard_export", args=[slug]), max(5, requests // 4), repeats
    )
    return {
        "dashboard": {**dashboard, **shape, "measured_at": stamp},
        "dashboard_export_csv": {**export, **shape, "goal_ms": 2000, "measured_at": stamp},
    }
