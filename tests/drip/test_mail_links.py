"""Every link in a sent lesson mail opens a page; a GET never changes learning state."""

import datetime as dt
import email
import email.policy
import re
from pathlib import Path

import pytest
from django.test import Client

from courses.models import Enrolment
from lessons.models import Delivery
from tests.factories import CourseFactory, enrol, make_lessons

pytestmark = pytest.mark.django_db

MONDAY = "2027-03-01T08:30:00+01:00"


@pytest.fixture
def sent_mail(outbox_dir: Path, run_tick):  # type: ignore[no-untyped-def]
    course = CourseFactory.create()
    make_lessons(course, 3)
    enrolment = enrol(course, start=dt.date(2027, 3, 1))
    run_tick(MONDAY)
    (path,) = outbox_dir.glob("*.eml")
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    return enrolment, message


def mail_links(message) -> list[str]:  # type: ignore[no-untyped-def]
    html = message.get_body(("html",)).get_content()
    text = message.get_body(("plain",)).get_content()
    links = set(re.findall(r'href="([^"]+)"', html)) | set(re.findall(r"https?://\S+", text))
    links.add(message["List-Unsubscribe"].strip().strip("<>"))
    return sorted(links)


def state(enrolment: Enrolment) -> tuple:
    enrolment.refresh_from_db()
    delivery = Delivery.objects.get(enrolment=enrolment)
    return (
        enrolment.status,
        enrolment.next_position,
        enrolment.next_due_at,
        enrolment.lessons_completed,
        enrolment.paused_at,
        delivery.answer,
        delivery.answered_at,
        delivery.completed_at,
    )


def test_the_mail_is_personalised_and_complete(sent_mail):  # type: ignore[no-untyped-def]
    enrolment, message = sent_mail
    assert message["Subject"] == "Les 1 · Les nummer 1"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    html = message.get_body(("html",)).get_content()
    assert f"Dag {enrolment.membership.user.first_name}," in html
    assert "Les 1 van 3 · 0 afgerond" in html
    assert "__dr_" not in html
    assert "__dr_" not in message.get_body(("plain",)).get_content()


def test_a_get_on_every_link_in_a_sent_mail_opens_a_page_and_changes_no_state(sent_mail):  # type: ignore[no-untyped-def]
    enrolment, message = sent_mail
    links = mail_links(message)
    # read online, 3 answers, thread, pause, unsubscribe
    assert len(links) == 7
    before = state(enrolment)
    scanner = Client()  # like Safe Links: no cookies, GET only
    for link in links:
        assert link.startswith("http://testserver/")
        response = scanner.get(link.removeprefix("http://testserver"))
        assert response.status_code == 200, link
    assert state(enrolment) == before


def test_answering_takes_a_post_and_completes_the_lesson(sent_mail):  # type: ignore[no-untyped-def]
    enrolment, message = sent_mail
    answer_link = next(link for link in mail_links(message) if link.endswith("/answer/2/"))
    path = answer_link.removeprefix("http://testserver")
    page = Client().get(path)
    assert b'value="2" checked' in page.content

    response = Client().post(path, {"option": "2"})
    assert response.status_code == 200
    assert "Juist!" in response.content.decode()
    delivery = Delivery.objects.get(enrolment=enrolment)
    assert (delivery.answer, delivery.answer_correct) == (1, True)
    assert delivery.completed_at is not None
    enrolment.refresh_from_db()
    assert enrolment.lessons_completed == 1

    # A second answer does not overwrite the first or count twice.
    Client().post(path, {"option": "3"})
    delivery.refresh_from_db()
    enrolment.refresh_from_db()
    assert delivery.answer == 1
    assert enrolment.lessons_completed == 1


def test_an_answer_outside_the_options_is_refused_clearly(sent_mail):  # type: ignore[no-untyped-def]
    enrolment, message = sent_mail
    path = next(link for link in mail_links(message) if link.endswith("/answer/1/")).removeprefix("http://testserver")
    response = Client().post(path, {"option": "9"})
    assert response.status_code == 400
    assert "Kies een van de antwoorden." in response.content.decode()
    assert Delivery.objects.get(enrolment=enrolment).answered_at is None


def test_one_click_unsubscribe_is_a_cookieless_post_without_redirect(sent_mail):  # type: ignore[no-untyped-def]
    enrolment, message = sent_mail
    path = message["List-Unsubscribe"].strip().strip("<>").removeprefix("http://testserver")
    response = Client(enforce_csrf_checks=True).post(
        path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.UNSUBSCRIBED


def test_pause_and_resume_take_a_post(sent_mail):  # type: ignore[no-untyped-def]
    enrolment, message = sent_mail
    path = next(link for link in mail_links(message) if link.endswith("/pause/")).removeprefix("http://testserver")
    Client().post(path, {"action": "pause"})
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.PAUSED
    response = Client().post(path, {"action": "resume"})
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.ACTIVE
    assert "Welkom terug" in response.content.decode()


def test_a_forged_token_gets_404():
    assert Client().get("/l/1.forged-signature/").status_code == 404
    assert Client().post("/l/1.forged-signature/unsubscribe/").status_code == 404


def test_pages_are_dutch_whatever_the_browser_asks_and_english_when_chosen(sent_mail, settings):  # type: ignore[no-untyped-def]
    _, message = sent_mail
    path = next(link for link in mail_links(message) if link.endswith("/pause/")).removeprefix("http://testserver")
    english_browser = Client(headers={"accept-language": "en-US,en;q=0.9"})
    assert "Pauzeer mijn lessen" in english_browser.get(path).content.decode()
    english_browser.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "Pause my lessons" in english_browser.get(path).content.decode()
