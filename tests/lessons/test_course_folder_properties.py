"""Whatever a trainer saves, reading a course folder either succeeds or explains why."""

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lessons.course_folder import CourseFolderError, read_course_folder

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


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts=st.lists(lesson_texts, min_size=1, max_size=4))
def test_reading_a_folder_never_raises_anything_but_a_folder_error(texts):  # type: ignore[no-untyped-def]
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        (folder / "course.yaml").write_text(COURSE_YAML, encoding="utf-8")
        for number, text in enumerate(texts, start=1):
            (folder / f"{number:03d}-les.md").write_text(text, encoding="utf-8", errors="surrogatepass")
        try:
            source = read_course_folder(folder)
        except CourseFolderError as exc:
            errors = exc.errors
        else:
            errors = []
        if errors:
            assert all(isinstance(error, str) and error for error in errors)
            return
        assert len(source.lessons) == len(texts)
        for lesson in source.lessons:
            assert lesson.title
            if lesson.question:
                assert 0 <= lesson.question["correct"] < len(lesson.question["options"])
