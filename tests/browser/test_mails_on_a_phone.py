"""Mails read on a 390 px phone in Chromium: the sample lesson with the widest table fits without
sideways scrolling, the footer's links are real tap targets, and the sign-in code stands out.
Screenshots: var/screenshots/lesson-mail-phone.png and signin-code-mail.png."""

from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from drip.mail import RecipientRow, lesson_mail_template
from lessons.models import LessonVersion
from lessons.selectors import lesson_place_counts, lesson_place_of
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"
SAMPLE = Path(settings.BASE_DIR) / "content" / "iedereen-mee-met-sociale-media"
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}
# The sample lesson with a seven-row, two-column table of long phrases.
WIDE_TABLE = "van-ambtelijk-naar-gewoon"


def lesson_mail_html() -> str:
    """The sample lesson's mail as Eva of Gemeente Avelgem gets it, with three posts in her group."""
    call_command("import_course", str(SAMPLE), stdout=StringIO(), stderr=StringIO())
    index, count, modules = lesson_place_counts("lesson")
    version = (
        LessonVersion.objects.select_related("lesson__course", "lesson__module")
        .annotate(place_index=index, place_count=count, place_modules=modules)
        .filter(lesson__slug=WIDE_TABLE)
        .latest("number")
    )
    lesson = version.lesson
    place = lesson_place_of(lesson, index=version.place_index, count=version.place_count, modules=version.place_modules)
    total = LessonVersion.objects.values("lesson").distinct().count()
    template = lesson_mail_template(version=version, position=lesson.position, total=total, language="nl", place=place)
    row = RecipientRow(1, "eva@avelgem.be", "Eva", "Peeters", lesson.position - 3, 1, "Gemeente Avelgem")
    message = template.message(template.recipients([row], group_urls={1: ""}, posts={1: 3}))
    return message.personalise(message.recipients[0])[2]


def test_the_widest_lesson_mail_fits_a_phone_and_its_footer_links_can_be_tapped(browser) -> None:  # type: ignore[no-untyped-def]
    html = lesson_mail_html()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(**PHONE)
    page.set_content(html)
    width = page.evaluate("document.documentElement.scrollWidth")
    table = page.locator("table").first.bounding_box()
    footer_links = [page.locator(".footer a").nth(i).bounding_box() for i in range(page.locator(".footer a").count())]
    page.screenshot(path=str(SCREENSHOTS / "lesson-mail-phone.png"), full_page=True)
    page.close()
    # The smallest phones still in use are 320 px wide.
    small = browser.new_page(**{**PHONE, "viewport": {"width": 320, "height": 640}})
    small.set_content(html)
    small_width = small.evaluate("document.documentElement.scrollWidth")
    small.close()
    assert width <= 390, f"the mail scrolls sideways: {width} px"
    assert small_width <= 320, f"the mail scrolls sideways on a 320 px phone: {small_width} px"
    assert table is not None
    assert table["x"] + table["width"] <= 390
    assert len(footer_links) == 2
    for box in footer_links:
        assert box is not None
        assert box["height"] >= 44, box
        assert box["width"] >= 44, box


def test_the_sign_in_code_mail_shows_the_code_large_on_a_phone(browser) -> None:  # type: ignore[no-untyped-def]
    user = UserFactory.create(email="eva@avelgem.be", first_name="Eva")
    mail.outbox = []
    Client().post(reverse("account_request_login_code"), {"email": user.email})
    (message,) = mail.outbox
    html = next(content for content, mimetype in message.alternatives if mimetype == "text/html")  # type: ignore[union-attr]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(**PHONE)
    page.set_content(str(html))
    size = page.evaluate("parseFloat(getComputedStyle(document.querySelector('.code')).fontSize)")
    select = page.evaluate("getComputedStyle(document.querySelector('.code')).userSelect")
    width = page.evaluate("document.documentElement.scrollWidth")
    page.screenshot(path=str(SCREENSHOTS / "signin-code-mail.png"), full_page=True)
    page.close()
    assert size >= 28
    assert select == "all"
    assert width <= 390
