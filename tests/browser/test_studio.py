"""A trainer in the studio: signs in and lands on /studio/, edits a lesson with the live preview beside
it, looks at the exact mail at phone width, sends a test to the outbox and restores the old version."""

import email
import email.policy
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from playwright.sync_api import Browser, expect

from courses.services import course_trainer_add
from lessons.models import Delivery, LessonStats, LessonVersion
from mailer.models import OutgoingMail
from tests.factories import CourseFactory, UserFactory, make_lessons, send_outbox

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"
PASSWORD = "een lange zin als wachtwoord"


def test_a_trainer_writes_previews_tests_and_restores_a_lesson(  # type: ignore[no-untyped-def]
    browser: Browser, live_server, outbox_dir, settings
) -> None:
    settings.SITE_URL = live_server.url
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    course = CourseFactory.create(slug="sociale-media", title="Iedereen mee met sociale media")
    lesson = make_lessons(course, 4, per_module=2)[1]
    trainer = UserFactory.create(email="tine@druppel.example", first_name="Tine")
    trainer.set_password(PASSWORD)
    trainer.save()
    EmailAddress.objects.create(user=trainer, email=trainer.email, verified=True, primary=True)
    course_trainer_add(course=course, user=trainer)

    page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=login]", trainer.email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form[action$='/accounts/login/'] button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/studio/")
    expect(page.locator("ul.studio-courses")).to_contain_text("Iedereen mee met sociale media")
    page.screenshot(path=str(SCREENSHOTS / "studio-home.png"), full_page=True)

    page.get_by_role("link", name="Iedereen mee met sociale media").first.click()
    page.screenshot(path=str(SCREENSHOTS / "studio-course.png"), full_page=True)
    page.get_by_role("link", name="Les nummer 2").click()
    page.wait_for_url("**/lessons/*/")
    preview = page.frame_locator("iframe#studio-preview")
    expect(preview.locator("h1")).to_have_text("Les nummer 2")

    page.fill("input[name=title]", "Reageren op reacties")
    body = page.locator("textarea[name=body_markdown]")
    body.click()
    body.press("Control+End")
    body.press_sequentially("\nNieuw: antwoord **binnen de dag**.")
    expect(preview.locator("h1")).to_have_text("Reageren op reacties")
    expect(preview.locator("strong", has_text="binnen de dag")).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / "studio-editor.png"), full_page=True)

    page.get_by_label("Mail", exact=True).check()
    page.get_by_label("Telefoon").check()
    expect(preview.get_by_text("Reageren op reacties").first).to_be_visible()
    width = page.locator("iframe#studio-preview").evaluate("frame => frame.getBoundingClientRect().width")
    page.locator(".studio-preview").screenshot(path=str(SCREENSHOTS / "studio-mail-phone.png"))
    assert width == 390

    page.get_by_role("button", name="Opslaan als nieuwe versie").click()
    expect(page.locator(".messages")).to_contain_text("versie 2")
    page.get_by_role("button", name="Stuur mij een test").click()
    expect(page.locator(".messages")).to_contain_text("tine@druppel.example")
    assert send_outbox() == 1
    (sent,) = [
        email.message_from_bytes(path.read_bytes(), policy=email.policy.default) for path in outbox_dir.glob("*.eml")
    ]
    assert str(sent["Subject"]).startswith("[TEST] ")
    assert "Reageren op reacties" in str(sent["Subject"])
    assert OutgoingMail.objects.filter(kind="lesson_test", to=trainer.email).count() == 1
    assert not Delivery.objects.exists()
    assert not LessonStats.objects.exists()

    page.get_by_role("link", name="Geschiedenis (2 versies)").click()
    expect(page.locator(".diff ins").first).to_contain_text("Reageren op reacties")
    page.screenshot(path=str(SCREENSHOTS / "studio-versions.png"), full_page=True)
    page.locator("tr", has_text="Les nummer 2").get_by_role("button", name="Terugzetten").click()
    expect(page.locator(".messages")).to_contain_text("Versie 1 teruggezet als versie 3")
    expect(page.locator("input[name=title]")).to_have_value("Les nummer 2")
    lesson.refresh_from_db()
    assert lesson.current_version is not None
    assert lesson.current_version.number == 3
    assert lesson.current_version.title == "Les nummer 2"
    assert LessonVersion.objects.filter(lesson=lesson).count() == 3
