"""Whatever a trainer does to a course folder between imports, an import makes the course look like
the folder, a second import changes nothing, and an export reads back unchanged."""

import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lessons.course_export import course_export
from lessons.course_folder import check_course_folder, read_course_folder
from lessons.course_sync import course_sync
from lessons.models import Lesson, Module
from tests.lessons.classroom import assert_drip_order
from tests.lessons.course_folders import lesson_text, three_modules

pytestmark = pytest.mark.django_db

edits = st.lists(
    st.one_of(
        st.tuples(st.just("move"), st.integers(0, 20), st.integers(0, 3), st.integers(0, 999)),
        st.tuples(st.just("add"), st.integers(0, 3), st.integers(0, 999)),
        st.tuples(st.just("edit"), st.integers(0, 20)),
        st.tuples(st.just("unpublish"), st.integers(0, 20)),
        st.tuples(st.just("remove"), st.integers(0, 20)),
        st.tuples(st.just("module"), st.integers(0, 3), st.integers(0, 99)),
    ),
    min_size=1,
    max_size=6,
)


def _lessons(folder: Path) -> list[Path]:
    return sorted(folder.glob("*/*.md"))


def _apply(folder: Path, edit: tuple, added: list[int]) -> None:  # type: ignore[type-arg]
    kind, *args = edit
    lessons, modules = _lessons(folder), sorted(p for p in folder.iterdir() if p.is_dir())
    if kind == "move" and lessons:
        path = lessons[args[0] % len(lessons)]
        path.rename(modules[args[1] % len(modules)] / f"{args[2]:03d}-{path.name.split('-', 1)[1]}")
    elif kind == "add":
        added.append(len(added) + 1)
        target = modules[args[0] % len(modules)] / f"{args[1]:03d}-nieuw-{added[-1]}.md"
        target.write_text(lesson_text(f"Nieuw {added[-1]}"), encoding="utf-8")
    elif kind in ("edit", "unpublish", "remove") and lessons:
        path = lessons[args[0] % len(lessons)]
        text = path.read_text(encoding="utf-8")
        if kind == "remove":
            path.unlink()
        elif kind == "edit":
            path.write_text(text + "\nEen extra zin.\n", encoding="utf-8")
        elif "unpublished: true" not in text:
            path.write_text(text.replace("summary:", "unpublished: true\nsummary:", 1), encoding="utf-8")
    elif kind == "module":
        module = modules[args[0] % len(modules)]
        module.rename(folder / f"{args[1]:02d}-{module.name.split('-', 1)[1]}")


def _outline(folder: Path) -> list[tuple[str, list[tuple[str, bool]]]]:
    return [(m.slug, [(x.slug, not x.unpublished) for x in m.lessons]) for m in read_course_folder(folder).modules]


def _stored() -> list[tuple[str, list[tuple[str, bool]]]]:
    return [
        (m.slug, [(x.slug, x.published) for x in m.lessons.order_by("order")])
        for m in Module.objects.order_by("position")
    ]


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps=st.lists(edits, min_size=1, max_size=3))
def test_import_makes_the_course_look_like_the_folder_and_a_second_import_changes_nothing(steps):  # type: ignore[no-untyped-def]
    Lesson.objects.all().delete()
    Module.objects.all().delete()
    with tempfile.TemporaryDirectory() as name:
        folder = three_modules(Path(name) / "c")
        added: list[int] = []
        for batch in [[], *steps]:
            for edit in batch:
                _apply(folder, edit, added)
            source, problems = check_course_folder(folder)
            if source is None:
                # An edit may collide (two files with one number): the import refuses it whole.
                assert any(problem.is_error for problem in problems)
                continue
            plan = course_sync(source=source)
            applied = course_sync(source=source, apply=True)
            assert applied.as_dict() | {"applied": False} == plan.as_dict()
            assert _stored() == _outline(folder)
            assert_drip_order(applied.course)  # type: ignore[arg-type]
            assert not course_sync(source=read_course_folder(folder)).has_changes
        out = Path(name) / "export"
        course_export(course=applied.course, directory=out)  # type: ignore[arg-type]
        assert not course_sync(source=read_course_folder(out)).has_changes
        shutil.rmtree(out)
