"""One Druppel installation for a fault case: PostgreSQL, a private Redis, Celery workers and
beats as real processes, the fake SendGrid, and the web app receiving SendGrid's signed events.

Windows are the real ones, shortened through the environment (no mocks): a claim lease of
15 s instead of 15 min, a 20 s grace instead of 6 h, a 2 s SendGrid timeout, a tick every 2 s.
"""

import datetime as dt
import json
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from django.db import connection
from django.utils import timezone

from courses.models import Enrolment
from lessons.models import Delivery, SendAttempt, SendBatch
from tests.factories import CourseFactory, OrganisationFactory, enrol_many, make_lessons
from tests.fake_sendgrid import FakeSendGrid, RecordedRequest
from tests.faults.harness import Process, RedisServer, Supervisor, celery, wait_until
from tests.sendgrid_events import SigningKey, events_for, post_events

WINDOWS = {
    "SENDGRID_TIMEOUT": "2",
    "DRIP_TICK_EVERY_SECONDS": "2",
    "DRIP_BATCH_SIZE": "100",
    "DRIP_REQUEUE_AFTER_SECONDS": "6",
    "DRIP_PREPARE_LEASE_SECONDS": "6",
    "DRIP_CLAIM_LEASE_SECONDS": "15",
    "DRIP_UNKNOWN_GRACE_SECONDS": "20",
    "DRIP_RETRY_BASE_SECONDS": "0.5",
    "DRIP_RETRY_MAX_SECONDS": "5",
    "CELERY_VISIBILITY_TIMEOUT": "20",
}
UNFINISHED = [SendBatch.Status.QUEUED, SendBatch.Status.SENDING, SendBatch.Status.WAITING, SendBatch.Status.UNKNOWN]


@dataclass
class Tally:
    """What the learners got, counted from what the fake SendGrid accepted."""

    expected: int
    accepted: int
    duplicates: int
    lost: int
    to_leavers: int
    details: dict = field(default_factory=dict)

    def as_row(self) -> dict:
        return {
            "expected": self.expected,
            "accepted": self.accepted,
            "duplicates": self.duplicates,
            "lost": self.lost,
            "to_leavers": self.to_leavers,
        }


class Cluster:
    def __init__(self, *, tmp: Path, redis: RedisServer, fake: FakeSendGrid, webhook_url: str, key: SigningKey):
        self.tmp, self.redis, self.fake, self.key = tmp, redis, fake, key
        self.webhook_url = webhook_url
        self.supervisor = Supervisor()
        self.workers: list[Process] = []
        self.beats: list[Process] = []
        self.events = ThreadPoolExecutor(max_workers=4, thread_name_prefix="sendgrid-events")
        self.event_delay = 1.0
        self.event_mode = "after"  # "after" the answer, "during" the request, or "none"
        self.left: dict[int, float] = {}  # enrolment -> when they left (time.time())
        self.enrolments: list[int] = []
        self._posted: list[int] = []
        self._lock = threading.Lock()
        fake.add_received_hook(lambda record: self._report(record, "during"))
        fake.add_accepted_hook(lambda record: self._report(record, "after"))

    # -- processes --------------------------------------------------------

    def env(self, name: str) -> dict[str, str]:
        database = connection.settings_dict
        var = self.tmp / name
        var.mkdir(exist_ok=True)
        return {
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "HOME": str(self.tmp),
            "DJANGO_SETTINGS_MODULE": "druppel.settings",
            "SECRET_KEY": "fault-suite-secret-key-that-is-long-enough-for-django-checks",
            "DEBUG": "0",
            "SITE_URL": "https://druppel.example",
            "DRUPPEL_VAR_DIR": str(var),
            "DATABASE_URL": (
                f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}"
                "?application_name=druppel-worker"
            ),
            "CELERY_BROKER_URL": self.redis.url,
            "SENDGRID_API_KEY": "SG.fault-suite",
            "SENDGRID_API_HOST": self.fake.url,
            "LOG_LEVEL": "INFO",
            **WINDOWS,
        }

    def start_worker(self, *, concurrency: int = 2) -> Process:
        name = f"worker-{len(self.workers) + 1}"
        argv = celery(
            "worker", "-Q", "drip,send,default,digest", "-c", str(concurrency), "-P", "prefork",
            "-n", f"{name}@faults", "--without-mingle", "--without-gossip", "--loglevel", "INFO",
        )  # fmt: skip
        worker = self.supervisor.add(Process(name, argv, self.env(name), self.tmp, ready="ready."))
        worker.start()
        self.workers.append(worker)
        return worker

    def start_beat(self) -> Process:
        name = f"beat-{len(self.beats) + 1}"
        env = self.env(name)
        argv = celery("beat", "-s", f"{env['DRUPPEL_VAR_DIR']}/schedule", "--loglevel", "INFO")
        beat = self.supervisor.add(Process(name, argv, env, self.tmp, ready="beat: Starting"))
        beat.start()
        self.beats.append(beat)
        return beat

    def manual_tick(self) -> str:
        """`manage.py drip_tick`, as an operator would run it, while beats run too."""
        import subprocess
        import sys

        result = subprocess.run(
            [sys.executable, "manage.py", "drip_tick"],
            cwd=Path(__file__).resolve().parents[2],
            env=self.env("manual"),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert result.returncode == 0, result.stderr[-3000:]
        return result.stdout

    def close(self) -> None:
        self.supervisor.close()
        self.events.shutdown(wait=True, cancel_futures=True)

    # -- SendGrid's events --------------------------------------------------

    def _report(self, record: RecordedRequest, moment: str) -> None:
        if self.event_mode != moment or record.message_id is None:
            return
        self.events.submit(self._post_events, record)

    def _post_events(self, record: RecordedRequest) -> None:
        time.sleep(self.event_delay)
        events = events_for(record, "processed") + events_for(record, "delivered")
        for start in range(0, len(events), 500):
            status = post_events(self.webhook_url, events[start : start + 500], self.key)
            assert status == 200, f"webhook answered {status}"
        with self._lock:
            self._posted.append(len(events))

    # -- data -------------------------------------------------------------

    def seed(self, count: int = 1000, lessons: int = 3) -> None:
        course = CourseFactory.create()
        make_lessons(course, lessons)
        organisation = OrganisationFactory.create()
        self.enrolments = [e.pk for e in enrol_many(course, organisation, count, start=dt.date(2027, 3, 1))]
        Enrolment.objects.update(next_due_at=timezone.now() - dt.timedelta(seconds=1))

    def next_slot(self) -> None:
        """The next slot arrives: what the calendar set days ahead is due now."""
        Enrolment.objects.filter(status=Enrolment.Status.ACTIVE).update(
            next_due_at=timezone.now() - dt.timedelta(seconds=1)
        )

    def settled(self) -> bool:
        """Nothing is due any more (the tick planned the slot) and no batch is unfinished."""
        if SendBatch.objects.filter(status__in=UNFINISHED).exists():
            return False
        return not Enrolment.objects.filter(status=Enrolment.Status.ACTIVE, next_due_at__lte=timezone.now()).exists()

    def run_slot(self, position: int, *, timeout: float = 120, during: Callable[[], None] | None = None) -> None:
        if position > 1:
            self.next_slot()
        if during is not None:
            during()
        if not wait_until(self.settled, timeout=timeout, every=0.5):
            raise AssertionError(f"slot {position} did not settle in {timeout}s: {self.state()}")

    def state(self) -> dict:
        return {
            "batches": dict(Counter(SendBatch.objects.values_list("status", flat=True))),
            "deliveries": dict(Counter(Delivery.objects.values_list("status", flat=True))),
            "attempts": dict(Counter(SendAttempt.objects.values_list("outcome", flat=True))),
            "resent": SendBatch.objects.filter(resent_at__isnull=False).count(),
            "requests": len(self.fake.requests),
            "accepted_requests": len(self.fake.accepted),
            "restarts": {p.name: p.restarts for p in self.supervisor.processes if p.restarts},
        }

    def path(self) -> str:
        """What happened, in a few words, for the matrix: the attempts' outcomes and any resend."""
        state = self.state()
        attempts = ", ".join(f"{n} {outcome or 'in flight'}" for outcome, n in sorted(state["attempts"].items()))
        restarts = ", ".join(f"{name} restarted {n}×" for name, n in state["restarts"].items())
        parts = [f"{state['requests']} requests ({attempts})", f"{state['resent']} batches resent after the grace"]
        return "; ".join([*parts, restarts] if restarts else parts)

    def leave(self, enrolment_ids: list[int], status: str = Enrolment.Status.UNSUBSCRIBED) -> None:
        now = time.time()
        for pk in enrolment_ids:
            self.left[pk] = now

    # -- what the learners got ----------------------------------------------

    def tally(self, positions: int, *, fewer: dict[int, int] | None = None) -> Tally:
        """Duplicates, losses and mails to leavers, from the fake's accepted requests.

        Every enrolment that stayed should have lessons 1 to ``positions`` once; ``fewer`` gives
        those that should have fewer (a learner who paused for a slot)."""
        owner = dict(Delivery.objects.values_list("pk", "enrolment_id"))
        place = dict(Delivery.objects.values_list("pk", "position"))
        got: Counter[tuple[int, int]] = Counter()
        by_address: Counter[tuple[str, str]] = Counter()
        to_leavers = 0
        for record in self.fake.accepted:
            for personalization in record.body["personalizations"]:
                delivery = int(personalization["custom_args"]["delivery_id"])
                enrolment = owner[delivery]
                got[(enrolment, place[delivery])] += 1
                by_address[(personalization["to"][0]["email"], record.body["subject"])] += 1
                left_at = self.left.get(enrolment)
                if left_at is not None and record.received_at > left_at:
                    to_leavers += 1
        stayed = [pk for pk in self.enrolments if pk not in self.left]
        fewer = fewer or {}
        expected = {(pk, position) for pk in stayed for position in range(1, fewer.get(pk, positions) + 1)}
        duplicates = sum(n - 1 for n in got.values() if n > 1) + sum(n - 1 for n in by_address.values() if n > 1)
        return Tally(
            expected=len(expected),
            accepted=sum(got.values()),
            duplicates=duplicates,
            lost=len(expected - set(got)),
            to_leavers=to_leavers,
            details={**self.state(), "path": self.path()},
        )


def terminate_worker_connections() -> int:
    """pg_terminate_backend on every database connection of the worker processes."""
    settings = connection.settings_dict
    with psycopg.connect(
        host=settings["HOST"], port=settings["PORT"], user=settings["USER"], dbname=settings["NAME"], autocommit=True
    ) as admin:
        rows = admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE application_name = 'druppel-worker' AND datname = current_database()"
        ).fetchall()
    return len(rows)


def record_case(path: Path, case: str, what: str, tally: Tally, seconds: float) -> None:
    """Append this case's row to the matrix the suite writes (docs/reliability.md quotes it)."""
    rows = json.loads(path.read_text()) if path.exists() else []
    rows = [row for row in rows if row["case"] != case]
    rows.append({"case": case, "what": what, **tally.as_row(), "seconds": round(seconds, 1)})
    path.write_text(json.dumps(rows, indent=2))
