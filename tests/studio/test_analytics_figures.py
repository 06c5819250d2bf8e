"""The trainer's figures against a small world made by hand, through the real webhook, answer and
fold: a machine open is not an open, a repeated event counts once, the organisation filter and the
CSV say the same."""

import csv
import datetime as dt
import io
from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from courses.models import Course, Enrolment, Offering
from discussions.services import group_ensure, lesson_thread, post_create
from drip.counters import lesson_stats_add
from drip.events import events_apply
from lessons.models import Delivery, Lesson
from mailer.webhook import ProviderEvent
from organisations.models import Organisation
from progress.answers import delivery_answer
from progress.reads import delivery_record_read
from studio.analytics import course_analytics
from tests.factories import CourseFactory, OrganisationFactory, enrol, fold, make_lessons
from tests.learners.helpers import send_lessons
from tests.studio.analytics_world import trainer_of

NOW = timezone.now().replace(microsecond=0)


@dataclass
class World:
    course: Course
    lessons: list[Lesson]
    avelgem: Organisation
    mira: Organisation
    deliveries: dict[str, list[Delivery]]  # organisation slug -> lesson 1's deliveries, then lesson 2's
    client: Client


def _event(kind: str, delivery: Delivery, event_id: str, **extra: object) -> ProviderEvent:
    return ProviderEvent(kind, int(NOW.timestamp()), event_id, f"m{delivery.pk}", delivery.pk, **extra)  # type: ignore[arg-type]


def _sent(organisation: Organisation, deliveries: list[Delivery]) -> None:
    """What the planner counts when it plans these deliveries."""
    counts: dict[tuple[int, int], dict[str, int]] = {}
    for delivery in deliveries:
        counts.setdefault((organisation.pk, delivery.lesson_id), {"sent": 0})["sent"] += 1
    lesson_stats_add(increments=counts)


@pytest.fixture
def world(db) -> World:  # type: ignore[no-untyped-def]
    course = CourseFactory.create(title="Sociale media", slug="sociale-media")
    lessons = make_lessons(course, 4, per_module=2)
    avelgem = OrganisationFactory.create(name="Gemeente Avelgem", slug="avelgem")
    mira = OrganisationFactory.create(name="Politiezone Mira", slug="mira")
    start = timezone.localdate() - dt.timedelta(weeks=2)
    for organisation in (avelgem, mira):
        Offering.objects.create(organisation=organisation, course=course, start_date=start)
    deliveries = {}
    for organisation, people in ((avelgem, 3), (mira, 2)):
        enrolments = [enrol(course, organisation=organisation, start=start) for _ in range(people)]
        sent = [d for e in enrolments for d in send_lessons(e, lessons[:2], sent_at=NOW - dt.timedelta(days=2))]
        _sent(organisation, sent)
        deliveries[organisation.slug] = sorted(sent, key=lambda d: (d.lesson.position, d.pk))
    client = Client()
    client.force_login(trainer_of(course))
    return World(course, lessons, avelgem, mira, deliveries, client)


def _happen(world: World) -> None:
    a1 = world.deliveries["avelgem"][:3]  # lesson 1 in Avelgem
    m1 = world.deliveries["mira"][:2]
    events = [_event("delivered", d, f"dl-{d.pk}") for d in a1 + m1]
    events += [
        _event("open", a1[0], "op-a0"),
        _event("open", a1[1], "op-a1", machine_open=True),  # Apple's privacy proxy: not a person
        _event("click", a1[2], "cl-a2"),  # a click is a human open
        _event("open", m1[0], "op-m0"),
    ]
    events_apply(events=events, now=NOW)
    # SendGrid delivers at least once: the same events again, and a second "delivered" for a delivery.
    report = events_apply(events=[*events[:2], _event("delivered", a1[0], "dl-again")], now=NOW)
    assert report.duplicates == 2
    delivery_record_read(delivery=a1[0], at=NOW)  # reading implies an open, already counted
    for delivery, option in zip(a1 + m1, (1, 0, 0, 1, 2), strict=True):
        delivery_answer(delivery=delivery, option=option, now=NOW - dt.timedelta(days=1))
    delivery_answer(delivery=world.deliveries["avelgem"][3], option=2, now=NOW)
    fold()
    fold()  # a second fold counts nothing again
    group = group_ensure(course=world.course)
    thread = lesson_thread(group=group, lesson_id=world.lessons[0].pk)
    for delivery in (a1[0], a1[1], m1[0]):
        post_create(thread=thread, author=Enrolment.objects.get(pk=delivery.enrolment_id).membership.user,
                    body="Goeie les", now=NOW)  # fmt: skip


def test_the_figures_across_every_organisation(world):
    _happen(world)
    figures = course_analytics(course=world.course, organisation_id=None, today=timezone.localdate())
    first, second, third, _ = figures.lessons
    assert (first.sent, first.delivered, first.opened, first.read, first.completed) == (5, 5, 3, 1, 5)
    assert first.open_rate == 60
    assert [(o.number, o.text, o.chosen, o.right) for o in first.options] == [
        (1, "A", 2, False),
        (2, "B", 2, True),
        (3, "C", 1, False),
    ]
    assert (first.answered, first.correct, first.wrong, first.posts) == (5, 2, 3, 3)
    assert (second.sent, second.completed, second.wrong) == (5, 1, 1)
    assert (third.sent, third.completed, third.options[1].chosen) == (0, 0, 0)
    steps = {step.key: step.count for step in figures.course_section.funnel}
    assert steps == {"sent": 10, "delivered": 5, "opened": 3, "read": 1, "completed": 6}
    assert [s.funnel[0].count for s in figures.modules] == [10, 0]
    assert figures.course_section.weeks_completed == 6
    assert figures.modules[0].weeks_completed == 6
    assert figures.modules[1].weeks_completed == 0
    weeks = figures.course_section.weeks
    assert weeks[0].monday <= timezone.localdate() - dt.timedelta(weeks=2)
    assert weeks[-1].monday.weekday() == 0
    # Lowest completion, below the course's 6 of 10: lesson 2 (1 of 5) only; most wrong: lesson 1 (3), lesson 2 (1).
    assert [f.lesson.position for f in figures.lowest_completion] == [2]
    assert [f.lesson.position for f in figures.most_wrong] == [1, 2]
    assert first.rewrite_wrong
    assert not first.rewrite_completion
    assert second.rewrite_completion


def test_the_organisation_filter(world):
    _happen(world)
    figures = course_analytics(course=world.course, organisation_id=world.avelgem.pk, today=timezone.localdate())
    assert figures.organisation == world.avelgem
    first = figures.lessons[0]
    assert (first.sent, first.delivered, first.opened, first.read, first.completed) == (3, 3, 2, 1, 3)
    assert [o.chosen for o in first.options] == [2, 1, 0]
    assert first.posts == 2
    mira = course_analytics(course=world.course, organisation_id=world.mira.pk, today=timezone.localdate())
    assert [o.chosen for o in mira.lessons[0].options] == [0, 1, 1]
    assert (mira.lessons[0].opened, mira.lessons[1].completed) == (1, 0)
    stranger = OrganisationFactory.create()
    ignored = course_analytics(course=world.course, organisation_id=stranger.pk, today=timezone.localdate())
    assert ignored.organisation is None
    assert ignored.lessons[0].sent == 5


def test_the_page_and_the_csv_show_the_filtered_figures(world):
    _happen(world)
    page = world.client.get(reverse("studio:analytics", args=[world.course.slug]), {"organisation": world.mira.pk})
    html = page.content.decode()
    assert page.status_code == 200
    assert f'<option value="{world.mira.pk}" selected>Politiezone Mira</option>' in html
    assert f"?organisation={world.mira.pk}" in html  # the CSV link keeps the filter
    assert "het juiste antwoord" in html
    export_url = reverse("studio:analytics_export", args=[world.course.slug])
    export = world.client.get(export_url, {"organisation": world.mira.pk})
    assert export["Content-Type"] == "text/csv; charset=utf-8"
    assert "sociale-media-mira-analytics-" in export["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:4] == ["Module", "Positie", "Les", "Verstuurd"]
    assert len(rows) == 5
    module, position, title, *numbers = rows[1]
    assert (module, position, title) == ("Module nummer 1", "1", "Les nummer 1")
    # sent, delivered, opened, open rate, read, completed, completion, answered, right, wrong, options, posts, flag
    expected = ["2", "2", "1", "50", "0", "2", "100", "2", "1", "1", "1: 0 | 2*: 1 | 3: 1", "1"]
    assert numbers == [*expected, "veel foute antwoorden"]
    every = world.client.get(reverse("studio:analytics_export", args=[world.course.slug]))
    first = list(csv.reader(io.StringIO(every.content.decode("utf-8-sig")), delimiter=";"))[1]
    assert first[3:8] == ["5", "5", "3", "60", "1"]
    assert first[-1] == "veel foute antwoorden"


@pytest.mark.django_db
def test_a_trainer_of_another_course_gets_404(world):
    other = CourseFactory.create(slug="ander")
    stranger = Client()
    stranger.force_login(trainer_of(other, "ander@druppel.example"))
    for name in ("studio:analytics", "studio:analytics_export"):
        assert stranger.get(reverse(name, args=[world.course.slug])).status_code == 404
        assert world.client.get(reverse(name, args=[other.slug])).status_code == 404
    learner = Client()
    learner.force_login(Enrolment.objects.filter(course=world.course).first().membership.user)  # type: ignore[union-attr]
    assert learner.get(reverse("studio:analytics", args=[world.course.slug])).status_code == 404
