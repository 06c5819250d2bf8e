"""One pass over every page and mail: walk, visit in Chromium, run axe, save the HTML for the Nu checker.

The pass runs once per test module (it takes a browser and a live server); the tests
then read its findings. Files land in var/standards/ so a person can open them.
"""

import re
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.test import Client, override_settings
from django.test.signals import template_rendered
from playwright.sync_api import Browser, BrowserContext, Page

from tests.standards import mails, walk
from tests.standards.axe import axe_install, axe_violations
from tests.standards.error_urls import ERROR_PAGES
from tests.standards.roles import role_clients, session_cookie, signing_in_client, totp_signing_in_client
from tests.standards.world import World, build_world

OUT = Path(settings.BASE_DIR) / "var" / "standards"
SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots" / "standards"
# Pages whose templates the standards work changed: a person looks at these.
SCREENSHOT = {
    "lessons:page",
    "lessons:answer",
    "learners:courses",
    "learners:certificate",
    "dashboard:dashboard",
    "dashboard:settings",
    "dashboard:offering_edit",
    "dashboard:staff_import",
    "discussions:thread",
    "discussions:reports",
    "account_request_login_code",
    "account_change_password",
}


@dataclass(frozen=True)
class Checked:
    kind: str  # "page", "error page" or "mail"
    label: str  # "learner /me/", "mail lesson"
    file: Path
    violations: list[dict]


@dataclass
class Audit:
    checked: list[Checked] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # what the walk could not cover, and why
    templates: set[str] = field(default_factory=set)  # every template rendered during the pass
    text_only: list[str] = field(default_factory=list)  # mail kinds without an HTML part
    seconds: dict[str, float] = field(default_factory=dict)  # how long each phase took

    @property
    def files(self) -> list[Path]:
        return [item.file for item in self.checked]


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-")[:80]


class Visitor:
    """One browser context per role (its session cookie set), one page each, reused for every URL."""

    def __init__(self, browser: Browser, base_url: str, clients: dict[str, Client], world: World) -> None:
        self.browser, self.base_url, self.clients, self.world = browser, base_url, clients, world
        self.contexts: dict[str, BrowserContext] = {}
        self.pages: dict[str, Page] = {}

    def page(self, role: str) -> Page:
        if role not in self.pages:
            context = self.browser.new_context(bypass_csp=True, locale="nl-BE", viewport={"width": 1280, "height": 900})
            axe_install(context)
            self.contexts[role], self.pages[role] = context, context.new_page()
        if role == "signing_in":  # a halfway sign-in is used up by visiting: a fresh one each time
            self._sign_in(self.contexts[role], signing_in_client(self.world))
        elif role == "totp_signing_in":
            self._sign_in(self.contexts[role], totp_signing_in_client(self.world))
        elif not self.contexts[role].cookies() and role != "anonymous":
            self._sign_in(self.contexts[role], self.clients[role])
        return self.pages[role]

    def _sign_in(self, context: BrowserContext, client: Client) -> None:
        context.clear_cookies()
        value = session_cookie(client)
        if value:
            context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": value, "url": self.base_url}])

    def visit(self, role: str, url: str, folder: Path, label: str, screenshot: str = "") -> Checked:
        page = self.page(role)
        response = page.goto(self.base_url + url)
        assert response is not None, f"no response for {url}"
        file = folder / f"{_slug(label)}.html"
        file.write_bytes(response.body())
        if screenshot:
            page.screenshot(path=str(SCREENSHOTS / f"{_slug(screenshot)}.png"), full_page=True)
        return Checked("page", label, file, axe_violations(page))

    def open_file(self, file: Path, label: str, kind: str, screenshot: bool = False) -> Checked:
        page = self.page("anonymous")
        page.goto(file.as_uri())
        if screenshot:
            page.screenshot(path=str(SCREENSHOTS / f"{_slug(label)}.png"), full_page=True)
        return Checked(kind, label, file, axe_violations(page))

    def close(self) -> None:
        for context in self.contexts.values():
            context.close()


@contextmanager
def _recording(templates: set[str]) -> Iterator[None]:
    def record(sender: object, template: object, **kwargs: object) -> None:
        name = getattr(template, "name", None)
        if name:
            templates.add(name)

    template_rendered.connect(record)
    try:
        yield
    finally:
        template_rendered.disconnect(record)


def _timed(audit: Audit, phase: str, started: float) -> None:
    audit.seconds[phase] = round(time.monotonic() - started, 1)


def run_audit(browser: Browser, base_url: str) -> Audit:
    for folder in (OUT, SCREENSHOTS):
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
    audit = Audit()
    # Sign-in by code is rate-limited per address; here one person signs in many times on purpose.
    with _recording(audit.templates), override_settings(ACCOUNT_RATE_LIMITS=False):
        started = time.monotonic()
        world = build_world(outbox=OUT / "outbox")
        clients = role_clients(world)
        visitor = Visitor(browser, base_url, clients, world)
        _timed(audit, "world", started)
        try:
            for phase, run in (
                ("pages", lambda: _walk_pages(audit, visitor, world, clients)),
                ("error pages", lambda: _error_pages(audit, visitor)),
                ("mails", lambda: _mails(audit, visitor, world)),
            ):
                started = time.monotonic()
                run()
                _timed(audit, phase, started)
        finally:
            visitor.close()
    return audit


def _walk_pages(audit: Audit, visitor: Visitor, world: World, clients: dict[str, Client]) -> None:
    folder = OUT / "pages"
    folder.mkdir()
    sessions = _sessions(world, clients)
    for route in walk.routes():
        if walk.out_of_scope(route):
            continue
        try:
            urls = walk.urls_for(route, world)
        except KeyError as missing:
            audit.problems.append(
                f"{route.name} ({route.pattern}): no working factory for the URL argument {missing}; "
                "add one to ARGUMENTS in tests/standards/walk.py"
            )
            continue
        every_role = route.name in walk.NOT_PAGES or route.name in walk.UNREACHED or route.name in walk.ALSO_AS
        for url in urls:
            _check_route(audit, visitor, route, url, walk.reach(url, sessions, every_role=every_role), folder)


def _sessions(world: World, clients: dict[str, Client]) -> dict[str, Callable[[], Client]]:
    """Each role's client; the halfway sign-ins are made fresh for every try (a visit can use them up)."""
    sessions: dict[str, Callable[[], Client]] = {role: _constant(client) for role, client in clients.items()}
    sessions["signing_in"] = lambda: signing_in_client(world)
    sessions["totp_signing_in"] = lambda: totp_signing_in_client(world)
    return sessions


def _constant(client: Client) -> Callable[[], Client]:
    return lambda: client


def _check_route(audit: Audit, visitor: Visitor, route: walk.Route, url: str, found: walk.Reach, folder: Path) -> None:
    roles = walk.roles_to_check(route, found)
    if route.name in walk.NOT_PAGES:
        if roles:
            audit.problems.append(
                f"{route.name} is listed in NOT_PAGES ({walk.NOT_PAGES[route.name]}) "
                f"but {url} is an HTML page for {', '.join(found.pages())}: check it instead"
            )
        return
    if route.name in walk.UNREACHED:
        if roles:
            audit.problems.append(f"{route.name} is listed in UNREACHED but {', '.join(roles)} reach it: check it")
        return
    if not roles:
        audit.problems.append(
            f"{route.name} ({url}): no role gets a page {found.statuses}; "
            "give its arguments real objects (tests/standards/world.py) or list it in NOT_PAGES with a reason"
        )
        return
    variant = sum(item.label.startswith(f"{roles[0]} {route.name} ") for item in audit.checked)
    for role in roles:
        label = f"{role} {route.name} {url}"
        shot = f"{role} {route.name} {variant + 1}" if route.name in SCREENSHOT else ""
        audit.checked.append(visitor.visit(role, url, folder, label, screenshot=shot))


def _error_pages(audit: Audit, visitor: Visitor) -> None:
    folder = OUT / "errors"
    folder.mkdir()
    with override_settings(ROOT_URLCONF="tests.standards.error_urls", DEBUG=False):
        for label, url in ERROR_PAGES.items():
            checked = visitor.visit("anonymous", url, folder, f"error {label}", screenshot=f"error {label}")
            audit.checked.append(Checked("error page", checked.label, checked.file, checked.violations))


def _mails(audit: Audit, visitor: Visitor, world: World) -> None:
    folder = OUT / "mails"
    folder.mkdir()
    for kind, render in mails.MAILS.items():
        html = render(world, folder)
        if not html:
            audit.text_only.append(kind)
            continue
        file = folder / f"{_slug(kind)}.html"
        file.write_text(html, encoding="utf-8")
        audit.checked.append(visitor.open_file(file, f"mail {kind}", "mail", screenshot=True))
