"""Whatever a trainer saves, reading a course folder either succeeds or explains why, with the file."""

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lessons.course_folder import CourseFolderError, check_course_folder, read_course_folder

COURSE_YAML = "title: T\nslug: t\nweekdays: [mon]\nsend_time: '08:30'\n"

lesson_texts = st.one_of(
    st.text(max_size=300),
    st.builds(
        lambda meta, body: f"---\n{meta}\n---\n{body}",
        st.text(max_size=120),
        st.text(max_size=200),
    ),
    st.builds(
        lambda title, options, correct: (
            f"---\ntitle: {title!r}\nquestion:\n  prompt: Q\n  options: {options!r}\n  correct: {correct}\n---\nBody\n"
        ),
        st.text(max_size=30),
        st.lists(st.text(max_size=10), max_size=8),
        st.integers(-2, 10),
    ),
)
module_yamls = st.one_of(st.just("title: M\nintro: I\n"), st.text(max_size=60))


def _write(folder: Path, texts: list[str], modules: list[str] | None) -> list[str]:
    """Lessons at the top (``modules`` None) or spread over module folders; returns their names."""
    (folder / "course.yaml").write_text(COURSE_YAML, encoding="utf-8")
    names = []
    for number, text in enumerate(texts, start=1):
        name = f"{number:03d}-les-{number}.md"
        if modules:
            module = f"{number % len(modules) + 1:02d}-m{number % len(modules)}"
            (folder / module).mkdir(exist_ok=True)
            (folder / module / "module.yaml").write_text(modules[number % len(modules)], encoding="utf-8")
            name = f"{module}/{name}"
        (folder / name).write_text(text, encoding="utf-8", errors="surrogatepass")
        names.append(name)
    return names


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    texts=st.lists(lesson_texts, min_size=1, max_size=4),
    modules=st.one_of(st.none(), st.lists(module_yamls, min_size=1, max_size=3)),
)
def test_reading_a_folder_never_raises_anything_but_a_folder_error(texts, modules):  # type: ignore[no-untyped-def]
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        names = _write(folder, texts, modules)
        _, problems = check_course_folder(folder)
        errors = [problem for problem in problems if problem.is_error]
        if errors:
            with pytest.raises(CourseFolderError) as caught:
                read_course_folder(folder)
            assert caught.value.errors == [str(problem) for problem in errors]
            # Every error is placed: a file of the folder, or the folder as a whole.
            folders = {n.split("/")[0] for n in names if "/" in n}
            files = {*names, *folders, "course.yaml", *{f"{f}/module.yaml" for f in folders}}
            assert all(problem.file in files or not problem.file for problem in errors)
            return
        source = read_course_folder(folder)
        assert len(source.lessons) == len(texts)
        for lesson in source.lessons:
            assert lesson.title
            if lesson.question:
                assert 0 <= lesson.question["correct"] < len(lesson.question["options"])
