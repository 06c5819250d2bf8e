"""The Django admin signs in through allauth: a staff member's TOTP is asked for, and failures are throttled."""

import base64
import os
import subprocess
import sys

import pytest
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value, yield_hotp_counters_from_time
from django.conf import settings
from django.db import connection
from django.test import Client

from accounts.models import User
from tests.factories import UserFactory

PASSWORD = "a long enough passphrase"
SECRET = base64.b32encode(b"druppel-admin-totp!!").decode()


def staff(email: str = "ops@druppel.example", *, totp: bool = False) -> User:
    user = UserFactory.create(email=email, is_staff=True, is_superuser=True)
    user.set_password(PASSWORD)
    user.save()
    if totp:
        TOTP.activate(user, SECRET)
    return user


def current_code() -> str:
    counters = list(yield_hotp_counters_from_time())
    counter = counters[len(counters) // 2]  # the middle one is now
    return format_hotp_value(hotp_value(SECRET, counter))


def english() -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def sign_in(client: Client, email: str, password: str = PASSWORD, next_url: str = "/admin/"):  # type: ignore[no-untyped-def]
    return client.post(f"/accounts/login/?next={next_url}", {"login": email, "password": password})


@pytest.mark.django_db
def test_the_admin_login_page_redirects_to_allauth_and_its_form_takes_no_password():
    user = staff()
    client = english()
    response = client.get("/admin/login/?next=/admin/lessons/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/admin/lessons/"
    assert client.get("/admin/")["Location"].startswith("/admin/login/")

    # Posting a password to Django's admin form signs nobody in.
    posted = client.post("/admin/login/", {"username": user.email, "password": PASSWORD})
    assert posted.status_code == 302
    assert posted["Location"].startswith("/accounts/login/")
    assert client.get("/admin/").status_code == 302


@pytest.mark.django_db
def test_a_staff_member_with_totp_reaches_the_admin_only_after_the_totp_step():
    user = staff(totp=True)
    client = english()
    response = sign_in(client, user.email)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/authenticate/"
    # The password alone opens nothing: not the admin, and not its login page either.
    assert client.get("/admin/").status_code == 302
    assert client.get("/admin/login/")["Location"].startswith("/accounts/login/")

    assert client.post("/accounts/2fa/authenticate/", {"code": "000000"}).status_code == 200
    assert client.get("/admin/").status_code == 302

    done = client.post("/accounts/2fa/authenticate/", {"code": current_code()})
    assert done.status_code == 302
    assert done["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    # Signed in, the admin's login URL goes straight on to the admin.
    assert client.get("/admin/login/")["Location"] == "/admin/"


@pytest.mark.django_db
def test_a_staff_member_without_totp_reaches_the_admin_with_the_password():
    user = staff()
    client = english()
    assert sign_in(client, user.email)["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


@pytest.mark.django_db
def test_a_signed_in_learner_is_refused_the_admin_not_sent_round_in_circles():
    learner = UserFactory.create(email="eva@avelgem.example")
    client = english()
    client.force_login(learner)
    assert client.get("/admin/login/?next=/admin/").status_code == 403


@pytest.mark.django_db
def test_forty_wrong_passwords_are_throttled_and_then_even_the_right_one_is_refused():
    user = staff()
    client = english()
    statuses, throttled = [], 0
    for _ in range(40):
        response = sign_in(client, user.email, password="not the password")
        statuses.append(response.status_code)
        throttled += b"Too many failed login attempts" in response.content or response.status_code == 429
    assert statuses.count(200) <= 30
    assert 429 in statuses
    # Five failures for one address, then every attempt is refused whatever it says.
    assert throttled >= 35
    assert sign_in(english(), user.email).status_code != 302
    assert english().get("/admin/").status_code == 302


SUBPROCESS = """
import django
django.setup()
from django.test import Client
for _ in range(5):
    Client().post("/accounts/login/", {"login": "ops@druppel.example", "password": "wrong"})
"""


@pytest.mark.django_db(transaction=True)
def test_failures_counted_in_another_process_throttle_this_one_without_cache_url():
    """Without CACHE_URL every process shares the throttle (files under VAR_DIR), as gunicorn workers must."""
    assert "CACHE_URL" not in os.environ or not os.environ["CACHE_URL"]
    user = staff()
    database = connection.settings_dict
    if connection.vendor == "sqlite":
        url = f"sqlite:///{database['NAME']}"
    else:
        url = f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}"
    result = subprocess.run(
        [sys.executable, "-c", SUBPROCESS],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "druppel.test_settings", "DATABASE_URL": url},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    refused = sign_in(english(), user.email)
    assert refused.status_code == 200
    assert b"Too many failed login attempts" in refused.content
