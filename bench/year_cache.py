"""P5's year of history, built once and kept between runs of `make bench`.

The year lives in its own PostgreSQL database, ``druppel_bench_year_<key>``.
The key is a hash of ``DATASET_VERSION`` (bump it when bench/year_*.py changes
what it generates), the data set's shape, and every migration file of the
project: a changed schema gets a new key, so the next run builds a new year
and drops the old one. A build goes into ``…_building`` and is renamed only
when it finished, so a database under the final name is always complete; its
comment keeps what the build reported (JSON).

Measurements never touch the cached year: each run copies it
(``CREATE DATABASE … TEMPLATE … STRATEGY FILE_COPY``), measures the copy and
drops it.
"""

import hashlib
import json
import os
import re
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import urlsplit

import psycopg

from bench.year_build import Shape

DATASET_VERSION = 2  # 2: the trainer's counters (delivered, answers per option, weekly completions)
PREFIX = os.environ.get("BENCH_YEAR_PREFIX", "druppel_bench_year_")
ROOT = Path(__file__).resolve().parents[1]
APPS = ["accounts", "courses", "dashboard", "discussions", "learners", "lessons", "mailer", "organisations"]


def _log(message: str) -> None:
    print(f"[year] {message}", file=sys.stderr, flush=True)


def year_key(shape: Shape) -> str:
    digest = hashlib.sha256(json.dumps([DATASET_VERSION, asdict(shape)], sort_keys=True).encode())
    for app in APPS:
        for path in sorted((ROOT / app / "migrations").glob("*.py")):
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def _server(database_url: str) -> str:
    parts = urlsplit(database_url.replace("postgres://", "postgresql://", 1))
    return parts._replace(path="/postgres").geturl()


def _url(database_url: str, name: str) -> str:
    return urlsplit(database_url)._replace(path=f"/{name}").geturl()


def _admin(database_url: str, statement: str, params: list | None = None) -> list[tuple]:
    with psycopg.connect(_server(database_url), autocommit=True) as connection:
        cursor = connection.execute(statement, params)  # type: ignore[arg-type]
        return cursor.fetchall() if cursor.description else []


@dataclass(frozen=True)
class Year:
    name: str
    url: str
    built_now: bool
    report: dict  # what bench/year_build.py printed when it built this year

    @property
    def build_seconds(self) -> float:
        return float(self.report.get("timings", {}).get("total_s", 0.0))


def _build(database_url: str, name: str, shape: Shape) -> dict:
    building = f"{name}_building"
    _admin(database_url, f'DROP DATABASE IF EXISTS "{building}" WITH (FORCE)')
    _admin(database_url, f'CREATE DATABASE "{building}"')
    _admin(database_url, f'ALTER DATABASE "{building}" SET random_page_cost = 1.1')
    command = [sys.executable, "-m", "bench.year_build", "--learners", str(shape.learners),
               "--organisations", str(shape.organisations), "--big-organisation", str(shape.big_organisation),
               "--lessons", str(shape.lessons)]  # fmt: skip
    if shape.events_window_days:
        command += ["--events-window-days", str(shape.events_window_days)]
    env = {**os.environ, "DATABASE_URL": _url(database_url, building), "DEBUG": "0"}
    _log(f"building {shape.learners:,} learners × {shape.lessons} lessons into {building} (a few minutes)")
    started = time.perf_counter()
    try:
        code, out, err = run_child(command, env)
    except BaseException:
        _admin(database_url, f'DROP DATABASE IF EXISTS "{building}" WITH (FORCE)')
        raise
    if code:
        _admin(database_url, f'DROP DATABASE IF EXISTS "{building}" WITH (FORCE)')
        raise RuntimeError(f"building the year failed:\n{err[-4000:]}")
    report = json.loads(out.strip().splitlines()[-1])
    report["timings"]["wall_s"] = round(time.perf_counter() - started, 1)
    report["load_avg_after"] = [round(x, 2) for x in os.getloadavg()]
    _admin(database_url, f'ALTER DATABASE "{building}" RENAME TO "{name}"')
    _admin(database_url, f'COMMENT ON DATABASE "{name}" IS $report${json.dumps(report)}$report$')
    _log(f"built {name} in {report['timings']['wall_s']} s: {report['timings']}")
    return report


def run_child(command: list[str], env: dict[str, str]) -> tuple[int, str, str]:
    """A bench subprocess; stopped with SIGTERM (so it stops its own workers and servers) if we are."""
    child = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # noqa: S603
    try:
        out, err = child.communicate()
    except BaseException:
        child.terminate()
        try:
            child.wait(timeout=60)
        except subprocess.TimeoutExpired:
            child.kill()
        raise
    return child.returncode, out, err


def year_ensure(database_url: str, shape: Shape) -> Year:
    """The cached year for this schema and shape, built first if there is none; stale years dropped."""
    name = PREFIX + year_key(shape)
    existing = [row[0] for row in _admin(database_url, "SELECT datname FROM pg_database WHERE datname LIKE %s",
                                         [PREFIX.replace("_", r"\_") + "%"])]  # fmt: skip
    for stale in existing:
        # Only finished years of another key: a build in progress is dropped by its own next attempt.
        if stale != name and re.fullmatch(re.escape(PREFIX) + "[0-9a-f]{12}", stale):
            _log(f"dropping {stale} (another schema or data set version)")
            _admin(database_url, f'DROP DATABASE IF EXISTS "{stale}" WITH (FORCE)')
    if name in existing:
        (comment,) = _admin(database_url, "SELECT shobj_description(oid, 'pg_database') FROM pg_database "
                                          "WHERE datname = %s", [name])[0]  # fmt: skip
        return Year(name, _url(database_url, name), False, json.loads(comment or "{}"))
    return Year(name, _url(database_url, name), True, _build(database_url, name, shape))


def year_copy(database_url: str, year: Year) -> tuple[str, float]:
    """A fresh copy of the cached year to measure on; its URL and the seconds the copy took."""
    copy = f"{PREFIX}run"
    _admin(database_url, f'DROP DATABASE IF EXISTS "{copy}" WITH (FORCE)')
    started = time.perf_counter()
    _admin(database_url, f'CREATE DATABASE "{copy}" TEMPLATE "{year.name}" STRATEGY FILE_COPY')
    _admin(database_url, f'ALTER DATABASE "{copy}" SET random_page_cost = 1.1')
    return _url(database_url, copy), round(time.perf_counter() - started, 1)


def year_copy_drop(database_url: str) -> None:
    _admin(database_url, f'DROP DATABASE IF EXISTS "{PREFIX}run" WITH (FORCE)')
