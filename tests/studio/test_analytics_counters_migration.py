"""The migration that added the trainer's counters filled them once from the history before them:
delivered from every confirmed delivery, answers and weeks only from completions already folded."""

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def lessons_at(name: str) -> list[tuple[str, str]]:
    """Every other app at its latest migration (their fields exist in the table), lessons at ``name``."""
    leaves = MigrationExecutor(connection).loader.graph.leaf_nodes()
    return [(app, leaf) for app, leaf in leaves if app != "lessons"] + [("lessons", name)]


MONDAY = dt.date(2027, 3, 8)


@pytest.mark.django_db(transaction=True)
def test_the_counters_are_backfilled_from_history_once():
    before, after = lessons_at("0009_lesson_module_required"), lessons_at("0011_backfill_analytics_counters")
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    get = old.get_model
    organisation = get("organisations", "Organisation").objects.create(name="Avelgem", slug="avelgem")
    course = get("courses", "Course").objects.create(title="Oud", slug="oud")
    module = get("lessons", "Module").objects.create(course=course, position=1, slug="m", title="M")
    lesson = get("lessons", "Lesson").objects.create(course=course, module=module, order=1, position=1, slug="les")
    version = get("lessons", "LessonVersion").objects.create(lesson=lesson, number=1, title="Les", body_markdown="x")
    get("lessons", "LessonStats").objects.create(organisation=organisation, lesson=lesson, sent=4, completed=2)
    User, Membership = get("accounts", "User"), get("organisations", "Membership")
    Enrolment, Delivery = get("courses", "Enrolment"), get("lessons", "Delivery")
    # Brussels: Sunday 23:30 UTC is already Monday there, so that completion counts for the Monday's week.
    moments = [
        (dt.datetime(2027, 3, 9, 9, 0, tzinfo=dt.UTC), 1, True),  # counted, answered option 2
        (dt.datetime(2027, 3, 14, 23, 30, tzinfo=dt.UTC), 0, True),  # counted, the next local week
        (dt.datetime(2027, 3, 10, 9, 0, tzinfo=dt.UTC), 0, False),  # completed, not yet folded
        (None, None, False),  # delivered only
    ]
    for n, (completed_at, answer, counted) in enumerate(moments):
        user = User.objects.create(email=f"l{n}@example.org")
        membership = Membership.objects.create(organisation=organisation, user=user)
        enrolment = Enrolment.objects.create(membership=membership, course=course, start_date=MONDAY)
        Delivery.objects.create(
            enrolment=enrolment, lesson=lesson, version=version, position=1, status="sent",
            created_at=dt.datetime(2027, 3, 8, tzinfo=dt.UTC), delivered_at=dt.datetime(2027, 3, 8, tzinfo=dt.UTC),
            completed_at=completed_at, answer=answer, counted_at=completed_at if counted else None,
        )  # fmt: skip

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(after)
    new = executor.loader.project_state(after).apps
    assert new.get_model("lessons", "LessonStats").objects.get().delivered == 4
    answers = new.get_model("lessons", "AnswerCount").objects.values_list("option", "chosen").order_by("option")
    assert list(answers) == [(0, 1), (1, 1)]
    weeks = new.get_model("lessons", "WeeklyLessonCompletion").objects.values_list("week", "completed")
    assert sorted(weeks) == [(MONDAY, 1), (MONDAY + dt.timedelta(weeks=1), 1)]

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
