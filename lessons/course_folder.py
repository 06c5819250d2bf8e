"""Read a course folder into plain data: lessons as code.

Two layouts (docs/authoring.md):

    course.yaml + NNN-slug.md                  flat: every lesson in one module
    course.yaml + NN-slug/module.yaml          modules as numbered subfolders,
                + NN-slug/NNN-slug.md          each with its lessons

Mixing the two is an error. Nothing here touches the database: the whole folder is
read and checked (lessons/validation.py) first, so a bad folder is reported whole,
every problem with its file and line, and nothing is written.
"""

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from courses.slots import parse_weekdays
from lessons.folder_yaml import YamlMap, read_yaml_map
from lessons.validation import SLUG as _SLUG
from lessons.validation import (
    CheckedLesson,
    CheckedModule,
    LessonDraft,
    Level,
    Problem,
    QuestionDraft,
    Where,
    course_problems,
    lesson_problems,
)

SLUG = _SLUG.pattern
LESSON_FILE = re.compile(rf"^(?P<number>\d{{1,4}})-(?P<slug>{SLUG})\.md$")
MODULE_FOLDER = re.compile(rf"^(?P<number>\d{{1,3}})-(?P<slug>{SLUG})$")
_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(?P<meta>.*?\n)?---[ \t]*(\n(?P<body>.*))?\Z", re.DOTALL)
_LESSON_KEYS = {"title", "summary", "question", "unpublished"}
_QUESTION_KEYS = {"prompt", "options", "correct", "explanation"}
_COURSE_KEYS = {"title", "slug", "language", "description", "weekdays", "send_time", "group"}
_GROUP_KEYS = {"name", "intro", "external_url"}
_MODULE_KEYS = {"title", "intro"}


class CourseFolderError(ValueError):
    """The folder has errors; ``problems`` has each with its file and line, ``errors`` as text."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        self.errors = [str(problem) for problem in problems]
        super().__init__("\n".join(self.errors))


@dataclass(frozen=True)
class LessonSource:
    slug: str
    title: str
    summary: str
    body: str
    question: dict[str, Any]  # as stored: "correct" 0-based; {} without a question
    filename: str  # relative to the course folder
    number: int = 0
    unpublished: bool = False


@dataclass(frozen=True)
class ModuleSource:
    slug: str
    title: str
    intro: str
    number: int
    folder: str  # "" for a flat folder's one module
    lessons: list[LessonSource] = field(default_factory=list)


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
    modules: list[ModuleSource] = field(default_factory=list)
    flat: bool = False
    warnings: list[Problem] = field(default_factory=list)

    @property
    def lessons(self) -> list[LessonSource]:
        """Every lesson in course order: module by module."""
        return [lesson for module in self.modules for lesson in module.lessons]


def read_course_folder(directory: Path) -> CourseSource:
    """The folder as data, with its warnings; CourseFolderError when it has any error."""
    source, problems = check_course_folder(directory)
    errors = [problem for problem in problems if problem.is_error]
    if errors or source is None:
        raise CourseFolderError(errors)
    return source


def check_course_folder(directory: Path) -> tuple[CourseSource | None, list[Problem]]:
    """Every problem of the folder, errors first; the source too when there is no error."""
    if not directory.is_dir():
        return None, [Problem(Level.ERROR, _("not a folder"), str(directory))]
    problems: list[Problem] = []
    course = _course_fields(read_yaml_map(directory / "course.yaml", "course.yaml", problems, _COURSE_KEYS), problems)
    lesson_files, module_folders = _entries(directory, "", problems)
    if lesson_files and module_folders:
        message = _("Lessons at the top and module folders cannot be mixed: put every lesson in a module folder.")
        problems.append(Problem(Level.ERROR, message, lesson_files[0][2].name, 1))
    if not lesson_files and not module_folders:
        problems.append(Problem(Level.ERROR, _("No lessons (NNN-slug.md files or NN-slug module folders) found.")))
    checked: list[CheckedLesson] = []
    if module_folders:
        modules = [_read_module(path, number, slug, problems, checked) for number, slug, path in module_folders]
    else:
        slug, title = (course["slug"], course["title"]) if course else ("", "")
        modules = [_module(ModuleSource(slug, title, "", 1, ""), lesson_files, "", problems, checked, flat=True)]
    _unique_slugs(modules, problems)
    problems += course_problems(checked, [_checked_module(module) for module in modules if module.folder])
    problems.sort(key=lambda problem: not problem.is_error)
    if course is None or any(problem.is_error for problem in problems):
        return None, problems
    source = CourseSource(
        **course, modules=modules, flat=not module_folders, warnings=[p for p in problems if not p.is_error]
    )
    return source, problems


def _entries(directory: Path, folder: str, problems: list[Problem]) -> tuple[list, list]:
    """(number, slug, path) of the lesson files and of the module folders here, in order."""
    lessons, modules = [], []
    for path in sorted(directory.iterdir(), key=lambda p: p.name):
        name = f"{folder}/{path.name}" if folder else path.name
        if path.name.startswith("."):
            continue
        if path.is_dir():
            match = MODULE_FOLDER.match(path.name)
            if folder or not match:
                message = (
                    _("A module folder holds lessons, not folders.")
                    if folder
                    else _("Module folders are named NN-slug (digits, then lowercase letters, digits and hyphens).")
                )
                problems.append(Problem(Level.ERROR, message, name))
                continue
            modules.append((int(match["number"]), match["slug"], path))
        elif path.suffix == ".md":
            match = LESSON_FILE.match(path.name)
            if not match:
                message = _("Lesson files are named NNN-slug.md (digits, then lowercase letters, digits and hyphens).")
                problems.append(Problem(Level.ERROR, message, name))
                continue
            lessons.append((int(match["number"]), match["slug"], path))
    for items in (lessons, modules):
        items.sort(key=lambda item: (item[0], item[2].name))
        _unique_numbers(items, folder, problems)
    return lessons, modules


def _unique_numbers(items: list, folder: str, problems: list[Problem]) -> None:
    seen: dict[int, str] = {}
    for number, _slug, path in items:
        if number in seen:
            name = f"{folder}/{path.name}" if folder else path.name
            message = _("Number %(number)d is also used by %(other)s.") % {"number": number, "other": seen[number]}
            problems.append(Problem(Level.ERROR, message, name))
        seen.setdefault(number, path.name)


def _unique_slugs(modules: list[ModuleSource], problems: list[Problem]) -> None:
    """A lesson's slug is its identity across the whole course; so is a module's."""
    lessons: dict[str, str] = {}
    for module in modules:
        for lesson in module.lessons:
            if lesson.slug in lessons:
                message = _("The slug “%(slug)s” is also used by %(other)s: a lesson's slug is its identity.")
                values = {"slug": lesson.slug, "other": lessons[lesson.slug]}
                problems.append(Problem(Level.ERROR, message % values, lesson.filename))
            lessons.setdefault(lesson.slug, lesson.filename)
    seen: dict[str, str] = {}
    for module in modules:
        if module.slug in seen and module.folder:
            message = _("The module slug “%(slug)s” is also used by %(other)s.")
            values = {"slug": module.slug, "other": seen[module.slug]}
            problems.append(Problem(Level.ERROR, message % values, module.folder))
        seen.setdefault(module.slug, module.folder)


def _read_module(
    path: Path, number: int, slug: str, problems: list[Problem], checked: list[CheckedLesson]
) -> ModuleSource:
    folder = path.name
    meta = read_yaml_map(path / "module.yaml", f"{folder}/module.yaml", problems, _MODULE_KEYS)
    title = intro = ""
    if meta is not None:
        title = meta.text("title", problems)
        intro = meta.text("intro", problems)
        if not title:
            problems.append(meta.problem(Level.ERROR, _("The module has no title."), "title"))
    lesson_files, folders = _entries(path, folder, problems)
    if not lesson_files and not folders:
        problems.append(Problem(Level.WARNING, _("The module has no lessons."), folder))
    return _module(ModuleSource(slug, title, intro, number, folder), lesson_files, folder, problems, checked)


def _module(
    module: ModuleSource,
    files: list,
    folder: str,
    problems: list[Problem],
    checked: list[CheckedLesson],
    *,
    flat: bool = False,
) -> ModuleSource:
    for number, slug, path in files:
        name = f"{folder}/{path.name}" if folder else path.name
        lesson = _read_lesson(path, name, number, slug, problems, checked, flat)
        if lesson is not None:
            module.lessons.append(lesson)
    return module


def _checked_module(module: ModuleSource) -> CheckedModule:
    return CheckedModule(module.title, module.intro, f"{module.folder}/module.yaml")


def _course_fields(meta: YamlMap | None, problems: list[Problem]) -> dict | None:
    if meta is None:
        return None
    found = len(problems)
    title, slug = meta.text("title", problems), meta.text("slug", problems)
    for key, value in (("title", title), ("slug", slug)):
        if not value:
            problems.append(meta.problem(Level.ERROR, _("'%(key)s' is required.") % {"key": key}, key))
    try:
        weekdays = parse_weekdays(meta.data.get("weekdays") or ["mon", "wed", "fri"])
    except (ValueError, TypeError) as exc:
        problems.append(meta.problem(Level.ERROR, _("weekdays: %(error)s") % {"error": exc}, "weekdays"))
        weekdays = []
    try:
        send_time = dt.time.fromisoformat(str(meta.data.get("send_time", "08:30")))
    except ValueError:
        problems.append(meta.problem(Level.ERROR, _("send_time must look like 08:30."), "send_time"))
        send_time = dt.time(8, 30)
    group = meta.mapping("group", problems, _GROUP_KEYS)
    if len([p for p in problems[found:] if p.is_error]):
        return None
    return {
        "slug": slug,
        "title": title,
        "language": str(meta.data.get("language", "nl")),
        "description": meta.text("description", problems),
        "weekdays": weekdays,
        "send_time": send_time,
        "group_name": group.text("name", problems),
        "group_intro": group.text("intro", problems),
        "external_group_url": group.text("external_url", problems),
    }


def _read_lesson(
    path: Path,
    name: str,
    number: int,
    slug: str,
    problems: list[Problem],
    checked: list[CheckedLesson],
    flat: bool,
) -> LessonSource | None:
    found = len(problems)
    parts = _front_matter(path, name, problems)
    if parts is None:
        return None
    meta, body, body_line = parts
    question, question_lines, option_lines = _question(meta, problems)
    unpublished = meta.data.get("unpublished", False)
    if not isinstance(unpublished, bool):
        problems.append(meta.problem(Level.ERROR, _("unpublished is true or false."), "unpublished"))
    draft = LessonDraft(meta.text("title", problems), meta.text("summary", problems), body, question)
    where = Where(name, {**meta.lines, **question_lines}, body_line or meta.end_line, option_lines)
    problems += lesson_problems(draft, where)
    checked.append(CheckedLesson(draft, where, in_module=not flat))
    if any(problem.is_error for problem in problems[found:]):
        return None
    return LessonSource(
        slug=slug,
        title=draft.title,
        summary=draft.summary,
        body=draft.body_markdown + "\n",
        question=question.stored() if question else {},
        filename=name,
        number=number,
        unpublished=unpublished is True,
    )


def _front_matter(path: Path, name: str, problems: list[Problem]) -> tuple[YamlMap, str, int | None] | None:
    """The front matter, the body (stripped) and the line the body starts on; None after an error."""
    try:
        text = path.read_text(encoding="utf-8").replace("\r\n", "\n").removeprefix("\ufeff")
    except UnicodeDecodeError:
        problems.append(Problem(Level.ERROR, _("The file is not UTF-8 text."), name))
        return None
    match = _FRONT_MATTER.match(text)
    if not match:
        message = _("A lesson starts with YAML front matter between two '---' lines.")
        problems.append(Problem(Level.ERROR, message, name, 1))
        return None
    meta = YamlMap.parse(match["meta"] or "", name, 2, problems, _LESSON_KEYS)
    if meta is None:
        return None
    body = match["body"] or ""
    lead = body[: len(body) - len(body.lstrip())]
    body_line = text[: match.start("body")].count("\n") + 1 + lead.count("\n") if body.strip() else None
    return meta, body.strip(), body_line


def _question(meta: YamlMap, problems: list[Problem]) -> tuple[QuestionDraft | None, dict[str, int], list[int]]:
    """The check question as a draft (``correct`` counts from 1 in files, from 0 in drafts), the
    lines of its keys ("question.correct": 9) and of its options."""
    if meta.data.get("question") is None:
        return None, {}, []
    raw = meta.mapping("question", problems, _QUESTION_KEYS, prefix="question.")
    options = raw.data.get("options")
    if options is None:
        options = []
    if not isinstance(options, list) or any(isinstance(option, dict | list) for option in options):
        problems.append(meta.problem(Level.ERROR, _("question.options must be a list of answers."), "question"))
        options = []
    correct = raw.data.get("correct")
    if correct is not None and (not isinstance(correct, int) or isinstance(correct, bool)):
        correct = 0  # not a number: out of range, so the rule names the numbers it may be
    draft = QuestionDraft(
        prompt=raw.text("prompt", problems),
        options=["" if option is None else str(option).strip() for option in options],
        correct=None if correct is None else correct - 1,
        explanation=raw.text("explanation", problems),
    )
    return draft, {f"question.{key}": line for key, line in raw.lines.items()}, raw.item_lines("options")
