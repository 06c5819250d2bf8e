"""Benchmark: the learner's lesson page (GET) and answer confirmation (POST) under load, through gunicorn.

The app runs under gunicorn on a free loopback port, as in production (DEBUG
off, SECRET_KEY from the environment, ALLOWED_HOSTS set, the bench PostgreSQL
database). A second process (`bench.loadgen`) drives it over keep-alive
connections: first a GET phase over thousands of different lesson links, then a
POST phase in which every request answers a different, still unanswered
delivery, so each one is a real write (lock, update, counter upserts, commit).
Each gunicorn configuration gets its own fresh deliveries to answer.

The ceiling: the same gunicorn configuration as the reported one, with
``DJANGO_SETTINGS_MODULE=bench.ceiling_settings`` (Druppel's settings plus one
empty view, bench/ceiling_urls.py), driven by the same load generator over the
same number of different URLs. Each repetition measures the ceiling, then every
configuration's GET and POST phases, so all of them see the same minutes of the
machine; every figure is the median of the repetitions.
"""

import datetime as dt
import http.client
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.db import connection, connections
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bench.learner_dataset import LearnerDataset, build_learner_dataset
from bench.noise import REPEATS, summarise
from lessons.models import Delivery

GOAL_RPS = 400
GOAL_P99_MS = 100
# Shares of the empty-view ceiling (issue 15).
GOAL_PAGE_SHARE_PCT = 50
GOAL_POST_SHARE_PCT = 35
WARM_UP_SECONDS = 2.0
ANSWER_OPTION = 2
# (worker class, workers, threads) on two cores. The first is the one reported as the
# result: it had the best p99 for both phases (docs/performance.md compares them).
CONFIGS = [("sync", 3, 1), ("gthread", 2, 4), ("gthread", 3, 2)]


@dataclass(frozen=True)
class Load:
    connections: int
    seconds: float


def _log(message: str) -> None:
    print(f"[lesson load] {message}", file=sys.stderr, flush=True)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _label(kind: str, workers: int, threads: int) -> str:
    return f"{kind} {workers}w×{threads}t"


def start_gunicorn(
    kind: str, workers: int, threads: int, log: Path, env: dict[str, str] | None = None
) -> tuple[subprocess.Popen, int]:
    port = _free_port()
    env = {**os.environ, "DEBUG": "0", "ALLOWED_HOSTS": "127.0.0.1", "LOG_LEVEL": "WARNING", **(env or {})}
    command = [
        sys.executable, "-m", "gunicorn", "druppel.wsgi:application",
        "--bind", f"127.0.0.1:{port}",
        "--worker-class", kind, "--workers", str(workers), "--threads", str(threads),
        "--keep-alive", "5", "--log-level", "warning",
    ]  # fmt: skip
    with log.open("ab") as out:
        server = subprocess.Popen(command, cwd=settings.BASE_DIR, env=env, stdout=out, stderr=subprocess.STDOUT)  # noqa: S603
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.returncode}:\n{log.read_text()[-2000:]}")
        try:
            probe = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            # The web node alone: the bench runs no beat, so the full /healthz would say 503.
            probe.request("GET", "/healthz?check=database")
            if probe.getresponse().status == 200:
                return server, port
        except OSError:
            pass
        time.sleep(0.2)
    server.terminate()
    raise RuntimeError(f"gunicorn did not answer /healthz within 30 s:\n{log.read_text()[-2000:]}")


def stop_gunicorn(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def _drive(port: int, paths: Path, load: Load, *, post: bool = False, seconds: float | None = None) -> dict:
    command = [
        sys.executable, "-m", "bench.loadgen", "--port", str(port), "--paths", str(paths),
        "--connections", str(load.connections), "--seconds", str(seconds or load.seconds),
        "--max-requests", str(int(GOAL_RPS * 10 * (seconds or load.seconds))),
    ]  # fmt: skip
    if post:
        command += ["--method", "POST", "--body", f"option={ANSWER_OPTION}", "--once"]
    done = subprocess.run(command, cwd=settings.BASE_DIR, capture_output=True, text=True, check=True)  # noqa: S603
    return json.loads(done.stdout)


def _write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n")
    return path


def _queries(client: Client, method: str, path: str, **data: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = getattr(client, method)(path, data) if data else getattr(client, method)(path)
    assert response.status_code == 200, (method, path, response.status_code)
    return len(captured)


def _query_counts(page_token: str, answer_token: str) -> dict[str, int]:
    """Queries of one request of each kind, in-process through the test client (the load tests' twin)."""
    client = Client()
    answer = f"/l/{answer_token}/answer/{ANSWER_OPTION}/"
    return {
        "page": _queries(client, "get", f"/l/{page_token}/"),
        "confirm_get": _queries(client, "get", answer),
        "answer_post": _queries(client, "post", answer, option=str(ANSWER_OPTION)),
    }


def _run_config(config: tuple[str, int, int], pages: Path, answers: Path, load: Load, log: Path) -> dict:
    # Other work on the machine skews the figures: keep the 1-minute load average beside them.
    load_before = round(os.getloadavg()[0], 2)
    server, port = start_gunicorn(*config, log)
    try:
        warm = _drive(port, pages, load, seconds=WARM_UP_SECONDS)
        if warm["errors"]:
            raise RuntimeError(f"{_label(*config)}: errors while warming up {warm['statuses']}; see {log}")
        page = _drive(port, pages, load)
        post = _drive(port, answers, load, post=True)
    finally:
        stop_gunicorn(server)
    _log(
        f"{_label(*config)}: GET {page['rps']}/s p99 {page['p99_ms']} ms; POST {post['rps']}/s p99 {post['p99_ms']} ms"
    )
    page["load_avg_before"] = post["load_avg_before"] = load_before
    return {"config": _label(*config), "page": page, "post": post}


def _run_ceiling(config: tuple[str, int, int], paths: Path, load: Load, log: Path) -> dict:
    load_before = round(os.getloadavg()[0], 2)
    server, port = start_gunicorn(*config, log, env={"DJANGO_SETTINGS_MODULE": "bench.ceiling_settings"})
    try:
        warm = _drive(port, paths, load, seconds=WARM_UP_SECONDS)
        if warm["errors"]:
            raise RuntimeError(f"ceiling: errors while warming up {warm['statuses']}; see {log}")
        empty = _drive(port, paths, load)
    finally:
        stop_gunicorn(server)
    _log(f"{_label(*config)}: empty view {empty['rps']}/s p99 {empty['p99_ms']} ms")
    return {**empty, "load_avg_before": load_before}


_FIGURES = ("requests", "errors", "rps", "p50_ms", "p95_ms", "p99_ms")
_MEDIANS = ("rps", "p50_ms", "p95_ms", "p99_ms", "max_ms", "requests", "load_avg_before")


def _phase(runs: list[dict]) -> dict:
    """One phase of one configuration over the repetitions: medians and spreads; errors summed."""
    result = summarise(runs, _MEDIANS)
    result["errors"] = sum(run["errors"] for run in runs)
    return result


def _summary(run: dict, configs: list[dict], key: str, shape: dict, queries: int) -> dict:
    picked = {k: run[k] for k in ("connections", *_FIGURES, "max_ms", "load_avg_before", "repeats", "runs")}
    picked |= {f"{k}_spread": run[f"{k}_spread"] for k in ("rps", "p50_ms", "p95_ms", "p99_ms")}
    return {
        **picked,
        **shape,
        "queries": queries,
        "config": configs[0]["config"],
        "client_cpu_seconds": run["client_cpu_seconds"],
        "configs": [
            {
                "config": c["config"],
                **{k: c[key][k] for k in (*_FIGURES, "load_avg_before", "rps_spread", "p99_ms_spread")},
            }
            for c in configs
        ],
    }


def _ceiling_summary(runs: list[dict], page: dict, post: dict, config: str) -> dict:
    ceiling = _phase(runs)
    return {
        **{k: ceiling[k] for k in ("rps", "rps_spread", "p50_ms", "p99_ms", "p99_ms_spread", "errors", "repeats")},
        "config": config,
        "view": "bench.ceiling_urls.empty (no query, no template) under Druppel's settings and middleware",
        "page_share_pct": round(page["rps"] / ceiling["rps"] * 100, 1),
        "post_share_pct": round(post["rps"] / ceiling["rps"] * 100, 1),
        # Each repetition's share, against the ceiling measured in the same repetition.
        "page_share_pct_spread": _share_spread(page, ceiling),
        "post_share_pct_spread": _share_spread(post, ceiling),
        "goal_page_share_pct": GOAL_PAGE_SHARE_PCT,
        "goal_post_share_pct": GOAL_POST_SHARE_PCT,
        "goal_p99_ms": GOAL_P99_MS,
        "page_p99_ms": page["p99_ms"],
        "post_p99_ms": post["p99_ms"],
    }


def _share_spread(phase: dict, ceiling: dict) -> list[float]:
    shares = [p["rps"] / c["rps"] * 100 for p, c in zip(phase["runs"], ceiling["runs"], strict=True)]
    return [round(min(shares), 1), round(max(shares), 1)]


def run_lesson_load_benchmarks(
    *,
    enrolments: int,
    lessons: int,
    load: Load,
    configs: list | None = None,
    repeats: int = REPEATS,
    ceiling: bool = True,
) -> dict:
    configs = configs or CONFIGS
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    data: LearnerDataset = build_learner_dataset(enrolments=enrolments, lessons=lessons)
    built_s = round(time.perf_counter() - started, 1)
    answer_tokens = list(data.answer_tokens)
    queries = _query_counts(data.page_tokens[1], answer_tokens.pop())
    answered_before = Delivery.objects.filter(position__gt=1, answered_at__isnull=False).count()
    connections.close_all()  # the servers get the database to themselves
    _log(f"{enrolments} enrolments × {lessons} sent lessons built in {built_s} s; queries {queries}")
    share = len(answer_tokens) // (len(configs) * repeats)
    runs: dict[int, list[dict]] = {index: [] for index in range(len(configs))}
    ceilings: list[dict] = []
    log = Path(settings.VAR_DIR) / "gunicorn.log"
    with tempfile.TemporaryDirectory(prefix="druppel-load-") as tmp:
        folder = Path(tmp)
        pages = _write(folder / "pages.txt", [f"/l/{token}/" for token in data.page_tokens])
        empty = _write(folder / "empty.txt", [f"/bench/empty/{token}/" for token in data.page_tokens])
        for repetition in range(repeats):
            if ceiling:
                ceilings.append(_run_ceiling(configs[0], empty, load, log))
            for index, config in enumerate(configs):
                slot = repetition * len(configs) + index
                mine = answer_tokens[slot * share : (slot + 1) * share]
                answers = _write(folder / f"answers-{slot}.txt", [f"/l/{t}/answer/{ANSWER_OPTION}/" for t in mine])
                runs[index].append(_run_config(config, pages, answers, load, log))
    written = Delivery.objects.filter(position__gt=1, answered_at__isnull=False).count() - answered_before
    posted = sum(r["post"]["statuses"].get("200", 0) for config_runs in runs.values() for r in config_runs)
    if written != posted:
        raise RuntimeError(f"{posted} answers got a 200 but {written} were recorded")
    results = [
        {"config": rs[0]["config"], "page": _phase([r["page"] for r in rs]), "post": _phase([r["post"] for r in rs])}
        for rs in runs.values()
    ]
    stamp = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    shape = {
        "enrolments": enrolments,
        "deliveries": enrolments * lessons,
        "dataset_seconds": built_s,
        "goal_rps": GOAL_RPS,
        "goal_p99_ms": GOAL_P99_MS,
        "measured_at": stamp,
    }
    out = {
        "p2_lesson_page": _summary(results[0]["page"], results, "page", shape, queries["page"]),
        "p2_answer_post": {
            **_summary(results[0]["post"], results, "post", shape, queries["answer_post"]),
            "confirm_get_queries": queries["confirm_get"],
        },
    }
    if ceiling:
        out["p2_ceiling"] = {
            **_ceiling_summary(ceilings, results[0]["page"], results[0]["post"], results[0]["config"]),
            "measured_at": stamp,
        }
    return out
