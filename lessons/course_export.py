"""Write a course back out as a folder: lessons as code, the other way.

The folder is the one ``import_course`` reads (docs/authoring.md): ``course.yaml``, a
``NN-slug/`` folder per module with its ``module.yaml``, and in it the module's lessons
as ``NNN-slug.md``, numbered through the whole course in course order (unpublished
lessons included, marked ``unpublished: true``). Importing an export reports no changes.
"""

from pathlib import Path
from typing import Any

from courses.models import Course
from courses.slots import WEEKDAY_CODES
from lessons.course_folder import LESSON_FILE, MODULE_FOLDER
from lessons.models import Lesson, Module

# Characters a YAML double-quoted scalar must escape: the reader refuses non-printable ones,
# and line breaks (\n, \r, NEL, LS, PS) would be folded into spaces.
_PRINTABLE_RANGES = ((0x20, 0x7E), (0xA0, 0xD7FF), (0xE000, 0xFFFD), (0x10000, 0x10FFFF))
_BREAKS = {"\n": "\\n", "\r": "\\r", "\t": "\\t", "\x85": "\\N", "\u2028": "\\L", "\u2029": "\\P"}


class ExportError(ValueError):
    pass


def yaml_quote(text: str) -> str:
    """``text`` as a YAML double-quoted scalar that reads back exactly (what the writers use)."""
    out = []
    for char in text:
        code = ord(char)
        if char in _BREAKS:
            out.append(_BREAKS[char])
        elif char in '"\\':
            out.append("\\" + char)
        elif any(low <= code <= high for low, high in _PRINTABLE_RANGES) and char != "\ufeff":
            out.append(char)
        elif code <= 0xFF:
            out.append(f"\\x{code:02x}")
        elif code <= 0xFFFF:
            out.append(f"\\u{code:04x}")
        else:
            out.append(f"\\U{code:08x}")
    return '"' + "".join(out) + '"'


def course_export_files(course: Course) -> dict[str, str]:
    """Every file of the course folder: relative path -> text."""
    modules = list(Module.objects.filter(course=course).order_by("position"))
    lessons = list(
        Lesson.objects.filter(course=course, current_version__isnull=False)
        .select_related("current_version")
        .order_by("order", "pk")
    )
    by_module: dict[int, list[Lesson]] = {module.pk: [] for module in modules}
    for lesson in lessons:
        by_module[lesson.module_id].append(lesson)
    files = {"course.yaml": _course_yaml(course)}
    module_width, lesson_width = max(2, len(str(len(modules)))), max(3, len(str(len(lessons))))
    number = 0
    for module in modules:
        folder = f"{module.position:0{module_width}d}-{module.slug}"
        files[f"{folder}/module.yaml"] = _lines([("title", module.title), ("intro", module.intro)])
        for lesson in by_module[module.pk]:
            number += 1
            files[f"{folder}/{number:0{lesson_width}d}-{lesson.slug}.md"] = lesson_file(lesson)
    return files


def _lines(items: list[tuple[str, Any]], indent: str = "") -> str:
    text = []
    for key, value in items:
        if isinstance(value, bool):
            text.append(f"{indent}{key}: {'true' if value else 'false'}")
        elif isinstance(value, int):
            text.append(f"{indent}{key}: {value}")
        elif isinstance(value, list):
            text.append(f"{indent}{key}:")
            text += [f"{indent}  - {yaml_quote(item)}" for item in value]
        elif isinstance(value, dict):
            text.append(f"{indent}{key}:")
            text.append(_lines(list(value.items()), indent + "  ").rstrip("\n"))
        else:
            text.append(f"{indent}{key}: {yaml_quote(str(value))}")
    return "\n".join(text) + "\n"


def _course_yaml(course: Course) -> str:
    send_time = course.send_time.strftime("%H:%M") if not course.send_time.second else course.send_time.isoformat()
    group = {
        key: value
        for key, value in (
            ("name", course.group_name),
            ("intro", course.group_intro),
            ("external_url", course.external_group_url),
        )
        if value
    }
    items: list[tuple[str, Any]] = [
        ("title", course.title),
        ("slug", course.slug),
        ("language", course.language),
        ("description", course.description),
    ]
    text = _lines(items)
    text += f"weekdays: [{', '.join(WEEKDAY_CODES[day] for day in course.weekdays)}]\n"
    text += _lines([("send_time", send_time)])
    return text + (_lines([("group", group)]) if group else "")


def lesson_file(lesson: Lesson) -> str:
    """A lesson as its file: front matter (``correct`` counting from 1) and the Markdown body."""
    version = lesson.current_version
    assert version is not None
    items: list[tuple[str, Any]] = [("title", version.title), ("summary", version.summary)]
    if not lesson.published:
        items.append(("unpublished", True))
    if version.question:
        question = version.question
        items.append(
            (
                "question",
                {
                    "prompt": question["prompt"],
                    "options": list(question["options"]),
                    "correct": question["correct"] + 1,
                    "explanation": question.get("explanation", ""),
                },
            )
        )
    return f"---\n{_lines(items)}---\n{version.body_markdown}"


def course_export(*, course: Course, directory: Path, replace: bool = False) -> int:
    """Write the course folder into ``directory`` (created if needed) and return how many files.
    A folder that holds anything already is refused, unless ``replace``: then the course files
    in it (course.yaml, module folders, lesson files) are removed first."""
    if directory.exists() and any(directory.iterdir()):
        if not replace:
            raise ExportError(f"{directory} is not empty (use --replace to overwrite a course folder)")
        _clear(directory)
    files = course_export_files(course)
    for name, text in files.items():
        path = directory / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return len(files)


def _clear(directory: Path) -> None:
    """Remove what a course folder consists of, and nothing else."""
    (directory / "course.yaml").unlink(missing_ok=True)
    for path in directory.iterdir():
        if path.is_file() and LESSON_FILE.match(path.name):
            path.unlink()
        elif path.is_dir() and MODULE_FOLDER.match(path.name):
            for inner in path.iterdir():
                if inner.is_file() and (inner.name == "module.yaml" or LESSON_FILE.match(inner.name)):
                    inner.unlink()
            if not any(path.iterdir()):
                path.rmdir()
