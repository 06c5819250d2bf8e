"""Benchmark P6 (issue 15): the morning flood, SendGrid's events coming back while P1 still sends.

One session of P1 (bench/dispatch_runs.py: 100,000 due enrolments, real Celery
workers) against P6's fake SendGrid (bench/flood_fake.py: the loopback fake
plus a hook that queues each accepted request in Redis db 12), and the app
under gunicorn in P2's reported configuration with a webhook key made for the
run. Each repetition is a pair, in this order:

1. P1 alone (the queue the hook fills is thrown away);
2. P1 while bench/flood_poster.py, a second process, posts the events of every
   accepted mail back through gunicorn: signed batches of 1,000, 3.9 events per
   mail, 1 % of the batches twice.

Measured: events ingested per second (first post to last answer), the lag of
each accepted request (acceptance to the answer that applied its last event),
and P1's wall time with the flood against without. After each flooded run the
counters are checked against what was posted: every delivery delivered, opened
by a person or a machine as posted, LessonStats.opened and EnrolmentStats.opened
moved by the human opens exactly, one ProviderEvent per distinct event.
"""

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import redis
from cryptography.hazmat.primitives import serialization
from django.conf import settings
from django.db import connection
from django.db.models import Sum

from bench.dispatch_procs import FakeSendGridProcess
from bench.dispatch_runs import DispatchSession
from bench.lesson_load import CONFIGS, start_gunicorn, stop_gunicorn
from bench.noise import REPEATS, summarise
from lessons.models import Delivery, EnrolmentStats, LessonStats
from mailer.models import ProviderEvent
from tests.sendgrid_events import SigningKey

QUEUE_URL = os.environ.get("BENCH_FLOOD_QUEUE_URL", "redis://127.0.0.1:6379/12")
QUEUE_KEY = "bench:flood"
GOALS = {"events_per_s": 5000, "slowdown_pct": 20.0}
POSTER_TIMEOUT_S = 1200


def _log(message: str) -> None:
    print(f"[flood] {message}", file=sys.stderr, flush=True)


def _counters() -> dict[str, int]:
    return {
        "provider_events": ProviderEvent.objects.count(),
        "lesson_opened": LessonStats.objects.aggregate(n=Sum("opened"))["n"] or 0,
        "enrolment_opened": EnrolmentStats.objects.aggregate(n=Sum("opened"))["n"] or 0,
    }


def _check(batch_ids: list[int], before: dict[str, int], flood: dict, mails: int) -> dict:
    """What the database holds after the flood against what the poster posted: lost and applied twice."""
    deliveries = Delivery.objects.filter(batch_id__in=batch_ids)
    counts = {
        name: deliveries.filter(**{f"{name}__isnull": False}).count()
        for name in ("delivered_at", "opened_at", "machine_opened_at", "clicked_at")
    }
    after = _counters()
    moved = {name: after[name] - before[name] for name in after}
    human = flood["human_opens"]
    expected = {
        "delivered_at": mails,
        "opened_at": human,
        "machine_opened_at": flood["machine_opens"],
        "clicked_at": human,
        "provider_events": flood["events_posted"],
        "lesson_opened": human,
        "enrolment_opened": human,
    }
    found = {**counts, **moved}
    wrong = {
        name: {"expected": expected[name], "found": found[name]} for name in expected if found[name] != expected[name]
    }
    return {
        "expected": expected,
        "found": found,
        "lost": max(0, flood["events_posted"] - flood["applied"]),
        "applied_twice": max(0, flood["applied"] - flood["events_posted"]),
        "duplicates_recognised": flood["duplicates"],
        "duplicates_posted": flood["events_reposted"],
        "ok": not wrong
        and flood["applied"] == flood["events_posted"]
        and flood["duplicates"] == flood["events_reposted"]
        and not flood["post_errors"],
        "wrong": wrong,
    }


def _forget_events() -> None:
    ProviderEvent.objects.all().delete()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for table in ("mailer_providerevent", "lessons_lessonstats", "lessons_enrolmentstats"):
                cursor.execute(f"VACUUM ANALYZE {table}")


def _poster(port: int, key_file: Path, mails: int, connections: int) -> subprocess.Popen:
    command = [
        sys.executable, "-m", "bench.flood_poster", "--port", str(port), "--queue", QUEUE_URL, "--key", QUEUE_KEY,
        "--private-key", str(key_file), "--mails", str(mails), "--connections", str(connections),
    ]  # fmt: skip
    return subprocess.Popen(command, cwd=settings.BASE_DIR, stdout=subprocess.PIPE, text=True)  # noqa: S603


def _pair(session: DispatchSession, queue: redis.Redis, port: int, key_file: Path, workers: int, connections: int):  # type: ignore[no-untyped-def]
    quiet = session.run(workers)
    queue.delete(QUEUE_KEY)
    before = _counters()
    poster = _poster(port, key_file, session.data.enrolments, connections)
    try:
        flooded = session.run(workers)
        out, _ = poster.communicate(timeout=POSTER_TIMEOUT_S)
    finally:
        if poster.poll() is None:
            poster.kill()
            poster.wait()
    flood = json.loads(out.strip().splitlines()[-1])
    flood["lag_median_s"], flood["lag_max_s"] = flood["lag_s"]["median"], flood["lag_s"]["max"]
    flood["drained_after_last_accept_s"] = round(flood["last_answer_at"] - flood["last_accepted_at"], 2)
    flood["started_after_p1_s"] = round(flood["first_post_at"] - flooded["started_at"], 2)
    check = _check(session.batch_ids, before, flood, session.data.enrolments)
    verdict = "ok" if check["ok"] else check["wrong"]
    _log(
        f"P1 alone {quiet['wall_s']} s, with the flood {flooded['wall_s']} s; {flood['events_per_s']} events/s, "
        f"lag median {flood['lag_median_s']} s, max {flood['lag_max_s']} s; counters {verdict}"
    )
    _forget_events()
    return quiet, flooded, flood, check


def run_flood_benchmark(
    *, enrolments: int, organisations: int, workers: int = 2, repeats: int = REPEATS, connections: int = 4
) -> dict:
    key = SigningKey.generate()
    key_file = Path(settings.VAR_DIR) / "flood-key.pem"
    key_file.write_bytes(
        key.private.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    queue = redis.Redis.from_url(QUEUE_URL)
    queue.delete(QUEUE_KEY)
    log = Path(settings.VAR_DIR) / "fake-sendgrid-flood.log"
    fake = FakeSendGridProcess(log, module="bench.flood_fake", args=("--queue", QUEUE_URL, "--key", QUEUE_KEY))
    session = DispatchSession(enrolments=enrolments, organisations=organisations, fake=fake)
    log = Path(settings.VAR_DIR) / "gunicorn-flood.log"
    server, port = start_gunicorn(*CONFIGS[0], log, env={"SENDGRID_WEBHOOK_PUBLIC_KEY": key.public})
    pairs = []
    try:
        for _ in range(repeats):
            pairs.append(_pair(session, queue, port, key_file, workers, connections))
    finally:
        stop_gunicorn(server)
        session.close()
        queue.delete(QUEUE_KEY)
        key_file.unlink(missing_ok=True)
    return _summary(pairs, workers, connections, session)


def _summary(pairs: list, workers: int, connections: int, session: DispatchSession) -> dict:
    quiet = summarise([p[0] for p in pairs], ("wall_s", "mails_per_s"))
    flooded = summarise([p[1] for p in pairs], ("wall_s", "mails_per_s"))
    flood = summarise(
        [p[2] for p in pairs],
        ("events_per_s", "lag_median_s", "lag_max_s", "drained_after_last_accept_s", "started_after_p1_s"),
    )
    slowdowns = [round((f["wall_s"] / q["wall_s"] - 1) * 100, 1) for q, f, _, _ in pairs]
    checks = [p[3] for p in pairs]
    label = f"{CONFIGS[0][0]} {CONFIGS[0][1]}w×{CONFIGS[0][2]}t"
    return {
        "p6_flood": {
            "mails": session.data.enrolments,
            "workers": workers,
            "gunicorn": label,
            "poster_connections": connections,
            "events_per_mail": round(flood["events_posted"] / session.data.enrolments, 2),
            "p1_alone": quiet,
            "p1_with_flood": flooded,
            "slowdown_pct": round((flooded["wall_s"] / quiet["wall_s"] - 1) * 100, 1),
            "slowdown_pct_runs": slowdowns,
            "ingestion": flood,
            "checks": checks,
            "counters_ok": all(c["ok"] for c in checks),
            "lost": sum(c["lost"] for c in checks),
            "applied_twice": sum(c["applied_twice"] for c in checks),
            "goals": GOALS,
            "measured_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        }
    }
