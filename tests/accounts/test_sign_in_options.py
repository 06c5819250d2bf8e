"""Sign-in options: codes for everyone, TOTP for admins, Entra ID only when configured."""

import os
import subprocess
import sys

import pytest
from django.apps import apps
from django.conf import settings
from django.test import Client

from accounts.models import User
from tests.factories import UserFactory

SCRIPT = """
import django
django.setup()
from allauth.socialaccount import providers
from django.apps import apps
from django.conf import settings
apps_configured = settings.SOCIALACCOUNT_PROVIDERS.get("microsoft", {}).get("APPS", [])
print(
    apps.is_installed("allauth.socialaccount.providers.microsoft"),
    "microsoft" in providers.registry.provider_map,
    [app["client_id"] for app in apps_configured],
)
"""


def entra_state_with(env: dict[str, str]) -> str:
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "druppel.test_settings", **env},
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout.strip().splitlines()[-1]


def test_entra_id_sign_in_is_off_without_settings():
    assert not apps.is_installed("allauth.socialaccount.providers.microsoft")
    assert entra_state_with({"MICROSOFT_ENTRA_CLIENT_ID": ""}) == "False False []"


def test_entra_id_sign_in_appears_when_its_settings_are_present():
    configured = {"MICROSOFT_ENTRA_CLIENT_ID": "client-id", "MICROSOFT_ENTRA_CLIENT_SECRET": "not-a-secret"}
    assert entra_state_with(configured) == "True True ['client-id']"


@pytest.mark.django_db
def test_an_admin_with_a_password_can_set_up_totp():
    admin = UserFactory.create(email="hr@avelgem.example", is_staff=True)
    admin.set_password("a long enough passphrase")
    admin.save()
    client = Client()
    assert (
        client.post("/accounts/login/", {"login": admin.email, "password": "a long enough passphrase"}).status_code
        == 302
    )
    page = client.get("/accounts/2fa/totp/activate/")
    if page.status_code == 302 and "/accounts/reauthenticate/" in page["Location"]:
        # Setting up a second factor asks for the password once more.
        client.post(page["Location"], {"password": "a long enough passphrase"})
        page = client.get("/accounts/2fa/totp/activate/")
    assert page.status_code == 200
    assert b"otpauth" in page.content or b"svg" in page.content


@pytest.mark.django_db
def test_signing_up_on_ones_own_is_closed():
    response = Client().post("/accounts/signup/", {"email": "stranger@example.org"})
    assert response.status_code == 200
    assert b"stranger@example.org" not in response.content
    assert not User.objects.filter(email="stranger@example.org").exists()
