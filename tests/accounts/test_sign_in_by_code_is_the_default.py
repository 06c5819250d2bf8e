"""The site's "Aanmelden" asks for an address and mails a code; a password is one click away, sign-up nowhere."""

import pytest
from allauth.mfa.totp.internal.auth import TOTP
from django.test import Client
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_header_and_home_page_sign_in_lead_to_the_code_page() -> None:
    html = Client().get("/").content.decode()
    assert f'href="{reverse("account_request_login_code")}"' in html
    assert f'href="{reverse("account_login")}"' not in html


def test_the_code_page_offers_a_password_and_no_sign_up() -> None:
    html = Client().get(reverse("account_request_login_code")).content.decode()
    assert "<h1>Aanmelden</h1>" in html
    assert 'type="email"' in html
    assert 'type="password"' not in html
    assert f'href="{reverse("account_login")}"' in html
    assert "Aanmelden met een wachtwoord" in html
    assert reverse("account_signup") not in html
    assert "registreer" not in html.lower()


def test_the_password_page_has_no_sign_up_link_and_leads_back_to_the_code() -> None:
    html = Client().get(reverse("account_login")).content.decode()
    assert 'type="password"' in html
    assert reverse("account_signup") not in html
    assert "registreer" not in html.lower()
    assert f'href="{reverse("account_request_login_code")}"' in html


def test_a_trainer_with_totp_signs_in_with_a_password_then_the_code() -> None:
    trainer = UserFactory.create(email="tine@druppel.example", is_trainer=True)
    trainer.set_password("a trainer's long passphrase")
    trainer.save()
    TOTP.activate(trainer, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    client = Client()
    form = {"login": trainer.email, "password": "a trainer's long passphrase"}
    response = client.post(reverse("account_login"), form)
    assert response["Location"] == reverse("mfa_authenticate")


def test_a_page_behind_sign_in_sends_a_stranger_to_the_code_page() -> None:
    response = Client().get(reverse("learners:courses"))
    assert response["Location"].startswith(reverse("account_request_login_code"))
