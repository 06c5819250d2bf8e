"""A thread page costs the same number of queries with 5 posts as with 500."""

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext

from discussions.models import Post, Thread
from discussions.rendering import render_post
from tests.discussions.conftest import NOW, World, signed_in, thread_url

# Session, user, thread (with group, course, lesson, version), membership check,
# top-level posts (with authors, organisations), their replies, the external link.
BUDGET = 7


def fill(world: World, thread: Thread, count: int) -> None:
    """Half questions, half replies, from learners of both organisations and the trainer."""
    authors = [
        (world.eva.membership.user, world.avelgem, False),
        (world.jonas.membership.user, world.zone, False),
        (world.trainer, None, True),
    ]
    body = "Een **bericht** met [een link](https://example.org)"

    def post(n: int, parent: Post | None = None) -> Post:
        user, organisation, trainer = authors[n % 3]
        return Post(
            thread=thread,
            parent=parent,
            author=user,
            author_organisation=organisation,
            author_is_trainer=trainer,
            body_markdown=body,
            body_html=render_post(body),
            created_at=NOW + dt.timedelta(seconds=n),
        )

    questions = Post.objects.bulk_create([post(n) for n in range(count // 2)])
    Post.objects.bulk_create([post(n + 1, parent=q) for n, q in enumerate(questions)])


def page_queries(world: World, thread: Thread) -> int:
    client = signed_in(world.eva.membership.user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(thread_url(thread))
    assert response.status_code == 200
    return len(queries)


def test_a_thread_of_500_posts_takes_as_many_queries_as_one_of_5(world) -> None:  # type: ignore[no-untyped-def]
    small, large = world.thread(world.eva, 1), world.thread(world.eva, 2)
    fill(world, small, 6)
    fill(world, large, 500)
    assert Post.objects.filter(thread=large).count() == 500
    assert page_queries(world, large) == page_queries(world, small) == BUDGET


def test_a_thread_of_500_posts_shows_them_all(world) -> None:  # type: ignore[no-untyped-def]
    thread = world.thread(world.eva)
    fill(world, thread, 500)
    page = signed_in(world.eva.membership.user).get(thread_url(thread)).content.decode()
    assert page.count('class="body"') == 500
