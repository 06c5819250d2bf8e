import io
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import LazySettings
from django.core.cache import cache
from django.core.management import call_command
from playwright.sync_api import Browser, sync_playwright

from tests.fake_sendgrid import FakeSendGrid


@pytest.fixture(autouse=True)
def fresh_rate_limits() -> Iterator[None]:
    """allauth counts sign-in code requests in the cache; one test's requests must not throttle the next."""
    cache.clear()
    yield
    cache.clear()


CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's Chromium through Playwright, one for the session (tests/browser/ and tests/standards/).
    Missing Chromium is an error, never a skip."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run bin/ensure-chromium (make test does)")
    # Playwright's sync API keeps an event loop in this thread; Django would then
    # refuse the test's own database calls. The server runs in its own thread.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
        )
        yield browser
        browser.close()


@pytest.fixture
def fake_sendgrid(settings: LazySettings) -> Iterator[FakeSendGrid]:
    """The loopback fake SendGrid, with Druppel configured to send through the real SDK to it."""
    with FakeSendGrid() as fake:
        settings.SENDGRID_API_KEY = "SG.test-key"
        settings.SENDGRID_API_HOST = fake.url
        yield fake


@pytest.fixture
def outbox_dir(settings: LazySettings, tmp_path):  # type: ignore[no-untyped-def]
    """Mail, lessons and sign-in codes alike, goes through the real transport into this folder."""
    settings.SENDGRID_API_KEY = ""
    # Django's test setup swaps in the locmem backend; use ours, as production does.
    settings.EMAIL_BACKEND = "mailer.backends.OutboxEmailBackend"
    settings.OUTBOX_DIR = tmp_path / "outbox"
    return settings.OUTBOX_DIR


def pytest_report_header(config: pytest.Config) -> list[str]:
    return [
        f"DATABASE_URL: {os.environ.get('DATABASE_URL', '(embedded SQLite)')}",
        f"CELERY_BROKER_URL: {os.environ.get('CELERY_BROKER_URL', '(embedded file-system broker)')}",
    ]


@pytest.fixture
def run_tick(django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    """Run `manage.py drip_tick --at AT` the way an operator would, sends included."""

    def run(at: str) -> str:
        out = io.StringIO()
        # Inside the test's transaction, commit hooks are captured; run them as a commit would.
        with django_capture_on_commit_callbacks(execute=True):
            call_command("drip_tick", "--at", at, stdout=out)
        return out.getvalue()

    return run


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Our rule: a test never skips its way to green, and a run that ran nothing fails."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = len(reporter.stats.get("skipped", [])) if reporter else 0
    if skipped:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
        if reporter:
            reporter.write_line(f"{skipped} test(s) skipped: skipping is not allowed here", red=True)
