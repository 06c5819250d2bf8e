"""Every form in the product, as its page renders it, can be sent back unchanged and is accepted.

The pages come from the URL resolver (the walk of tests/standards/walk.py, with its world and
roles): each page is loaded as the first role that reaches it, each of its POST forms is read
as a browser would send it (a date input drops a non-ISO value, as a browser does), and posted.
Success is a redirect, or a page without a form error. Each post is rolled back, so one form's
effect (a removed closure, a deleted post) does not change the next page.

Forms that need something only a person can add (an address to invite, a file to import, a
reply to write) are listed in FILL with what is typed. The site's own header forms (sign out,
the language switch) are on every page and tested where they live.
"""

import re
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.core import mail
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client, override_settings
from django.urls import Resolver404, resolve, reverse

from courses.models import Course
from lessons.course_zip import course_zip
from tests.standards import walk
from tests.standards.forms import Form, post_forms
from tests.standards.roles import role_clients, signing_in_client, totp_signing_in_client
from tests.standards.world import STAFF_CSV, TRAINER_PASSWORD, World, build_world, totp_code

pytestmark = pytest.mark.django_db

CHROME = ("account_logout", "set_language")
ERROR_MARKERS = ('class="errorlist', 'role="alert"')

NEW_PASSWORD = "another long passphrase for the round trip"


def _login_code() -> str:
    """The code in the last sign-in mail (each halfway sign-in asks for a fresh one)."""
    codes = re.findall(r"^([A-Z0-9]{4}-[A-Z0-9]{4})$", str(mail.outbox[-1].body), re.MULTILINE)
    return codes[-1]


def _totp_code_for(html: str) -> str:
    """The code an authenticator app shows for the secret on allauth's set-up page."""
    secret = re.search(r'id="authenticator_secret"[^>]*value="([A-Z2-7]+)"', html) or re.search(
        r'value="([A-Z2-7]{32})"', html
    )
    assert secret is not None, "no TOTP secret on the set-up page"
    counter = int(time.time()) // mfa_settings.TOTP_PERIOD
    return format_hotp_value(hotp_value(secret.group(1), counter))


def _fresh_totp_code() -> str:
    """The TOTP trainer's current code. The walk's sign-in used it seconds ago and allauth takes
    each code once (it remembers used ones in the cache): forget that, as the next period would."""
    cache.clear()
    return totp_code()


# What a person types into a form before sending it: (page, form's view) -> (world, page html) -> values.
FILL: dict[tuple[str, str], Callable[[World, str], dict[str, object]]] = {
    ("account_login", "account_login"): lambda w, html: {"login": w.trainer.email, "password": TRAINER_PASSWORD},
    ("account_reauthenticate", "account_reauthenticate"): lambda w, html: {"password": TRAINER_PASSWORD},
    ("account_email", "account_email"): lambda w, html: {"email": "eva.thuis@avelgem.example"},
    ("account_change_password", "account_change_password"): lambda w, html: {
        "oldpassword": TRAINER_PASSWORD,
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
    },
    ("account_set_password", "account_set_password"): lambda w, html: {
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
    },
    ("account_reset_password", "account_reset_password"): lambda w, html: {"email": w.trainer.email},
    ("account_request_login_code", "account_request_login_code"): lambda w, html: {"email": w.learner.email},
    ("account_confirm_login_code", "account_confirm_login_code"): lambda w, html: {"code": _login_code()},
    ("mfa_authenticate", "mfa_authenticate"): lambda w, html: {"code": _fresh_totp_code()},
    ("mfa_reauthenticate", "mfa_reauthenticate"): lambda w, html: {"code": _fresh_totp_code()},
    ("mfa_activate_totp", "mfa_activate_totp"): lambda w, html: {"code": _totp_code_for(html)},
    ("dashboard:settings", "dashboard:closure_add"): lambda w, html: {
        "label": "Kerstverlof",
        "start": "2027-12-24",
        "end": "2027-12-31",
    },
    ("dashboard:settings", "dashboard:offering_add"): lambda w, html: {
        "course": Course.objects.exclude(offerings__organisation=w.organisation).values_list("pk", flat=True)[0],
        "start_date": "2027-09-06",
    },
    ("dashboard:settings", "dashboard:admin_add"): lambda w, html: {"email": "nieuw.hr@avelgem.example"},
    ("join", "join"): lambda w, html: {"email": "nina.nieuw@avelgem.example", "first_name": "Nina"},
    ("discussions:group", "discussions:group"): lambda w, html: {"title": "Wie doet mee?", "body": "Een vraag."},
    ("discussions:thread", "discussions:thread"): lambda w, html: {"body": "Goed punt, dank je."},
    ("discussions:thread", "discussions:post_moderate"): lambda w, html: {"reason": "Niet over de les"},
    ("lessons:fresh_link", "lessons:fresh_link"): lambda w, html: {"email": w.learner.email},
    ("studio:lesson_new", "studio:lesson_new"): lambda w, html: {"title": "Een nieuwe les"},
    ("studio:module_new", "studio:module_new"): lambda w, html: {"title": "Een nieuwe module"},
    ("studio:course_import", "studio:course_import"): lambda w, html: {
        "zip": SimpleUploadedFile(f"{w.course.slug}.zip", course_zip(w.course), content_type="application/zip")
    },
}

# Forms that are shown but lead nowhere on purpose, with the reason.
INERT: dict[tuple[str, str], str] = {
    ("studio:lesson_preview", "lessons:read"): "the preview is the learner's page for a sample learner, "
    "whose lesson link is not a real delivery",
}

# Pages whose first visitor cannot use the form there, checked as the role that can, with the reason.
AS_ROLE: dict[str, tuple[str, str]] = {
    "mfa_generate_recovery_codes": ("trainer_totp", "without a second factor allauth shows the form but refuses it"),
    "account_reauthenticate": ("trainer", "the walk's admin has no password; the trainer confirms theirs"),
    "account_change_password": ("trainer", "the walk's admin has no password to change; the trainer has"),
}


def _view_name(action: str) -> str:
    try:
        return resolve(action.split("?")[0].split("#")[0]).view_name
    except Resolver404:
        return action


def _client_copy(client: Client) -> Client:
    """A client with the same cookies: whatever the post does to its cookies stays on the copy."""
    copy = Client()
    for name, morsel in client.cookies.items():
        copy.cookies[name] = morsel.value
    return copy


def _post(client: Client, url: str, form: Form, extra: dict[str, object]) -> tuple[int, str]:
    data: dict[str, object] = {**form.payload(), **extra}
    for name in form.files:
        data.setdefault(name, SimpleUploadedFile("personeel.csv", STAFF_CSV, content_type="text/csv"))
    with transaction.atomic():
        response = client.post(url, data)
        transaction.set_rollback(True)
    return response.status_code, response.content.decode(errors="replace")


def test_every_form_sent_back_unchanged_is_accepted(tmp_path: Path) -> None:
    with override_settings(ACCOUNT_RATE_LIMITS=False):
        world = build_world(outbox=tmp_path / "outbox")
        clients = role_clients(world)
        sessions: dict[str, Callable[[], Client]] = {role: _constant(c) for role, c in clients.items()}
        sessions["signing_in"] = lambda: signing_in_client(world)
        sessions["totp_signing_in"] = lambda: totp_signing_in_client(world)
        chrome = {reverse(name) for name in CHROME}
        failures: list[str] = []
        checked: list[str] = []
        for route in walk.routes():
            if walk.out_of_scope(route) or route.name in walk.NOT_PAGES or route.name in walk.UNREACHED:
                continue
            for url in walk.urls_for(route, world):
                found = walk.reach(url, sessions, every_role=False)
                if not found.pages():
                    continue
                first = AS_ROLE[route.name][0] if route.name in AS_ROLE else found.pages()[0]
                # Moderators see more forms on some pages (walk.ALSO_AS): theirs are sent back too.
                for role in (first, *walk.ALSO_AS.get(route.name, ())):
                    client = sessions[role]()
                    _send_back(world, route, url, role, client, chrome, checked, failures)
    print(f"\n{len(checked)} forms sent back:\n" + "\n".join(checked))
    assert not failures, "\n".join(failures)
    assert len(checked) >= 40


def _send_back(
    world: World,
    route: walk.Route,
    url: str,
    role: str,
    client: Client,
    chrome: set[str],
    checked: list[str],
    failures: list[str],
) -> None:
    html = client.get(url).content.decode(errors="replace")
    for form in post_forms(html):
        action = form.action or url
        if action.split("?")[0] in chrome:
            continue
        view = _view_name(action)
        key = (route.name, view)
        label = f"{role} {url} → {view}"
        if key in INERT:
            continue
        fill = FILL.get(key)
        if form.required_empty and fill is None:
            failures.append(
                f"{label}: {form.required_empty} empty as rendered (a value the browser drops?); "
                "or add what a person types to FILL"
            )
            continue
        status, body = _post(_client_copy(client), action, form, fill(world, html) if fill else {})
        checked.append(label)
        if status >= 400 or (status == 200 and any(marker in body for marker in ERROR_MARKERS)):
            failures.append(f"{label}: {status} {_first_error(body)}")


def _constant(client: Client) -> Callable[[], Client]:
    return lambda: client


def _first_error(body: str) -> str:
    for marker in ERROR_MARKERS:
        at = body.find(marker)
        if at >= 0:
            return " ".join(body[at : at + 300].split())
    return ""
