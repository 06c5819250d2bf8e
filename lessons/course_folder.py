"""Read a course folder (course.yaml + NNN-slug.md lessons) into plain data.

Nothing here touches the database: parse and validate everything first, so a
bad folder is reported whole and writes nothing.
"""

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from courses.slots import parse_weekdays

_LESSON_FILE = re.compile(r"^(?P<number>\d{1,4})-(?P<slug>[a-z0-9]+(?:-[a-z0-9]+)*)\.md$")
_FRONT_MATTER = re.compile(r"\A---\s*\n(?P<meta>.*?)\n---\s*\n(?P<body>.*)\Z", re.DOTALL)


class CourseFolderError(ValueError):
    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass(frozen=True)
class LessonSource:
    position: int
    slug: str
    title: str
    summary: str
    body: str
    question: dict[str, Any]
    filename: str


@dataclass(frozen=True)
class CourseSource:
    slug: str
    title: str
    language: str
    description: str
    weekdays: list[int]
    send_time: dt.time
    group_name: str
    group_intro: str
    external_group_url: str
    lessons: list[LessonSource] = field(default_factory=list)


def read_course_folder(directory: Path) -> CourseSource:
    errors: list[str] = []
    if not directory.is_dir():
        raise CourseFolderError([f"{directory}: not a folder"])
    meta = _read_yaml(directory / "course.yaml", errors)
    course = _course_fields(meta, errors) if meta is not None else None
    lessons = []
    files = sorted((p for p in directory.glob("*.md")), key=lambda p: p.name)
    numbered = []
    for path in files:
        match = _LESSON_FILE.match(path.name)
        if not match:
            errors.append(f"{path.name}: lesson files are named NNN-slug.md (lowercase, digits and hyphens)")
            continue
        numbered.append((int(match["number"]), match["slug"], path))
    numbered.sort()
    seen_numbers: dict[int, str] = {}
    for position, (number, slug, path) in enumerate(numbered, start=1):
        if number in seen_numbers:
            errors.append(f"{path.name}: number {number} is also used by {seen_numbers[number]}")
        seen_numbers[number] = path.name
        lesson = _read_lesson(path, position, slug, errors)
        if lesson is not None:
            lessons.append(lesson)
    if not numbered and not errors:
        errors.append(f"{directory}: no lessons (NNN-slug.md files) found")
    if errors or course is None:
        raise CourseFolderError(errors)
    return CourseSource(**course, lessons=lessons)


def _read_yaml(path: Path, errors: list[str]) -> dict | None:
    if not path.exists():
        errors.append(f"{path.name}: missing")
        return None
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        errors.append(f"{path.name}: not valid YAML ({exc})")
        return None
    if not isinstance(data, dict):
        errors.append(f"{path.name}: expected a mapping of settings")
        return None
    return data


def _course_fields(meta: dict, errors: list[str]) -> dict | None:
    found = len(errors)
    for key in ("title", "slug"):
        if not isinstance(meta.get(key), str) or not meta[key].strip():
            errors.append(f"course.yaml: '{key}' is required")
    try:
        weekdays = parse_weekdays(meta.get("weekdays") or ["mon", "wed", "fri"])
    except (ValueError, TypeError) as exc:
        errors.append(f"course.yaml: weekdays: {exc}")
        weekdays = []
    try:
        send_time = dt.time.fromisoformat(str(meta.get("send_time", "08:30")))
    except ValueError:
        errors.append("course.yaml: send_time must look like 08:30")
        send_time = dt.time(8, 30)
    group = meta.get("group") or {}
    if not isinstance(group, dict):
        errors.append("course.yaml: 'group' must be a mapping")
        group = {}
    if len(errors) > found:
        return None
    return {
        "slug": meta["slug"].strip(),
        "title": meta["title"].strip(),
        "language": str(meta.get("language", "nl")),
        "description": str(meta.get("description") or "").strip(),
        "weekdays": weekdays,
        "send_time": send_time,
        "group_name": str(group.get("name") or "").strip(),
        "group_intro": str(group.get("intro") or "").strip(),
        "external_group_url": str(group.get("external_url") or "").strip(),
    }


def _read_lesson(path: Path, position: int, slug: str, errors: list[str]) -> LessonSource | None:
    name = path.name
    try:
        text = path.read_text(encoding="utf-8").replace("\r\n", "\n")
    except UnicodeDecodeError:
        errors.append(f"{name}: not UTF-8 text")
        return None
    match = _FRONT_MATTER.match(text)
    if not match:
        errors.append(f"{name}: must start with YAML front matter between '---' lines")
        return None
    try:
        meta = yaml.safe_load(match["meta"]) or {}
    except yaml.YAMLError as exc:
        errors.append(f"{name}: front matter is not valid YAML ({exc})")
        return None
    if not isinstance(meta, dict):
        errors.append(f"{name}: front matter must be a mapping")
        return None
    title = str(meta.get("title") or "").strip()
    body = match["body"].strip()
    if not title:
        errors.append(f"{name}: 'title' is required")
    if not body:
        errors.append(f"{name}: the lesson has no text")
    question = _question(meta.get("question"), name, errors)
    if not title or not body or question is None:
        return None
    return LessonSource(
        position=position,
        slug=slug,
        title=title,
        summary=str(meta.get("summary") or "").strip(),
        body=body + "\n",
        question=question,
        filename=name,
    )


def _question(raw: Any, name: str, errors: list[str]) -> dict[str, Any] | None:
    """Validate the check question; store 'correct' 0-based (files use 1-based)."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        errors.append(f"{name}: 'question' must be a mapping")
        return None
    prompt = str(raw.get("prompt") or "").strip()
    options = raw.get("options")
    correct = raw.get("correct")
    if not prompt:
        errors.append(f"{name}: question.prompt is required")
    if not isinstance(options, list) or not 2 <= len(options) <= 6:
        errors.append(f"{name}: question.options must list 2 to 6 answers")
        return None
    if not isinstance(correct, int) or isinstance(correct, bool) or not 1 <= correct <= len(options):
        errors.append(f"{name}: question.correct must be the number of the right option (1 to {len(options)})")
        return None
    if not prompt:
        return None
    return {
        "prompt": prompt,
        "options": [str(option).strip() for option in options],
        "correct": correct - 1,
        "explanation": str(raw.get("explanation") or "").strip(),
    }
