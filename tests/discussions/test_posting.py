"""Members post, reply one level deep, edit for 15 minutes, delete their own; limits say so clearly."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from discussions.models import Post, Thread
from discussions.services import MAX_POST_LENGTH, POSTS_PER_WINDOW, post_edit
from tests.discussions.conftest import NOW, say, signed_in, thread_url
from tests.learners.helpers import send_lessons


def test_a_learner_posts_and_sees_the_post_in_the_thread(world) -> None:  # type: ignore[no-untyped-def]
    thread = world.thread(world.eva)
    client = signed_in(world.eva.membership.user)
    response = client.post(thread_url(thread), {"body": "Mijn **eerste** bericht"})
    post = Post.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{thread_url(thread)}#post-{post.pk}"
    assert "Mijn <strong>eerste</strong> bericht" in client.get(thread_url(thread)).content.decode()
    assert post.author_organisation == world.avelgem


def test_replies_are_one_level_deep(world) -> None:  # type: ignore[no-untyped-def]
    thread = world.thread(world.eva)
    question = say(thread, world.eva, "Een vraag")
    reply = say(thread, world.jonas, "Een antwoord", parent=question)
    with pytest.raises(ValidationError):
        say(thread, world.eva, "Een antwoord op het antwoord", parent=reply)
    response = signed_in(world.eva.membership.user).post(thread_url(thread), {"body": "Nog eens", "parent": reply.pk})
    assert response.status_code == 400
    assert Post.objects.count() == 2


def test_a_post_longer_than_the_limit_is_refused_with_a_clear_error(world) -> None:  # type: ignore[no-untyped-def]
    thread = world.thread(world.eva)
    response = signed_in(world.eva.membership.user).post(thread_url(thread), {"body": "x" * (MAX_POST_LENGTH + 1)})
    assert response.status_code == 400
    assert f"{MAX_POST_LENGTH}" in response.content.decode()
    assert "5001" in response.content.decode()
    assert not Post.objects.exists()


def test_posting_is_rate_limited(world) -> None:  # type: ignore[no-untyped-def]
    thread = world.thread(world.eva)
    client = signed_in(world.eva.membership.user)
    for number in range(POSTS_PER_WINDOW):
        assert client.post(thread_url(thread), {"body": f"Bericht {number}"}).status_code == 302
    response = client.post(thread_url(thread), {"body": "Eén te veel"})
    assert response.status_code == 400
    assert Post.objects.count() == POSTS_PER_WINDOW
    # Someone else is not slowed down by Eva.
    assert signed_in(world.jonas.membership.user).post(thread_url(thread), {"body": "Hoi"}).status_code == 302


def test_the_author_edits_within_15_minutes_and_not_after(world) -> None:  # type: ignore[no-untyped-def]
    post = say(world.thread(world.eva), world.eva, "Eerst")
    user = world.eva.membership.user
    edited = post_edit(post=post, user=user, body="Daarna", now=NOW + dt.timedelta(minutes=14))
    assert edited.body_markdown == "Daarna"
    assert edited.edited_at is not None
    with pytest.raises(ValidationError):
        post_edit(post=post, user=user, body="Te laat", now=NOW + dt.timedelta(minutes=16))


def test_the_edit_page_belongs_to_the_author_only(world) -> None:  # type: ignore[no-untyped-def]
    post = say(world.thread(world.eva), world.eva, "Eerst")
    url = reverse("discussions:post_edit", args=[post.pk])
    assert signed_in(world.jonas.membership.user).get(url).status_code == 404
    Post.objects.filter(pk=post.pk).update(created_at=dt.datetime.now(dt.UTC))
    response = signed_in(world.eva.membership.user).post(url, {"body": "Verbeterd"})
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.body_markdown == "Verbeterd"


def test_authors_delete_their_own_posts_but_not_others(world) -> None:  # type: ignore[no-untyped-def]
    thread = world.thread(world.eva)
    post = say(thread, world.eva, "Weg ermee")
    url = reverse("discussions:post_delete", args=[post.pk])
    assert signed_in(world.jonas.membership.user).post(url).status_code == 404
    assert signed_in(world.eva.membership.user).post(url).status_code == 302
    post.refresh_from_db()
    assert post.deleted_at is not None
    assert "Weg ermee" not in signed_in(world.jonas.membership.user).get(thread_url(thread)).content.decode()


def test_a_learner_opens_a_free_thread_in_the_group(world) -> None:  # type: ignore[no-untyped-def]
    group = world.group(world.eva)
    send_lessons(world.eva, world.lessons[:1])  # the group lists the threads of lessons Eva received
    client = signed_in(world.eva.membership.user)
    response = client.post(
        reverse("discussions:group", args=[group.pk]), {"title": "Tips voor LinkedIn?", "body": "Wie heeft er?"}
    )
    thread = Thread.objects.get(title="Tips voor LinkedIn?")
    assert response["Location"] == thread_url(thread)
    page = client.get(reverse("discussions:group", args=[group.pk])).content.decode()
    assert "Tips voor LinkedIn?" in page
    assert "Les nummer 1" in page


def test_every_lesson_has_its_thread_as_soon_as_it_exists(world) -> None:  # type: ignore[no-untyped-def]
    group = world.group(world.eva)
    assert set(Thread.objects.filter(group=group).values_list("lesson_id", flat=True)) == {
        lesson.pk for lesson in world.lessons
    }
