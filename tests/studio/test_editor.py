"""The lesson editor: every save is a version, the checks speak before saving, the preview shows the
draft as page and as the exact mail, and a mail already sent keeps the version it went out with."""

import pytest

from lessons.models import Delivery, LessonVersion
from tests.factories import enrol
from tests.studio.conftest import Studio
from tests.studio.helpers import MONDAY, editor_data, tick, url

pytestmark = pytest.mark.django_db

LONG = " ".join(["woord"] * 420)


def test_saving_makes_a_new_version_each_time(studio: Studio) -> None:
    lesson = studio.lessons[0]
    edit = url("lesson_edit", studio, lesson_id=lesson.pk)
    response = studio.client.post(edit, editor_data(lesson, title="Reageren op reacties"))
    assert response.status_code == 302
    studio.client.post(edit, editor_data(lesson, title="Reageren op reacties"))
    versions = list(LessonVersion.objects.filter(lesson=lesson).order_by("number"))
    assert [v.number for v in versions] == [1, 2, 3]
    assert [v.title for v in versions] == ["Les nummer 1", "Reageren op reacties", "Reageren op reacties"]
    assert versions[-1].created_by == studio.trainer
    lesson.refresh_from_db()
    assert lesson.current_version == versions[-1]


def test_an_error_refuses_the_save_and_says_why(studio: Studio) -> None:
    lesson = studio.lessons[0]
    response = studio.client.post(url("lesson_edit", studio, lesson_id=lesson.pk), editor_data(lesson, title=""))
    assert response.status_code == 200
    assert "De les heeft geen titel." in response.content.decode()
    assert LessonVersion.objects.filter(lesson=lesson).count() == 1


def test_moving_to_another_module_in_the_editor(studio: Studio) -> None:
    lesson, other = studio.lessons[0], studio.lessons[4]
    studio.client.post(url("lesson_edit", studio, lesson_id=lesson.pk), editor_data(lesson, module=other.module_id))
    lesson.refresh_from_db()
    assert lesson.module_id == other.module_id


@pytest.mark.parametrize(
    ("changes", "says"),
    [
        ({"title": ""}, "De les heeft geen titel."),
        ({"correct": ""}, "De vraag heeft geen juist antwoord"),
        ({"body_markdown": "Tekst <script>alert(1)</script>"}, "een script"),
        ({"body_markdown": LONG}, "De tekst telt 420 woorden"),
        (
            {
                "option_1": "Nee",
                "option_2": "Ja, als je eerst toestemming vraagt aan wie erop staat",
                "option_3": "Soms",
            },
            "kunnen het raden",
        ),
    ],
)
def test_the_checks_before_saving_speak_plain_dutch(studio: Studio, changes: dict, says: str) -> None:
    lesson = studio.lessons[0]
    response = studio.client.post(
        url("lesson_check", studio, lesson_id=lesson.pk), editor_data(lesson, **changes), HTTP_ACCEPT_LANGUAGE="nl"
    )
    messages = [problem["message"] for problem in response.json()["problems"]]
    assert any(says in message for message in messages), messages
    assert LessonVersion.objects.filter(lesson=lesson).count() == 1  # checking saves nothing


def test_the_preview_shows_the_draft_as_page_mail_and_text(studio: Studio) -> None:
    lesson = studio.lessons[1]
    preview = url("lesson_preview", studio, lesson_id=lesson.pk)
    data = editor_data(lesson, title="Een nieuwe titel", body_markdown="Antwoord **binnen de dag**.")
    page = studio.client.post(preview, {**data, "view": "page"}).content.decode()
    assert "<h1>Een nieuwe titel</h1>" in page
    assert "<strong>binnen de dag</strong>" in page
    mail = studio.client.post(preview, {**data, "view": "mail"})
    assert "'unsafe-inline'" in mail["Content-Security-Policy"]
    assert "script-src 'none'" in mail["Content-Security-Policy"]
    html = mail.content.decode()
    assert "Dag Tine" in html
    assert "<strong>binnen de dag</strong>" in html
    assert 'style="' in html
    text = studio.client.post(preview, {**data, "view": "text"})
    assert text["Content-Type"].startswith("text/plain")
    assert text.content.decode().startswith("Les 2 · Een nieuwe titel")
    assert LessonVersion.objects.filter(lesson=lesson).count() == 1


def test_a_mail_already_sent_keeps_its_version(studio: Studio) -> None:
    enrol(studio.course, start=MONDAY.date())
    tick(MONDAY)
    lesson = studio.lessons[0]
    (delivery,) = Delivery.objects.all()
    first = delivery.version
    studio.client.post(url("lesson_edit", studio, lesson_id=lesson.pk), editor_data(lesson, title="Herschreven"))
    delivery.refresh_from_db()
    lesson.refresh_from_db()
    assert delivery.version == first
    assert first.title == "Les nummer 1"
    assert lesson.current_version is not None
    assert lesson.current_version.title == "Herschreven"


def test_the_editor_opens_with_the_saved_versions_problems(studio: Studio) -> None:
    page = studio.client.get(url("lesson_edit", studio, lesson_id=studio.lessons[0].pk)).content.decode()
    assert "De tekst telt 6 woorden" in page  # make_lessons' text is short: advice, shown before any edit
    assert '<li class="fine">' not in page
    assert 'value="Les nummer 1"' in page
