"""Benchmark: a discussion thread of 500 posts (250 questions, 250 replies) as a learner reads it."""

import datetime as dt

from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from bench.dashboard import measure_repeated
from bench.noise import REPEATS
from courses.models import Course, Enrolment, Offering
from discussions.models import Post, Thread
from discussions.rendering import render_post
from discussions.services import group_ensure, lesson_thread
from lessons.models import Lesson, LessonVersion, Module
from organisations.models import Membership, Organisation

# The page renders 500 posts with their moderation controls; template time dominates.
GOAL_MS = 250
AUTHORS = 50
BODY = "Een **vraag** over de les, met [een link](https://example.org) en wat uitleg.\n\n- punt een\n- punt twee"


def _thread(posts: int) -> tuple[Thread, User]:
    course = Course.objects.create(title="Bench: de groep", slug="bench-threads")
    module = Module.objects.create(course=course, position=1, slug="module-1", title="Module 1")
    lesson = Lesson.objects.create(course=course, module=module, order=1, position=1, slug="les-1")
    lesson.current_version = LessonVersion.objects.create(
        lesson=lesson, number=1, title="Les 1", summary="Samenvatting", body_markdown="x", body_html="x", checksum="x"
    )
    lesson.save(update_fields=["current_version"])
    organisation = Organisation.objects.create(name="Bench gemeente", slug="bench-threads")
    Offering.objects.create(organisation=organisation, course=course, start_date=dt.date(2027, 3, 1))
    users = User.objects.bulk_create(
        [User(email=f"thread{i}@bench.example", first_name=f"Naam{i}", last_name="Bench") for i in range(AUTHORS)]
    )
    memberships = Membership.objects.bulk_create([Membership(organisation=organisation, user=u) for u in users])
    Enrolment.objects.bulk_create(
        [Enrolment(membership=m, course=course, start_date=dt.date(2027, 3, 1)) for m in memberships]
    )
    thread = lesson_thread(group=group_ensure(course=course), lesson_id=lesson.pk)
    html, now = render_post(BODY), timezone.now()

    def post(n: int, parent: Post | None = None) -> Post:
        return Post(
            thread=thread, parent=parent, author=users[n % AUTHORS], author_organisation=organisation,
            body_markdown=BODY, body_html=html, created_at=now + dt.timedelta(seconds=n),
        )  # fmt: skip

    questions = Post.objects.bulk_create([post(n) for n in range(posts // 2)])
    Post.objects.bulk_create([post(n, parent=q) for n, q in enumerate(questions)])
    return thread, users[0]


def run_thread_benchmark(*, requests: int, posts: int = 500, repeats: int = REPEATS) -> dict[str, dict]:
    call_command("migrate", verbosity=0)
    thread, reader = _thread(posts)
    client = Client()
    client.force_login(reader)
    result = measure_repeated(client, reverse("discussions:thread", args=[thread.pk]), requests, repeats)
    stamp = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    return {"discussion_thread_500": {**result, "posts": posts, "goal_ms": GOAL_MS, "measured_at": stamp}}
