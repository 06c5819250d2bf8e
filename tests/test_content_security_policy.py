"""Every page carries a Content-Security-Policy without 'unsafe-inline', and no page needs one:
no inline script, no event-handler attribute, no inline style."""

from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from lessons.models import Delivery
from lessons.tokens import delivery_token
from tests.dashboard.conftest import SmallOrg, build_small_org
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

EXECUTABLE_SCRIPT_TYPES = {"", "text/javascript", "module", "application/javascript"}


class InlineCode(HTMLParser):
    """Collects what a strict CSP would block: inline scripts, on* handlers, style attributes and elements."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = dict(attrs)
        if tag == "script" and "src" not in names and (names.get("type") or "") in EXECUTABLE_SCRIPT_TYPES:
            self.found.append(f"inline <script> at line {self.getpos()[0]}")
        if tag == "style":
            self.found.append(f"<style> element at line {self.getpos()[0]}")
        for name in names:
            if name.startswith("on") or name == "style":
                self.found.append(f"{name}= on <{tag}> at line {self.getpos()[0]}")


def inline_code(html: str) -> list[str]:
    parser = InlineCode()
    parser.feed(html)
    return parser.found


@pytest.fixture
def small_org(db) -> SmallOrg:  # type: ignore[no-untyped-def]
    return build_small_org()


def policy(response) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    header = response.headers["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def pages(small_org: SmallOrg) -> dict[str, tuple[Client, str]]:
    anonymous = Client()
    admin = Client()
    admin.force_login(small_org.admin)
    learner = Client()
    learner.force_login(small_org.eva.membership.user)
    staff = Client()
    staff.force_login(UserFactory.create(email="ops@druppel.example", is_staff=True, is_superuser=True))
    delivery = Delivery.objects.filter(enrolment=small_org.eva).order_by("position").first()
    assert delivery is not None
    token = delivery_token(delivery.pk)
    return {
        "home": (anonymous, "/"),
        "sign in": (anonymous, "/accounts/login/"),
        "sign in by code": (anonymous, "/accounts/login/code/"),
        "lesson": (anonymous, reverse("lessons:page", args=[token])),
        "answer": (anonymous, reverse("lessons:answer", args=[token, 1])),
        "pause": (anonymous, reverse("lessons:pause", args=[token])),
        "unsubscribe": (anonymous, reverse("lessons:unsubscribe", args=[token])),
        "my courses": (learner, reverse("learners:courses")),
        "dashboard": (admin, reverse("dashboard:dashboard", args=["avelgem"])),
        "staff": (admin, reverse("dashboard:staff_list", args=["avelgem"])),
        "staff import": (admin, reverse("dashboard:staff_import", args=["avelgem"])),
        "settings": (admin, reverse("dashboard:settings", args=["avelgem"])),
        "admin": (staff, "/admin/"),
        "admin list": (staff, "/admin/accounts/user/"),
        "admin form": (staff, f"/admin/accounts/user/{small_org.admin.pk}/change/"),
    }


def test_every_page_sends_a_policy_that_allows_only_our_own_scripts_and_styles(small_org):  # type: ignore[no-untyped-def]
    for name, (client, url) in pages(small_org).items():
        response = client.get(url)
        assert response.status_code == 200, (name, response.status_code)
        directives = policy(response)
        assert directives["default-src"] == ["'self'"], name
        assert directives["script-src"] == ["'self'"], name
        assert directives["style-src"] == ["'self'"], name
        assert directives["object-src"] == ["'none'"], name
        assert directives["frame-ancestors"] == ["'none'"], name
        assert "'unsafe-inline'" not in response.headers["Content-Security-Policy"], name


def test_no_page_carries_inline_script_handlers_or_styles(small_org):  # type: ignore[no-untyped-def]
    for name, (client, url) in pages(small_org).items():
        html = client.get(url).content.decode()
        assert inline_code(html) == [], name


def test_no_page_template_has_inline_script_handlers_or_styles():
    """Mails are not pages (they are not served with the policy, and need inlined CSS)."""
    found = {}
    for path in sorted(Path(settings.BASE_DIR, "templates").rglob("*.html")):
        if "emails" in path.parts:
            continue
        problems = inline_code(path.read_text())
        if problems:
            found[str(path.relative_to(settings.BASE_DIR))] = problems
    assert found == {}
