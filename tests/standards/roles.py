"""The people who visit: a browser session for each, made the way each really signs in."""

from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.standards.world import TRAINER_PASSWORD, World, totp_code


def role_clients(world: World) -> dict[str, Client]:
    """Anonymous (also following signed mail links); the learner and the organisation admin
    (sessions of force_login); the trainers, signed in with a password (one also with TOTP)
    through allauth and confirmed again, so allauth's guarded pages open without asking."""
    learner, admin = Client(), Client()
    learner.force_login(world.learner)
    admin.force_login(world.admin)
    trainer = Client()
    response = trainer.post(reverse("account_login"), {"login": world.trainer.email, "password": TRAINER_PASSWORD})
    assert response.status_code == 302, "the trainer could not sign in with a password"
    # Confirming the password again opens the pages allauth guards (two-factor set-up).
    trainer.post(reverse("account_reauthenticate"), {"password": TRAINER_PASSWORD})
    totp = totp_signing_in_client(world)
    response = totp.post(reverse("mfa_authenticate"), {"code": totp_code()})
    assert response.status_code == 302, "the TOTP trainer's code was refused"
    totp.post(reverse("account_reauthenticate"), {"password": TRAINER_PASSWORD})
    return {"anonymous": Client(), "trainer_totp": totp, "learner": learner, "admin": admin, "trainer": trainer}


def session_cookie(client: Client) -> str | None:
    cookie = client.cookies.get(settings.SESSION_COOKIE_NAME)
    return cookie.value if cookie else None


def signing_in_client(world: World) -> Client:
    """The learner halfway through sign-in by code: the code is mailed, the confirm page waits."""
    client = Client()
    response = client.post(reverse("account_request_login_code"), {"email": world.learner.email})
    assert response.status_code == 302, "the sign-in code request failed"
    return client


def totp_signing_in_client(world: World) -> Client:
    """The TOTP trainer after their password, before their code: allauth asks for the code."""
    client = Client()
    response = client.post(reverse("account_login"), {"login": world.trainer_totp.email, "password": TRAINER_PASSWORD})
    assert response["Location"] == reverse("mfa_authenticate"), "the TOTP trainer was not asked for a code"
    return client
