"""Fixtures of the fault suite (``pytest -m faults``): it runs on PostgreSQL with real processes."""

import shutil
import time
from collections.abc import Iterator

import pytest
from django.db import connection

from tests.fake_sendgrid import FakeSendGrid
from tests.faults.cluster import Cluster, Tally, record_case
from tests.faults.harness import ROOT, redis_server
from tests.sendgrid_events import SigningKey

MATRIX = ROOT / "var" / "faults" / "matrix.json"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/faults/" in str(item.fspath):
            item.add_marker(pytest.mark.faults)


@pytest.fixture
def cluster(live_server, settings, request: pytest.FixtureRequest) -> Iterator[Cluster]:  # type: ignore[no-untyped-def]
    if connection.vendor != "postgresql":
        pytest.fail(
            "The fault suite runs real worker processes against PostgreSQL: set "
            "DATABASE_URL=postgres://… (it starts its own redis-server)."
        )
    # Logs of every process stay after the run, one folder per case: var/faults/runs/<case>/.
    tmp_path = MATRIX.parent / "runs" / request.node.name
    shutil.rmtree(tmp_path, ignore_errors=True)
    tmp_path.mkdir(parents=True)
    key = SigningKey.generate()
    settings.SENDGRID_WEBHOOK_PUBLIC_KEY = key.public
    with redis_server(tmp_path) as redis, FakeSendGrid() as fake:
        running = Cluster(
            tmp=tmp_path, redis=redis, fake=fake, webhook_url=f"{live_server.url}/webhooks/sendgrid/", key=key
        )
        try:
            yield running
        finally:
            running.close()


@pytest.fixture
def matrix(request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    """Record the case's row in var/faults/matrix.json, then hold it to exactly once."""
    started = time.monotonic()

    def record(what: str, tally: Tally) -> None:
        MATRIX.parent.mkdir(parents=True, exist_ok=True)
        happened = f"{what}. Observed: {tally.details['path']}"
        record_case(MATRIX, request.node.name, happened, tally, time.monotonic() - started)
        assert (tally.duplicates, tally.lost, tally.to_leavers) == (0, 0, 0), tally
        assert tally.accepted == tally.expected, tally

    return record
