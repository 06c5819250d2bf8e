"""Replies reach people in one daily digest (with an unsubscribe link); trainers get unanswered questions."""

import datetime as dt
import email
import email.policy
import re
from email.message import EmailMessage
from pathlib import Path

from django.test import Client

from discussions.digest import discussion_digests_send
from discussions.models import DigestOptOut
from discussions.moderation import post_hide
from tests.discussions.conftest import NOW, say
from tests.factories import send_outbox

EVENING = dt.datetime(2027, 3, 1, 17, 40, tzinfo=dt.UTC).astimezone(dt.timezone(dt.timedelta(hours=1)))
MORNING = dt.datetime(2027, 3, 1, 9, 40, tzinfo=dt.UTC)


def mails_to(outbox: Path, address: str) -> list[EmailMessage]:
    found = []
    for path in sorted(outbox.glob("*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        if address in str(message["To"]):
            found.append(message)
    return found  # type: ignore[return-value]


def text_of(message: EmailMessage) -> str:
    return message.get_body(("plain",)).get_content()  # type: ignore[union-attr]


def test_a_reply_to_your_post_arrives_in_the_evening_digest_once(world, outbox_dir) -> None:  # type: ignore[no-untyped-def]
    thread = world.thread(world.eva)
    question = say(thread, world.eva, "Hoe tag ik een collega?")
    say(thread, world.trainer, "Met een @ en de naam.", parent=question)
    assert discussion_digests_send(now=MORNING) == 0
    send_outbox()
    discussion_digests_send(now=EVENING)
    send_outbox()
    discussion_digests_send(now=EVENING + dt.timedelta(hours=1))
    send_outbox()
    (digest,) = mails_to(outbox_dir, "eva@avelgem.be")
    assert "Met een @ en de naam." in text_of(digest)
    assert "Met een @ en de naam." in digest.get_body(("html",)).get_content()  # type: ignore[union-attr]


def test_at_most_one_digest_a_day_even_with_new_replies(world, outbox_dir) -> None:  # type: ignore[no-untyped-def]
    thread = world.thread(world.eva)
    question = say(thread, world.eva, "Vraag")
    say(thread, world.jonas, "Eerste antwoord", parent=question)
    discussion_digests_send(now=EVENING)
    send_outbox()
    say(thread, world.jonas, "Tweede antwoord", parent=question)
    discussion_digests_send(now=EVENING + dt.timedelta(hours=2))
    send_outbox()
    assert len(mails_to(outbox_dir, "eva@avelgem.be")) == 1
    discussion_digests_send(now=EVENING + dt.timedelta(days=1))
    send_outbox()
    texts = sorted(text_of(m) for m in mails_to(outbox_dir, "eva@avelgem.be"))
    assert [("Eerste antwoord" in t, "Tweede antwoord" in t) for t in texts] in (
        [(True, False), (False, True)],
        [(False, True), (True, False)],
    )


def test_your_own_replies_and_hidden_replies_are_not_news(world, outbox_dir) -> None:  # type: ignore[no-untyped-def]
    thread = world.thread(world.eva)
    question = say(thread, world.eva, "Vraag")
    say(thread, world.eva, "Aanvulling van mezelf", parent=question)
    spam = say(thread, world.jonas, "Koop nu", parent=question)
    post_hide(post=spam, by=world.trainer, reason="Reclame", now=NOW)
    discussion_digests_send(now=EVENING)
    send_outbox()
    assert mails_to(outbox_dir, "eva@avelgem.be") == []


def test_the_digest_unsubscribe_link_stops_the_digest_after_a_post(world, outbox_dir) -> None:  # type: ignore[no-untyped-def]
    thread = world.thread(world.eva)
    question = say(thread, world.eva, "Vraag")
    say(thread, world.jonas, "Antwoord", parent=question)
    discussion_digests_send(now=EVENING)
    send_outbox()
    (digest,) = mails_to(outbox_dir, "eva@avelgem.be")
    link = re.search(r"http://testserver(/groups/digest/unsubscribe/\S+/)", text_of(digest))
    assert link is not None
    scanner = Client()
    assert scanner.get(link.group(1)).status_code == 200
    assert not DigestOptOut.objects.exists()
    assert scanner.post(link.group(1)).status_code == 200
    say(thread, world.jonas, "Nog een antwoord", parent=question)
    discussion_digests_send(now=EVENING + dt.timedelta(days=1))
    send_outbox()
    assert len(mails_to(outbox_dir, "eva@avelgem.be")) == 1


def test_trainers_get_a_digest_of_unanswered_questions(world, outbox_dir) -> None:  # type: ignore[no-untyped-def]
    thread = world.thread(world.eva)
    answered = say(thread, world.eva, "Beantwoorde vraag")
    say(thread, world.trainer, "Zo zit het.", parent=answered)
    say(thread, world.jonas, "Open vraag van Jonas")
    discussion_digests_send(now=EVENING)
    send_outbox()
    (digest,) = mails_to(outbox_dir, "trainer@druppel.example")
    assert "Open vraag van Jonas" in text_of(digest)
    assert "Beantwoorde vraag" not in text_of(digest)
    assert "/groups/digest/unsubscribe/" in text_of(digest)
    assert mails_to(outbox_dir, "jonas@mira.be") == []
