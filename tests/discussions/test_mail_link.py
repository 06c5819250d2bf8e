"""From the lesson mail to the thread: the link, the post count, sign-in by code, no state on GET."""

import datetime as dt
import email
import email.policy
import re
from email.message import EmailMessage
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from discussions.models import Group, Post, Thread
from lessons.models import Delivery
from lessons.tokens import delivery_token
from tests.discussions.conftest import World, make_private, say, signed_in, thread_url

MONDAY = "2027-03-01T08:30:00+01:00"


def mails(outbox: Path) -> dict[str, EmailMessage]:
    found = {}
    for path in sorted(outbox.glob("*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        found[str(message["To"])] = message
    return found  # type: ignore[return-value]


def posts_line(message: EmailMessage) -> str:
    text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    match = re.search(r"\((\d+) [^()]*\): (http\S+/thread/)", text)
    assert match is not None, text
    return match.group(1)


@pytest.fixture
def token(world: World) -> str:
    delivery = Delivery.objects.create(
        enrolment=world.eva,
        lesson=world.lessons[0],
        version=world.lessons[0].versions.get(),
        position=1,
        status=Delivery.Status.SENT,
        created_at=dt.datetime(2027, 3, 1, 7, 30, tzinfo=dt.UTC),
    )
    return delivery_token(delivery.pk)


def test_the_lesson_mail_says_how_many_posts_each_recipients_group_thread_has(  # type: ignore[no-untyped-def]
    world, outbox_dir, run_tick
) -> None:
    make_private(world, world.zone)
    say(world.thread(world.eva), world.eva, "Gedeeld 1")
    say(world.thread(world.eva), world.trainer, "Gedeeld 2")
    say(world.thread(world.jonas), world.jonas, "Privé 1")
    run_tick(MONDAY)
    sent = mails(outbox_dir)
    assert posts_line(_to(sent, "eva@")) == "2"
    assert posts_line(_to(sent, "jonas@")) == "1"
    html = _to(sent, "eva@").get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert "__dr_posts" not in html
    # The count is kept with the link's last word (a no-break space, a span that does not wrap).
    assert re.search(r"/thread/\"[^<]*</a>&nbsp;<span style=\"white-space: ?nowrap;?\">\(2 [^)]*\)</span>", html)


def _to(sent: dict[str, EmailMessage], prefix: str) -> EmailMessage:
    (message,) = [m for to, m in sent.items() if prefix in to]
    return message


def test_a_signed_out_learner_sees_the_summary_and_a_sign_in_with_their_address_filled_in(world, token) -> None:  # type: ignore[no-untyped-def]
    before = (Group.objects.count(), Thread.objects.count(), Post.objects.count())
    page = Client().get(reverse("lesson_thread", args=[token]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Samenvatting 1" in html
    assert 'value="eva@avelgem.be" readonly' in html
    assert (Group.objects.count(), Thread.objects.count(), Post.objects.count()) == before


def test_the_sign_in_button_mails_a_code_and_leads_to_the_thread(world, token, outbox_dir) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    response = client.post(reverse("discussions:mail_thread", args=[token]))
    thread = world.thread(world.eva)
    assert response.status_code == 302
    assert (
        response["Location"] == f"{reverse('account_confirm_login_code')}?next={thread_url(thread).replace('/', '%2F')}"
    )
    (code_mail,) = mails(outbox_dir).values()
    assert "eva@avelgem.be" in str(code_mail["To"])


def test_a_signed_in_member_goes_straight_to_the_thread(world, token) -> None:  # type: ignore[no-untyped-def]
    client = signed_in(world.eva.membership.user)
    response = client.get(reverse("lesson_thread", args=[token]), follow=True)
    assert response.redirect_chain[-1][0] == thread_url(world.thread(world.eva))
    assert response.status_code == 200


def test_a_private_group_member_goes_to_the_private_thread(world, token) -> None:  # type: ignore[no-untyped-def]
    make_private(world, world.avelgem)
    response = signed_in(world.eva.membership.user).get(reverse("lesson_thread", args=[token]), follow=True)
    thread = Thread.objects.get(group__organisation=world.avelgem, lesson=world.lessons[0])
    assert response.redirect_chain[-1][0] == thread_url(thread)


def test_a_forged_thread_link_gets_404(world) -> None:  # type: ignore[no-untyped-def]
    assert Client().get(reverse("lesson_thread", args=["1.forged"])).status_code == 404
    assert Client().post(reverse("discussions:mail_thread", args=["1.forged"])).status_code == 404
