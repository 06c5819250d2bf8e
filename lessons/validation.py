"""The rules a lesson is checked against, shared by the web editor and the course folder.

An *error* stops a save or an import (nothing is written); a *warning* is advice that
the editor shows, ``check_course`` prints and ``import_course`` reports. Every problem is
in plain words and, for a folder, carries its file and line. Nothing here touches the
database: the callers pass what they check. The thresholds are the constants below;
docs/authoring.md lists every rule.
"""

import enum
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from lessons.rendering import markdown_html, sanitise

MIN_WORDS = 150  # a lesson body shorter than this is thin
MAX_WORDS = 400  # longer than this is more than three minutes on a phone
MAX_SUMMARY_CHARS = 110  # the inbox preview line shows about this much
MIN_OPTIONS = 2
MAX_OPTIONS = 6
# A right answer more than this many times as long as the longest distractor, and at least
# GUESSABLE_MIN_EXTRA_CHARS longer, gives itself away.
GUESSABLE_RATIO = 1.5
GUESSABLE_MIN_EXTRA_CHARS = 10
# Over a course, the right answer may be the longest option in at most this share of the questions.
LONGEST_RIGHT_MAX_SHARE = 1 / 3
MAX_TABLE_COLUMNS = 2  # wider tables do not fit a phone
SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")  # a lesson's or module's identity


class Level(enum.StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    """One finding. ``field`` names the editor's form field it concerns (title, summary, body,
    question, question.options, question.correct, module); ``file`` and ``line`` place it in a folder."""

    level: Level
    message: str
    file: str = ""
    line: int | None = None
    field: str = ""

    @property
    def is_error(self) -> bool:
        return self.level is Level.ERROR

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.file and self.line else self.file
        return f"{where}: {self.level}: {self.message}" if where else f"{self.level}: {self.message}"


@dataclass(frozen=True)
class Where:
    """Where a lesson's parts are in its file (1-based lines); empty for the editor."""

    file: str = ""
    lines: Mapping[str, int] = field(default_factory=dict)  # field -> line
    body_line: int | None = None  # the line of the body's first line
    option_lines: Sequence[int] = ()

    def problem(self, level: Level, message: str, field: str, line: int | None = None) -> Problem:
        if line is None:
            line = self.lines.get(field) or self.lines.get(field.split(".")[0])
            if line is None and field == "body":
                line = self.body_line
        return Problem(level, message, self.file, line, field)

    def body(self, level: Level, message: str, offset: int | None = None) -> Problem:
        """A problem at line ``offset`` (0-based) of the body."""
        line = self.body_line + offset if self.body_line is not None and offset is not None else self.body_line
        return Problem(level, message, self.file, line, "body")


@dataclass(frozen=True)
class QuestionDraft:
    prompt: str
    options: list[str]
    correct: int | None  # 0-based; None when it is missing or not a number
    explanation: str = ""

    def stored(self) -> dict[str, Any]:
        """As ``LessonVersion.question`` stores it (``correct`` 0-based), stripped."""
        return {
            "prompt": self.prompt.strip(),
            "options": [option.strip() for option in self.options],
            "correct": self.correct,
            "explanation": self.explanation.strip(),
        }


@dataclass(frozen=True)
class LessonDraft:
    """A lesson as the editor or a file gives it, before it is saved."""

    title: str
    summary: str
    body_markdown: str
    question: QuestionDraft | None = None


def question_of(stored: Mapping[str, Any] | None) -> QuestionDraft | None:
    """A stored ``LessonVersion.question`` (0-based ``correct``), or the editor's, as a draft."""
    if not stored:
        return None
    correct = stored.get("correct")
    options = stored.get("options") or []
    return QuestionDraft(
        prompt=str(stored.get("prompt") or ""),
        options=[str(option) for option in options] if isinstance(options, list | tuple) else [],
        correct=correct if isinstance(correct, int) and not isinstance(correct, bool) else None,
        explanation=str(stored.get("explanation") or ""),
    )


def slug_problems(slug: str, what: str = "slug") -> list[Problem]:
    if SLUG.fullmatch(slug):
        return []
    message = _("A slug is lowercase letters, digits and hyphens, such as reageren-op-reacties.")
    return [Problem(Level.ERROR, message, field=what)]


def words(text: str) -> int:
    """Whitespace-separated tokens that contain a letter or a digit."""
    return sum(1 for token in text.split() if any(char.isalnum() for char in token))


def lesson_problems(draft: LessonDraft, where: Where | None = None) -> list[Problem]:
    """Everything wrong with one lesson, errors first."""
    where = where or Where()
    problems = []
    if not draft.title.strip():
        problems.append(where.problem(Level.ERROR, _("The lesson has no title."), "title"))
    if not draft.body_markdown.strip():
        problems.append(where.problem(Level.ERROR, _("The lesson has no text."), "body"))
    if draft.question is not None:
        problems += question_problems(draft.question, where)
    problems += _text_warnings(draft, where)
    return sorted(problems, key=lambda problem: not problem.is_error)


def question_problems(question: QuestionDraft, where: Where | None = None) -> list[Problem]:
    where = where or Where()
    problems = []
    if not question.prompt.strip():
        problems.append(where.problem(Level.ERROR, _("The question has no prompt."), "question.prompt"))
    count = len(question.options)
    if not MIN_OPTIONS <= count <= MAX_OPTIONS:
        message = ngettext(
            "The question has %(count)d option; give %(min)d to %(max)d.",
            "The question has %(count)d options; give %(min)d to %(max)d.",
            count,
        )
        values = {"count": count, "min": MIN_OPTIONS, "max": MAX_OPTIONS}
        problems.append(where.problem(Level.ERROR, message % values, "question.options"))
    for index, option in enumerate(question.options):
        if not option.strip():
            line = where.option_lines[index] if index < len(where.option_lines) else None
            message = _("Option %(number)d is empty.") % {"number": index + 1}
            problems.append(where.problem(Level.ERROR, message, "question.options", line))
    if question.correct is None:
        message = _("The question has no correct option: give the number of the right one.")
        problems.append(where.problem(Level.ERROR, message, "question.correct", where.lines.get("question")))
    elif count and not 0 <= question.correct < count:
        message = _("The correct option must be the number of one of the options (1 to %(count)d).")
        problems.append(where.problem(Level.ERROR, message % {"count": count}, "question.correct"))
    elif count >= MIN_OPTIONS and guessable(question):
        problems.append(_guessable_warning(question, where))
    return problems


def guessable(question: QuestionDraft) -> bool:
    """The right answer is much longer than every distractor."""
    assert question.correct is not None
    right, longest = _lengths(question)
    return right > GUESSABLE_RATIO * longest and right - longest >= GUESSABLE_MIN_EXTRA_CHARS


def right_is_longest(question: QuestionDraft) -> bool:
    right, longest = _lengths(question)
    return right > longest


def _lengths(question: QuestionDraft) -> tuple[int, int]:
    """The right answer's length and the longest distractor's."""
    assert question.correct is not None
    lengths = [len(option.strip()) for option in question.options]
    others = lengths[: question.correct] + lengths[question.correct + 1 :]
    return lengths[question.correct], max(others, default=0)


def _guessable_warning(question: QuestionDraft, where: Where) -> Problem:
    right, longest = _lengths(question)
    message = _(
        "The right answer (%(right)d characters) is much longer than every other option (at most "
        "%(longest)d): learners can guess it. Make the other options as specific as the right one."
    )
    assert question.correct is not None
    lines = where.option_lines
    line = lines[question.correct] if question.correct < len(lines) else None
    return where.problem(Level.WARNING, message % {"right": right, "longest": longest}, "question.options", line)


def _text_warnings(draft: LessonDraft, where: Where) -> list[Problem]:
    problems = []
    count = words(draft.body_markdown)
    if draft.body_markdown.strip() and not MIN_WORDS <= count <= MAX_WORDS:
        message = ngettext(
            "The text has %(count)d word; a lesson has %(min)d to %(max)d.",
            "The text has %(count)d words; a lesson has %(min)d to %(max)d.",
            count,
        )
        problems.append(where.body(Level.WARNING, message % {"count": count, "min": MIN_WORDS, "max": MAX_WORDS}))
    length = len(draft.summary.strip())
    if length > MAX_SUMMARY_CHARS:
        message = _("The summary has %(count)d characters; the inbox shows about %(max)d.")
        problems.append(where.problem(Level.WARNING, message % {"count": length, "max": MAX_SUMMARY_CHARS}, "summary"))
    problems += _stripped(draft.body_markdown, where)
    for offset, columns in wide_tables(draft.body_markdown):
        message = _("This table has %(count)d columns; more than %(max)d do not fit a phone. Prefer a list.")
        problems.append(where.body(Level.WARNING, message % {"count": columns, "max": MAX_TABLE_COLUMNS}, offset))
    return problems


# What sanitising removes, in words, and what to look for in the source to find its line.
_NAMED = {
    "img": (gettext_noop("an image"), ("![", "<img")),
    "script": (gettext_noop("a script"), ("<script",)),
    "style": (gettext_noop("a style block"), ("<style",)),
    "iframe": (gettext_noop("an embedded frame"), ("<iframe",)),
}

# A link loses its target when its scheme is not http(s) or mailto.
_ATTRIBUTE_NEEDLES = {"href": ("javascript:", "vbscript:", "data:", "file:", "href=")}


def _stripped(body: str, where: Where) -> list[Problem]:
    """Markdown that sanitising would strip: the rendered HTML before and after nh3, compared."""
    before, after = _Markup.of(markdown_html(body)), _Markup.of(sanitise(markdown_html(body)))
    lines = body.strip("\n").split("\n")
    problems = []
    for tag in sorted(before.tags - after.tags):
        if tag in _NAMED:
            what, needles = _(_NAMED[tag][0]), _NAMED[tag][1]
        else:
            what, needles = _("the HTML tag <%(tag)s>") % {"tag": tag}, (f"<{tag}",)
        problems.append(_removed(where, lines, what, needles))
    gone = set(before.tags - after.tags)
    for tag, attribute in sorted(before.attributes - after.attributes):
        if tag in gone:
            continue  # said already: the whole tag goes
        what = _("the attribute %(attribute)s on <%(tag)s>") % {"attribute": attribute, "tag": tag}
        problems.append(_removed(where, lines, what, _ATTRIBUTE_NEEDLES.get(attribute, (f"{attribute}=",))))
    if before.comments > after.comments:
        problems.append(_removed(where, lines, _("an HTML comment"), ("<!--",)))
    return problems


def _removed(where: Where, lines: list[str], what: str, needles: Sequence[str]) -> Problem:
    offset = next(
        (i for i, line in enumerate(lines) if any(needle.lower() in line.lower() for needle in needles)), None
    )
    message = _("Sanitising removes %(what)s: it will not appear in the mail or on the page.") % {"what": what}
    return where.body(Level.WARNING, message, offset)


class _Markup(HTMLParser):
    """The tags, attributes (name only; ``rel`` is nh3's own) and comments of an HTML fragment."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: Counter[str] = Counter()
        self.attributes: Counter[tuple[str, str]] = Counter()
        self.comments = 0

    @classmethod
    def of(cls, html: str) -> "_Markup":
        parser = cls()
        parser.feed(html)
        parser.close()
        return parser

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags[tag] += 1
        self.attributes.update((tag, name) for name, _value in attrs if name != "rel")

    def handle_comment(self, data: str) -> None:
        self.comments += 1


_DELIMITER_ROW = re.compile(r"^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)+\|?\s*$")
_FENCE = re.compile(r"^\s*(```|~~~)")


def wide_tables(body: str) -> list[tuple[int, int]]:
    """(line offset of the header row, columns) of every Markdown table wider than MAX_TABLE_COLUMNS."""
    found, fenced = [], False
    lines = body.strip("\n").split("\n")
    for index, line in enumerate(lines):
        if _FENCE.match(line):
            fenced = not fenced
        if fenced or index == 0 or not _DELIMITER_ROW.match(line):
            continue
        columns = len(line.strip().strip("|").split("|"))
        if columns > MAX_TABLE_COLUMNS:
            found.append((index - 1, columns))
    return found


@dataclass(frozen=True)
class CheckedLesson:
    """A lesson as the course-wide rules see it."""

    draft: LessonDraft
    where: Where = field(default_factory=Where)
    in_module: bool = True


@dataclass(frozen=True)
class CheckedModule:
    title: str
    intro: str
    file: str = ""
    line: int | None = None


def course_problems(lessons: Sequence[CheckedLesson], modules: Sequence[CheckedModule] = ()) -> list[Problem]:
    """The rules over a whole course: duplicate titles, the longest option, lessons outside a
    module, modules without an intro."""
    problems = []
    titles: dict[str, list[CheckedLesson]] = {}
    for lesson in lessons:
        titles.setdefault(lesson.draft.title.strip().casefold(), []).append(lesson)
        if not lesson.in_module:
            message = _("This lesson is outside a module: put the course's lessons in module folders (NN-slug/).")
            problems.append(lesson.where.problem(Level.WARNING, message, "module", line=1))
    for same in titles.values():
        for lesson in same[1:] if same[0].draft.title.strip() else []:
            first = same[0].where.file or same[0].draft.title
            message = _("Another lesson has the same title (%(other)s).") % {"other": first}
            problems.append(lesson.where.problem(Level.WARNING, message, "title"))
    for module in modules:
        if not module.intro.strip():
            message = _("The module “%(title)s” has no intro.") % {"title": module.title}
            problems.append(Problem(Level.WARNING, message, module.file, module.line, "intro"))
    problems += _longest_right(lessons)
    return problems


def _longest_right(lessons: Sequence[CheckedLesson]) -> list[Problem]:
    questions = [
        lesson.draft.question
        for lesson in lessons
        if lesson.draft.question is not None
        and lesson.draft.question.correct is not None
        and 0 <= lesson.draft.question.correct < len(lesson.draft.question.options)
        and len(lesson.draft.question.options) >= MIN_OPTIONS
    ]
    longest = sum(1 for question in questions if question is not None and right_is_longest(question))
    if not questions or longest <= LONGEST_RIGHT_MAX_SHARE * len(questions):
        return []
    message = _(
        "The right answer is the longest option in %(longest)d of %(count)d questions (at most a third): "
        "learners learn to pick the longest."
    )
    return [Problem(Level.WARNING, message % {"longest": longest, "count": len(questions)})]
