"""The migration that introduced modules put each course's existing lessons into one module, named
after the course, in their order."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("lessons", "0007_exactly_once"), ("courses", "0007_drop_indexes_led_by_unique")]
AFTER = [("lessons", "0009_lesson_module_required")]


@pytest.mark.django_db(transaction=True)
def test_existing_lessons_go_into_one_module_per_course_in_their_order():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    Course, Lesson = old.get_model("courses", "Course"), old.get_model("lessons", "Lesson")
    course = Course.objects.create(title="Oud", slug="oud")
    empty = Course.objects.create(title="Zonder lessen", slug="leeg")
    for position in (2, 1, 3):
        Lesson.objects.create(course=course, position=position, slug=f"les-{position}")

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    Module, Lesson = new.get_model("lessons", "Module"), new.get_model("lessons", "Lesson")
    (module,) = Module.objects.filter(course_id=course.pk)
    assert (module.slug, module.title, module.position, module.intro) == ("oud", "Oud", 1, "")
    rows = Lesson.objects.filter(course_id=course.pk).order_by("position").values_list("slug", "module_id", "order")
    assert list(rows) == [("les-1", module.pk, 1), ("les-2", module.pk, 2), ("les-3", module.pk, 3)]
    assert not Module.objects.filter(course_id=empty.pk).exists()

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
