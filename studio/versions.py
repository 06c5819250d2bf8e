"""A lesson's versions side by side: a readable line diff, and restoring an old version."""

import difflib
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from lessons.authoring import lesson_version_create
from lessons.models import LessonVersion


@dataclass(frozen=True)
class DiffLine:
    kind: str  # "same", "added", "removed"
    text: str


def version_text(version: LessonVersion) -> list[str]:
    """A version as lines a trainer reads: the front matter, the text, the question."""
    lines = [
        f"{_('Title')}: {version.title}",
        f"{_('Summary')}: {version.summary}",
        "",
        *version.body_markdown.rstrip("\n").split("\n"),
    ]
    question = version.question or {}
    if question:
        correct = question.get("correct")
        lines += ["", f"{_('Question')}: {question.get('prompt', '')}"]
        for number, option in enumerate(question.get("options") or []):
            mark = " ✓" if number == correct else ""
            lines.append(f"{number + 1}. {option}{mark}")
        lines.append(f"{_('Explanation')}: {question.get('explanation', '')}")
    return lines


def version_diff(old: LessonVersion, new: LessonVersion) -> list[DiffLine]:
    """Line by line from ``old`` to ``new``; the template escapes the text and marks it ins/del."""
    before, after = version_text(old), version_text(new)
    result = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=before, b=after, autojunk=False).get_opcodes():
        if tag == "equal":
            result += [DiffLine("same", line) for line in before[i1:i2]]
            continue
        result += [DiffLine("removed", line) for line in before[i1:i2]]
        result += [DiffLine("added", line) for line in after[j1:j2]]
    return result


@transaction.atomic
def version_restore(*, version: LessonVersion, by: User) -> LessonVersion:
    """A new version that says what ``version`` said; the history keeps everything in between."""
    return lesson_version_create(
        lesson=version.lesson,
        title=version.title,
        summary=version.summary,
        body_markdown=version.body_markdown,
        question=version.question or None,
        by=by,
    )
