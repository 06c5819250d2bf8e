"""From the lesson mail into the group: sign in by code, post, get the trainer's answer in the digest."""

import datetime as dt
import email
import email.policy
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import Browser, Page

from discussions.digest import discussion_digests_send
from discussions.models import Post
from tests.browser.test_learner_self_service import sign_in_code
from tests.factories import CourseFactory, UserFactory, enrol, make_lessons, send_outbox

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"
EVENING = dt.datetime(2027, 3, 1, 17, 30, tzinfo=dt.UTC)


def mails_to(outbox: Path, address: str) -> list[email.message.EmailMessage]:
    found = []
    for path in sorted(outbox.glob("*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        if address in str(message["To"]):
            found.append(message)
    return found  # type: ignore[return-value]


def thread_link(outbox: Path) -> str:
    (lesson_mail,) = [m for m in mails_to(outbox, "eva@avelgem.be") if "Les nummer 1" in str(m["Subject"])]
    html = lesson_mail.get_body(("html",)).get_content()  # type: ignore[union-attr]
    match = re.search(r'href="([^"]+/thread/)"', html)
    assert match is not None
    return match.group(1)


def trainer_page(browser: Browser, live_server_url: str, trainer: object) -> Page:
    client = Client()
    client.force_login(trainer)  # type: ignore[arg-type]
    context = browser.new_context()
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server_url}])
    return context.new_page()


def test_a_learner_posts_from_the_mail_and_gets_the_trainers_answer_in_the_digest(  # type: ignore[no-untyped-def]
    browser, live_server, outbox_dir, settings, run_tick
) -> None:
    settings.SITE_URL = live_server.url
    course = CourseFactory.create(title="Iedereen mee met sociale media")
    make_lessons(course, 3)
    enrol(course, user=UserFactory.create(email="eva@avelgem.be", first_name="Eva"), start=dt.date(2027, 3, 1))
    trainer = UserFactory.create(email="tine@druppel.example", first_name="Tine", is_trainer=True)
    run_tick("2027-03-01T08:30:00+01:00")

    page = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page.goto(thread_link(outbox_dir))
    assert page.locator("#id_email").input_value() == "eva@avelgem.be"
    assert page.get_by_text("Samenvatting 1").is_visible()
    page.locator("form[action*='/groups/from-mail/'] button").tap()
    page.wait_for_url("**/accounts/login/code/confirm/**")
    page.fill("input[name=code]", sign_in_code(outbox_dir))
    page.get_by_role("button", name="Bevestigen").tap()
    page.wait_for_url("**/groups/threads/*/")
    assert page.get_by_text("Samenvatting 1").is_visible()

    page.fill("#id_body", "Mag ik een foto van een collega **zomaar** delen?")
    page.locator("#new-post button").tap()
    page.wait_for_selector("article.post strong:text('zomaar')")
    assert page.locator("article.post .body").first.inner_text() == "Mag ik een foto van een collega zomaar delen?"
    question = Post.objects.get()

    tine = trainer_page(browser, live_server.url, trainer)
    tine.goto(page.url)
    tine.locator(f"#post-{question.pk} + .replies details summary").click()
    tine.locator(f"#post-{question.pk} + .replies textarea").fill("Nee, vraag eerst toestemming.")
    tine.locator(f"#post-{question.pk} + .replies details button").click()
    tine.wait_for_selector(f"#post-{question.pk} + .replies article.post")
    answer = Post.objects.get(parent=question)
    tine.locator(f"#post-{answer.pk} button[value=answer]").click()
    tine.wait_for_selector(f"#post-{answer.pk}.answer")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    tine.screenshot(path=str(SCREENSHOTS / "discussion-thread.png"), full_page=True)

    page.reload()
    assert page.locator(f"#post-{answer.pk}.answer").is_visible()
    discussion_digests_send(now=EVENING)
    send_outbox()
    texts = [m.get_body(("plain",)).get_content() for m in mails_to(outbox_dir, "eva@avelgem.be")]  # type: ignore[union-attr]
    (text,) = [t for t in texts if "/groups/digest/unsubscribe/" in t]
    assert "Nee, vraag eerst toestemming." in text
    assert "Tine Peeters" in text
    page.close()
    tine.close()
