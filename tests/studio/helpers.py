"""Shared steps of the studio tests."""

import datetime as dt

from django.test import TestCase
from django.urls import reverse

from drip.tick import drip_tick
from lessons.models import Lesson
from tests.studio.conftest import Studio

MONDAY = dt.datetime.fromisoformat("2027-03-01T08:30:00+01:00")


def tick(at: dt.datetime) -> list[int]:
    batches: list[int] = []
    with TestCase.captureOnCommitCallbacks(execute=True):
        drip_tick(now=at, dispatch=batches.append)
    return batches


def url(name: str, studio: Studio, **kwargs: object) -> str:
    return reverse(f"studio:{name}", kwargs={"course_slug": studio.course.slug, **kwargs})


def editor_data(lesson: Lesson, **changes: object) -> dict[str, object]:
    """The editor's form as the page fills it for ``lesson``'s current version, with ``changes``."""
    version = lesson.current_version
    assert version is not None
    question = version.question
    data: dict[str, object] = {
        "title": version.title,
        "summary": version.summary,
        "module": lesson.module_id,
        "body_markdown": version.body_markdown,
        "prompt": question.get("prompt", ""),
        "correct": question["correct"] + 1 if question else "",
        "explanation": question.get("explanation", ""),
    }
    for number, option in enumerate(question.get("options", []), start=1):
        data[f"option_{number}"] = option
    data.update(changes)
    return data
