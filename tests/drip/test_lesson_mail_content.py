"""What the lesson mail says around the lesson: who offers it, how to answer, the group's post count
(only when there are posts, and kept with its link), a sign-off, and footer links big enough to tap."""

import datetime as dt
import email
import email.policy
import re
from pathlib import Path

import pytest
from django.utils import timezone

from discussions.services import group_for_enrolment, lesson_thread, post_create
from tests.factories import CourseFactory, enrol, make_lessons

pytestmark = pytest.mark.django_db

MONDAY = "2027-03-01T08:30:00+01:00"


def sent(outbox_dir: Path) -> tuple[str, str]:
    (path,) = outbox_dir.glob("*.eml")
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    return message.get_body(("html",)).get_content(), message.get_body(("plain",)).get_content()  # type: ignore[union-attr]


@pytest.fixture
def course():  # type: ignore[no-untyped-def]
    course = CourseFactory.create(language="nl")
    make_lessons(course, 3)
    return course


def test_the_mail_names_the_organisation_and_guides_the_answer(course, outbox_dir, run_tick) -> None:  # type: ignore[no-untyped-def]
    enrolment = enrol(course, start=dt.date(2027, 3, 1))
    enrolment.membership.organisation.name = "Stad & Haven"
    enrolment.membership.organisation.save(update_fields=["name"])
    run_tick(MONDAY)
    html, text = sent(outbox_dir)
    assert "Aangeboden door Stad &amp; Haven" in html
    assert "Aangeboden door Stad & Haven" in text
    assert html.index("Tik op je antwoord:") < html.index('class="option"')
    assert "Tot de volgende les!" in html
    assert "Tot de volgende les!" in text
    assert "Het Druppel-team" in html
    # No count at zero: "(berichten tot nu toe: 0)" discouraged.
    assert "tot nu toe" not in html
    assert "tot nu toe" not in text
    assert "Bespreek deze les in de groep:" in text


def test_the_post_count_follows_the_thread_link_on_its_line(course, outbox_dir, run_tick) -> None:  # type: ignore[no-untyped-def]
    enrolment = enrol(course, start=dt.date(2027, 3, 1))
    other = enrol(course, start=dt.date(2027, 3, 1), organisation=enrolment.membership.organisation)
    thread = lesson_thread(group=group_for_enrolment(enrolment=enrolment), lesson_id=course.lessons.first().pk)
    for body in ("Eerste vraag", "Een antwoord"):
        post_create(thread=thread, author=other.membership.user, body=body, now=timezone.now())
    run_tick(MONDAY)
    for path in sorted(outbox_dir.glob("*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        html = message.get_body(("html",)).get_content()  # type: ignore[union-attr]
        text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
        assert re.search(r'groep</a>&nbsp;<span style="white-space: ?nowrap;?">\(2 berichten tot nu toe\)</span>', html)
        assert "Bespreek deze les in de groep (2 berichten tot nu toe): " in text


def test_footer_links_are_at_least_44_pixels_tall(course, outbox_dir, run_tick) -> None:  # type: ignore[no-untyped-def]
    enrol(course, start=dt.date(2027, 3, 1))
    run_tick(MONDAY)
    html, _ = sent(outbox_dir)
    footer = html[html.index('class="footer"') :]
    links = re.findall(r"<a [^>]*>", footer)
    assert len(links) == 2
    for link in links:
        style = re.search(r'style="([^"]*)"', link).group(1)  # type: ignore[union-attr]
        padding = re.search(r"padding: ?(\d+)px", style)
        line = re.search(r"line-height: ?(\d+)px", style)
        assert padding, style
        assert line, style
        assert "inline-block" in style
        assert int(line.group(1)) + 2 * int(padding.group(1)) >= 44
