"""The group is closed: members read and write, everyone else gets a 404 (never a 403)."""

from django.test import Client
from django.urls import reverse

from discussions.moderation import post_hide
from tests.discussions.conftest import NOW, make_private, say, signed_in, thread_url


def test_a_learner_of_the_course_reads_the_lesson_thread_with_its_summary(world) -> None:  # type: ignore[no-untyped-def]
    thread = world.thread(world.eva)
    response = signed_in(world.eva.membership.user).get(thread_url(thread))
    assert response.status_code == 200
    assert "Samenvatting 1" in response.content.decode()


def test_a_learner_of_another_course_gets_404_on_the_thread_and_the_group(world) -> None:  # type: ignore[no-untyped-def]
    thread = world.thread(world.eva)
    client = signed_in(world.outsider.membership.user)
    assert client.get(thread_url(thread)).status_code == 404
    assert client.get(reverse("discussions:group", args=[thread.group_id])).status_code == 404
    assert client.post(thread_url(thread), {"body": "Hallo"}).status_code == 404


def test_by_default_the_group_spans_organisations(world) -> None:  # type: ignore[no-untyped-def]
    assert world.thread(world.eva) == world.thread(world.jonas)
    say(world.thread(world.eva), world.eva, "Hallo uit Avelgem")
    page = signed_in(world.jonas.membership.user).get(thread_url(world.thread(world.jonas))).content.decode()
    assert "Hallo uit Avelgem" in page


def test_with_a_private_group_a_learner_of_another_organisation_gets_404(world) -> None:  # type: ignore[no-untyped-def]
    make_private(world, world.avelgem)
    private = world.thread(world.eva)
    assert private.group.organisation == world.avelgem
    assert signed_in(world.jonas.membership.user).get(thread_url(private)).status_code == 404
    assert signed_in(world.eva.membership.user).get(thread_url(private)).status_code == 200


def test_with_a_private_group_its_learners_no_longer_read_the_shared_group(world) -> None:  # type: ignore[no-untyped-def]
    shared = world.thread(world.jonas)
    make_private(world, world.avelgem)
    assert signed_in(world.eva.membership.user).get(thread_url(shared)).status_code == 404


def test_trainers_and_platform_staff_read_every_group(world, django_user_model) -> None:  # type: ignore[no-untyped-def]
    make_private(world, world.avelgem)
    staff = django_user_model.objects.create_user(email="staff@druppel.example", is_staff=True)
    for user in (world.trainer, staff):
        assert signed_in(user).get(thread_url(world.thread(world.eva))).status_code == 200


def test_signing_in_is_needed_to_read(world) -> None:  # type: ignore[no-untyped-def]
    response = Client().get(thread_url(world.thread(world.eva)))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_request_login_code"))


def test_a_hidden_post_is_invisible_to_learners_but_shown_to_trainers(world) -> None:  # type: ignore[no-untyped-def]
    thread = world.thread(world.eva)
    post = say(thread, world.jonas, "Iets ongepasts")
    post_hide(post=post, by=world.trainer, reason="Off-topic", now=NOW)
    learner_page = signed_in(world.eva.membership.user).get(thread_url(thread)).content.decode()
    assert "Iets ongepasts" not in learner_page
    trainer_page = signed_in(world.trainer).get(thread_url(thread)).content.decode()
    assert "Iets ongepasts" in trainer_page
    assert "Off-topic" in trainer_page


def test_a_post_shows_the_name_and_organisation_but_never_the_email_address(world) -> None:  # type: ignore[no-untyped-def]
    thread = world.thread(world.eva)
    say(thread, world.eva, "Goeiemorgen")
    page = signed_in(world.jonas.membership.user).get(thread_url(thread)).content.decode()
    assert "Eva Peeters" in page
    assert "Gemeente Avelgem" in page
    assert "eva@avelgem.be" not in page
    assert "@avelgem" not in page
