"""Trainers pin, hide with a reason, lock and mark the answer; members report posts into a queue."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from discussions.models import Post, Report
from discussions.moderation import post_hide
from tests.discussions.conftest import NOW, say, signed_in, thread_url


def moderate(client, post: Post, action: str, **data: str):  # type: ignore[no-untyped-def]
    return client.post(reverse("discussions:post_moderate", args=[post.pk]), {"action": action, **data})


def test_a_trainer_marks_a_reply_as_the_answer_and_one_answer_stands(world) -> None:  # type: ignore[no-untyped-def]
    thread = world.thread(world.eva)
    question = say(thread, world.eva, "Mag ik dit delen?")
    first = say(thread, world.jonas, "Ik denk van wel", parent=question)
    second = say(thread, world.trainer, "Ja, met bronvermelding", parent=question)
    trainer = signed_in(world.trainer)
    moderate(trainer, first, "answer")
    moderate(trainer, second, "answer")
    assert list(Post.objects.filter(is_answer=True)) == [second]
    page = signed_in(world.eva.membership.user).get(thread_url(thread)).content.decode()
    assert f'class="post answer" id="post-{second.pk}"' in page
    assert f'class="post" id="post-{first.pk}"' in page


def test_the_database_refuses_two_answers_to_one_question(world) -> None:  # type: ignore[no-untyped-def]
    thread = world.thread(world.eva)
    question = say(thread, world.eva, "Vraag")
    replies = [say(thread, world.trainer, f"Antwoord {n}", parent=question) for n in range(2)]
    Post.objects.filter(pk=replies[0].pk).update(is_answer=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        Post.objects.filter(pk=replies[1].pk).update(is_answer=True)


def test_a_trainer_pins_a_post_to_the_top(world) -> None:  # type: ignore[no-untyped-def]
    thread = world.thread(world.eva)
    say(thread, world.eva, "Eerste bericht")
    announcement = say(thread, world.trainer, "Belangrijk: lees dit")
    moderate(signed_in(world.trainer), announcement, "pin")
    page = signed_in(world.eva.membership.user).get(thread_url(thread)).content.decode()
    assert page.index("Belangrijk: lees dit") < page.index("Eerste bericht")


def test_hiding_needs_a_reason(world) -> None:  # type: ignore[no-untyped-def]
    post = say(world.thread(world.eva), world.jonas, "Spam")
    with pytest.raises(ValidationError):
        post_hide(post=post, by=world.trainer, reason="  ", now=NOW)
    moderate(signed_in(world.trainer), post, "hide", reason="Reclame")
    post.refresh_from_db()
    assert post.hidden_at is not None
    assert post.hidden_reason == "Reclame"


def test_learners_cannot_moderate(world) -> None:  # type: ignore[no-untyped-def]
    thread = world.thread(world.eva)
    post = say(thread, world.jonas, "Iets")
    eva = signed_in(world.eva.membership.user)
    assert moderate(eva, post, "hide", reason="Ik vind het niks").status_code == 404
    assert eva.post(reverse("discussions:thread_lock", args=[thread.pk]), {"action": "lock"}).status_code == 404
    assert eva.get(reverse("discussions:reports")).status_code == 404
    post.refresh_from_db()
    assert post.hidden_at is None


def test_a_locked_thread_takes_no_posts_from_learners(world) -> None:  # type: ignore[no-untyped-def]
    thread = world.thread(world.eva)
    signed_in(world.trainer).post(reverse("discussions:thread_lock", args=[thread.pk]), {"action": "lock"})
    response = signed_in(world.eva.membership.user).post(thread_url(thread), {"body": "Mag ik nog?"})
    assert response.status_code == 400
    assert not Post.objects.exists()
    assert signed_in(world.trainer).post(thread_url(thread), {"body": "Afgesloten."}).status_code == 302


def test_a_report_reaches_the_trainers_queue_until_resolved(world) -> None:  # type: ignore[no-untyped-def]
    post = say(world.thread(world.eva), world.jonas, "Kwetsend bericht")
    eva = signed_in(world.eva.membership.user)
    url = reverse("discussions:post_report", args=[post.pk])
    eva.post(url, {"reason": "Kwetsend"})
    eva.post(url, {"reason": "Nog eens"})
    report = Report.objects.get()
    trainer = signed_in(world.trainer)
    queue = trainer.get(reverse("discussions:reports")).content.decode()
    assert "Kwetsend bericht" in queue
    trainer.post(reverse("discussions:report_resolve", args=[report.pk]))
    assert "Kwetsend bericht" not in trainer.get(reverse("discussions:reports")).content.decode()


def test_hiding_a_reported_post_resolves_its_reports(world) -> None:  # type: ignore[no-untyped-def]
    post = say(world.thread(world.eva), world.jonas, "Spam")
    signed_in(world.eva.membership.user).post(reverse("discussions:post_report", args=[post.pk]))
    moderate(signed_in(world.trainer), post, "hide", reason="Spam")
    assert Report.objects.get().resolved_at is not None
