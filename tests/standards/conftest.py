from collections.abc import Iterator

import pytest
from django.core.management import call_command
from django.db import connections

from tests.standards.audit import Audit, run_audit
from tests.standards.axe import AXE_JS


@pytest.fixture(scope="module")
def audit(django_db_setup, django_db_blocker, live_server, browser) -> Iterator[Audit]:  # type: ignore[no-untyped-def]
    """Every page and mail, visited and checked once for the module; the database is emptied after."""
    if not AXE_JS.exists():
        pytest.fail(f"{AXE_JS} is missing: make test installs axe-core from tests/standards/package-lock.json")
    with django_db_blocker.unblock():
        try:
            yield run_audit(browser, live_server.url)
        finally:
            # As pytest-django's transactional tests flush: ids are not reused, so a task the world's
            # fold published (its certificate mail) can never pick up a later test's row.
            call_command("flush", interactive=False, verbosity=0, reset_sequences=False)
            # Settings keep connections for a minute (CONN_MAX_AGE); the test database is dropped before that.
            connections.close_all()
