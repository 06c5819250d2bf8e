"""Sign-in by emailed code: the pages and the mail speak Dutch by default, English when chosen, and say Druppel."""

import email
import email.policy
import re
from email.message import EmailMessage
from pathlib import Path

import pytest
from django.test import Client

from accounts.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

REQUEST = "/accounts/login/code/"
CONFIRM = "/accounts/login/code/confirm/"


@pytest.fixture
def eva() -> User:
    return UserFactory.create(email="eva@avelgem.be", first_name="Eva")


def english(client: Client) -> Client:
    """As Django's set_language does: the choice lives in the language cookie."""
    response = client.post("/i18n/setlang/", {"language": "en", "next": REQUEST})
    assert response.cookies["django_language"].value == "en"
    return client


def the_mail(outbox_dir: Path) -> EmailMessage:
    (path,) = outbox_dir.glob("*.eml")
    return email.message_from_bytes(path.read_bytes(), policy=email.policy.default)  # type: ignore[return-value]


def code_in(message: EmailMessage) -> str:
    body = message.get_body(("plain",))
    assert body is not None
    match = re.search(r"^([A-Z0-9]{4}-[A-Z0-9]{4})$", body.get_content(), re.MULTILINE)
    assert match is not None
    return match.group(1)


def test_the_code_request_page_is_dutch_by_default_and_english_after_the_switch() -> None:
    client = Client(headers={"accept-language": "en-GB,en;q=0.9"})  # the browser's wish does not count
    page = client.get(REQUEST).content.decode()
    assert "Stuur een aanmeldcode" in page
    assert "geen wachtwoord nodig" in page
    page = english(client).get(REQUEST).content.decode()
    assert "Send me a sign-in code" in page
    assert "no password needed" in page


def test_the_code_confirm_page_is_dutch_by_default_and_english_after_the_switch(eva: User, outbox_dir: Path) -> None:
    client = Client()
    assert client.post(REQUEST, {"email": eva.email})["Location"] == CONFIRM
    page = client.get(CONFIRM).content.decode()
    assert "Aanmeldcode invullen" in page
    assert "eva@avelgem.be" in page
    page = english(client).get(CONFIRM).content.decode()
    assert "Enter Sign-In Code" in page


def test_the_code_mail_says_druppel_not_the_host_and_is_dutch_by_default(eva: User, outbox_dir: Path) -> None:
    Client().post(REQUEST, {"email": eva.email})
    message = the_mail(outbox_dir)
    assert message["To"] == "eva@avelgem.be"
    assert message["Subject"] == "Druppel: Aanmeldcode"
    text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "Hallo van Druppel!" not in text
    assert "Je aanmeldcode" in text
    assert "Typ deze code in het browservenster waar je hem vroeg:" in text
    assert "testserver" not in text
    code = code_in(message)
    html = message.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert "<title>Druppel: Aanmeldcode</title>" in html
    assert '<html lang="nl">' in html
    # The code large, in a box, selected whole by one tap.
    assert re.search(rf'<p class="code" style="[^"]*font-size: ?32px[^"]*user-select: ?all[^"]*">{code}</p>', html)
    assert "Hallo van" not in html


def test_the_code_mail_is_english_when_english_was_chosen(eva: User, outbox_dir: Path) -> None:
    english(Client()).post(REQUEST, {"email": eva.email})
    message = the_mail(outbox_dir)
    assert message["Subject"] == "Druppel: Sign-In Code"
    text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "Hello from Druppel!" not in text
    assert "Type this code in the browser window where you asked for it:" in text
    assert '<html lang="en">' in message.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert "testserver" not in text


def test_the_code_from_the_mail_signs_a_learner_in_to_my_courses(eva: User, outbox_dir: Path) -> None:
    client = Client()
    client.post(REQUEST, {"email": eva.email})
    response = client.post(CONFIRM, {"code": code_in(the_mail(outbox_dir))}, follow=True)
    assert response.redirect_chain[-1][0] == "/me/"
    assert response.context["user"] == eva
