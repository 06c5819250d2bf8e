"""A learner's group lists the threads of lessons they received, not of lessons still to come;
trainers see every thread. The thread page does not link to itself."""

import re

from discussions.services import free_thread_create
from tests.discussions.conftest import NOW, World, signed_in, thread_url
from tests.learners.helpers import send_lessons


def _listed(html: str) -> set[str]:
    section = html[html.index('<ul class="threads">') :]
    return set(re.findall(r'href="(/groups/threads/\d+/)"', section[: section.index("</ul>")]))


def test_a_learner_sees_only_the_threads_of_lessons_sent_to_them(world: World) -> None:
    send_lessons(world.eva, world.lessons[:1])
    first, second = world.thread(world.eva, 1), world.thread(world.eva, 2)
    free = free_thread_create(
        group=world.group(world.eva), author=world.trainer, title="Welkom", body="Stel je voor.", now=NOW
    )
    group_url = f"/groups/{world.group(world.eva).pk}/"

    learner = _listed(signed_in(world.eva.membership.user).get(group_url).content.decode())
    trainer = _listed(signed_in(world.trainer).get(group_url).content.decode())

    assert learner == {thread_url(first), thread_url(free)}
    assert trainer >= {thread_url(first), thread_url(second), thread_url(free)}
    assert len(trainer) == 4  # every lesson (three) and the free thread


def test_the_thread_page_does_not_link_to_itself(world: World) -> None:
    thread = world.thread(world.eva, 1)
    html = signed_in(world.eva.membership.user).get(thread_url(thread)).content.decode()
    assert f'href="{thread_url(thread)}"' not in html
    assert "<style" not in html
