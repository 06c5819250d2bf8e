"""The sample course holds to its own rules: the studio's lint finds nothing, and every percentage
a lesson quotes is one of its sources' figures (docs/course-sources.md)."""

import re
from io import StringIO
from pathlib import Path

import yaml
from django.conf import settings
from django.core.management import call_command

SAMPLE = Path(settings.BASE_DIR) / "content" / "iedereen-mee-met-sociale-media"
SOURCES = Path(settings.BASE_DIR) / "docs" / "course-sources.md"
PERCENT = re.compile(r"(\d+(?:,\d+)?)\s*(?:%|procent)")


def test_check_course_finds_no_error_and_no_warning_in_the_sample_course():
    out, err = StringIO(), StringIO()
    call_command("check_course", str(SAMPLE), "--strict", stdout=out, stderr=err)
    assert err.getvalue() == ""
    assert "0 error(s), 0 warning(s)" in out.getvalue()
    lessons, modules = re.search(r"(\d+) lessons in (\d+) modules", out.getvalue()).groups()  # type: ignore[union-attr]
    assert int(lessons) >= 150
    assert int(modules) >= 12


def quoted_text(path: Path) -> str:
    """What a learner reads of a lesson: its body, the question's prompt and explanation, the right answer."""
    _, front, body = path.read_text(encoding="utf-8").split("---", 2)
    meta = yaml.safe_load(front)
    question = meta.get("question") or {}
    right = question["options"][question["correct"] - 1] if question else ""
    return "\n".join([body, question.get("prompt", ""), question.get("explanation", ""), right])


def test_every_percentage_in_a_lesson_is_a_figure_of_its_sources():
    figures = set(PERCENT.findall(SOURCES.read_text(encoding="utf-8")))
    lessons = sorted(SAMPLE.glob("*/*.md"))
    assert len(lessons) >= 150
    unsourced = {
        f"{path.parent.name}/{path.name}: {figure} %"
        for path in lessons
        for figure in PERCENT.findall(quoted_text(path))
        if figure not in figures
    }
    assert unsourced == set()


def test_every_lesson_ends_with_a_small_task_and_credits_the_studies_it_quotes():
    for path in sorted(SAMPLE.glob("*/*.md")):
        text = path.read_text(encoding="utf-8")
        assert "## Probeer het zelf" in text, path.name
        if "VVSG" in text:
            assert "Socialemediaburo.be" in text, path.name
