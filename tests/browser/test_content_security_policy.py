"""Chromium enforces the Content-Security-Policy on real pages: nothing is refused, and the
certificate's Print button, a script file now, still prints."""

import datetime as dt

import pytest
from django.urls import reverse

from courses.models import Certificate
from lessons.models import Delivery
from lessons.tokens import delivery_token
from progress.answers import delivery_answer
from tests.browser.test_dashboard_screenshot import signed_in_context
from tests.dashboard.conftest import build_small_org
from tests.factories import UserFactory, fold
from tests.learners.helpers import send_lessons

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def violations(context, url: str) -> list[str]:  # type: ignore[no-untyped-def]
    page = context.new_page()
    refused: list[str] = []
    page.on(
        "console", lambda message: refused.append(message.text) if "Content Security Policy" in message.text else None
    )
    page.on("pageerror", lambda error: refused.append(str(error)))
    response = page.goto(url)
    assert response is not None
    assert response.status == 200, url
    assert response.headers["content-security-policy"]
    # The stylesheets came from the static files and applied: our header bar, or the admin's, has its colour.
    header = "header.site" if "/admin/" not in url else "#header"
    colour = page.evaluate(f"getComputedStyle(document.querySelector('{header}')).backgroundColor")
    assert colour not in ("", "rgba(0, 0, 0, 0)"), url
    page.close()
    return refused


def test_chromium_refuses_nothing_on_the_pages(browser, live_server):  # type: ignore[no-untyped-def]
    small_org = build_small_org()
    delivery = Delivery.objects.filter(enrolment=small_org.eva).order_by("position").first()
    assert delivery is not None
    token = delivery_token(delivery.pk)
    staff = UserFactory.create(email="ops@druppel.example", is_staff=True, is_superuser=True)
    urls = {
        "admin": [
            "/admin/",
            "/admin/accounts/user/",
            f"/admin/accounts/user/{staff.pk}/change/",
        ],
        "org": [reverse("dashboard:dashboard", args=["avelgem"]), reverse("dashboard:staff_import", args=["avelgem"])],
        "anonymous": [
            "/accounts/login/",
            reverse("lessons:page", args=[token]),
            reverse("lessons:answer", args=[token, 2]),
        ],
    }
    users = {"admin": staff, "org": small_org.admin}
    refused = {}
    for who, paths in urls.items():
        context = signed_in_context(browser, live_server, users[who]) if who in users else browser.new_context()
        for path in paths:
            refused[path] = violations(context, live_server.url + path)
        context.close()
    assert refused == {path: [] for paths in urls.values() for path in paths}


def test_the_certificate_print_button_prints_from_its_script_file(browser, live_server):  # type: ignore[no-untyped-def]
    small_org = build_small_org()
    eva = small_org.eva
    send_lessons(eva, list(eva.course.lessons.filter(position=5)))
    for delivery in Delivery.objects.filter(enrolment=eva, answered_at__isnull=True):
        delivery_answer(delivery=delivery, option=1, now=dt.datetime.now(dt.UTC))
    fold()
    certificate = Certificate.objects.get(enrolment=eva)
    context = signed_in_context(browser, live_server, eva.membership.user)
    page = context.new_page()
    refused: list[str] = []
    page.on(
        "console", lambda message: refused.append(message.text) if "Content Security Policy" in message.text else None
    )
    page.goto(live_server.url + reverse("learners:certificate", args=[certificate.pk]))
    page.evaluate("window.print = () => { window.printed = true; }")
    page.get_by_role("button", name="Afdrukken").click()
    printed = page.evaluate("window.printed === true")
    context.close()
    assert printed
    assert refused == []
