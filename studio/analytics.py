"""Selectors for the trainer's course analytics, across every organisation taking the course.

Everything here reads stored aggregates: LessonStats (sent, delivered, opened,
read, completed, correct), AnswerCount (per option), WeeklyLessonCompletion,
and the lesson threads' posts. Never delivery history: the page costs the same
few queries for one organisation or fifty, ten lessons or a hundred.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Sum

from courses.models import Course, Offering
from discussions.models import Post
from lessons.models import AnswerCount, Lesson, LessonStats, Module, WeeklyLessonCompletion
from organisations.models import Organisation

# How many lessons each "to rewrite" list names.
WORST = 5
STEPS = ("sent", "delivered", "opened", "read", "completed")


def _rate(part: int, whole: int) -> int | None:
    """A whole percentage, or None when there is nothing to divide by."""
    return round(100 * part / whole) if whole else None


@dataclass(frozen=True)
class Option:
    number: int  # 1-based, as the learner saw it
    text: str
    chosen: int
    share: int | None
    right: bool


@dataclass
class LessonFigures:
    lesson: Lesson
    sent: int = 0
    delivered: int = 0
    opened: int = 0
    read: int = 0
    completed: int = 0
    correct: int = 0
    posts: int = 0
    options: list[Option] = field(default_factory=list)
    rewrite_completion: bool = False
    rewrite_wrong: bool = False

    @property
    def title(self) -> str:
        version = self.lesson.current_version
        return version.title if version else self.lesson.slug

    @property
    def answered(self) -> int:
        return sum(option.chosen for option in self.options)

    @property
    def wrong(self) -> int:
        return max(self.answered - self.correct, 0)

    @property
    def open_rate(self) -> int | None:
        """Human opens (a machine open, Apple's privacy proxy, is not counted) of the mails delivered."""
        return _rate(self.opened, self.delivered)

    @property
    def completion_rate(self) -> int | None:
        return _rate(self.completed, self.sent)

    @property
    def wrong_rate(self) -> int | None:
        return _rate(self.wrong, self.answered)


@dataclass(frozen=True)
class Step:
    key: str
    count: int
    share: int | None  # of sent


@dataclass(frozen=True)
class Week:
    monday: dt.date
    completed: int


@dataclass
class Section:
    """A module, or the whole course: its funnel and its completions week by week."""

    funnel: list[Step]
    weeks: list[Week]
    module: Module | None = None
    lessons: list[LessonFigures] = field(default_factory=list)

    @property
    def weeks_completed(self) -> int:
        return sum(week.completed for week in self.weeks)


@dataclass
class CourseAnalytics:
    course: Course
    offerings: list[Offering]
    organisation: Organisation | None
    course_section: Section
    modules: list[Section]
    lowest_completion: list[LessonFigures]
    most_wrong: list[LessonFigures]

    @property
    def lessons(self) -> list[LessonFigures]:
        return [figures for module in self.modules for figures in module.lessons]


def course_offerings(*, course: Course) -> list[Offering]:
    """The organisations taking the course (one offering each), by name."""
    return list(Offering.objects.filter(course=course).select_related("organisation").order_by("organisation__name"))


def _funnel(lessons: list[LessonFigures]) -> list[Step]:
    totals = {key: sum(getattr(figures, key) for figures in lessons) for key in STEPS}
    return [Step(key, totals[key], _rate(totals[key], totals["sent"])) for key in STEPS]


def _weeks(counts: dict[dt.date, int], start: dt.date | None, today: dt.date) -> list[Week]:
    """Every week from the one the course started in to this one (and any counted outside it)."""
    if start is None and not counts:
        return []
    first = min([start or today, *counts]) if counts else (start or today)
    monday = first - dt.timedelta(days=first.weekday())
    last = max([today, *counts])
    weeks = []
    while monday <= last:
        weeks.append(Week(monday, counts.get(monday, 0)))
        monday += dt.timedelta(weeks=1)
    return weeks


def _stats(course: Course, organisation: Organisation | None) -> dict:
    scope: dict[str, object] = {"lesson__course": course}
    if organisation is not None:
        scope["organisation"] = organisation
    rows = LessonStats.objects.filter(**scope).values("lesson_id").order_by("lesson_id")
    stats = {row["lesson_id"]: row for row in rows.annotate(**{n: Sum(n) for n in (*STEPS, "correct")})}
    answers: dict[int, dict[int, int]] = defaultdict(dict)
    chosen = AnswerCount.objects.filter(**scope).values_list("lesson_id", "option").order_by("lesson_id", "option")
    for lesson_id, option, n in chosen.annotate(n=Sum("chosen")):
        answers[lesson_id][option] = n
    weekly: dict[int, dict[dt.date, int]] = defaultdict(dict)
    weeks = WeeklyLessonCompletion.objects.filter(**scope).values_list("lesson__module_id", "week").order_by()
    for module_id, week, n in weeks.annotate(n=Sum("completed")):
        weekly[module_id][week] = n
    posts = Post.objects.filter(thread__lesson__course=course, hidden_at__isnull=True, deleted_at__isnull=True)
    if organisation is not None:
        posts = posts.filter(author_organisation=organisation)
    per_lesson = dict(posts.values_list("thread__lesson_id").annotate(n=Count("pk")).order_by())
    return {"stats": stats, "answers": answers, "weekly": weekly, "posts": per_lesson}


def _lesson_figures(lesson: Lesson, found: dict) -> LessonFigures:
    row = found["stats"].get(lesson.pk, {})
    figures = LessonFigures(lesson, posts=found["posts"].get(lesson.pk, 0))
    for name in (*STEPS, "correct"):
        setattr(figures, name, row.get(name) or 0)
    version, chosen = lesson.current_version, found["answers"].get(lesson.pk, {})
    texts = version.options if version else []
    right = version.question.get("correct") if version else None
    total = sum(chosen.values())
    # Options of the current version, and any chosen in an older version that had more.
    for index in range(max([len(texts), *(n + 1 for n in chosen)])):
        text = texts[index] if index < len(texts) else ""
        n = chosen.get(index, 0)
        figures.options.append(Option(index + 1, text, n, _rate(n, total), index == right))
    return figures


def _flag(lessons: list[LessonFigures]) -> tuple[list[LessonFigures], list[LessonFigures]]:
    """The five lowest completions, of lessons completed less often than the course as a whole, and
    the five most wrong answers (a lesson nobody answered wrongly is never flagged)."""
    sent, completed = sum(f.sent for f in lessons), sum(f.completed for f in lessons)
    below = [f for f in lessons if f.sent and f.completed * sent < completed * f.sent]
    lowest = sorted(below, key=lambda f: (f.completed / f.sent, f.lesson.position))[:WORST]
    wrong = sorted((f for f in lessons if f.wrong), key=lambda f: (-f.wrong, f.lesson.position))[:WORST]
    for figures in lowest:
        figures.rewrite_completion = True
    for figures in wrong:
        figures.rewrite_wrong = True
    return lowest, wrong


def course_analytics(
    *, course: Course, organisation_id: int | None, today: dt.date, offerings: list[Offering] | None = None
) -> CourseAnalytics:
    """The figures of one course, for every organisation taking it or (``organisation_id``) one of them.

    An organisation that does not take the course is ignored (the page shows every organisation).
    """
    offerings = course_offerings(course=course) if offerings is None else offerings
    chosen = [o for o in offerings if o.organisation_id == organisation_id]
    organisation = chosen[0].organisation if chosen else None
    start = min((o.start_date for o in (chosen or offerings)), default=None)
    found = _stats(course, organisation)
    lessons = Lesson.objects.filter(course=course).select_related("module", "current_version")
    modules: dict[int, Section] = {}
    for lesson in lessons.order_by("module__position", "order", "pk"):
        if lesson.module_id not in modules:
            weeks = _weeks(found["weekly"].get(lesson.module_id, {}), start, today)
            modules[lesson.module_id] = Section(funnel=[], weeks=weeks, module=lesson.module)
        modules[lesson.module_id].lessons.append(_lesson_figures(lesson, found))
    course_weeks: dict[dt.date, int] = defaultdict(int)
    for per_week in found["weekly"].values():
        for monday, n in per_week.items():
            course_weeks[monday] += n
    for section in modules.values():
        section.funnel = _funnel(section.lessons)
    everything = [f for section in modules.values() for f in section.lessons]
    lowest, wrong = _flag(everything)
    return CourseAnalytics(
        course=course,
        offerings=offerings,
        organisation=organisation,
        course_section=Section(funnel=_funnel(everything), weeks=_weeks(dict(course_weeks), start, today)),
        modules=list(modules.values()),
        lowest_completion=lowest,
        most_wrong=wrong,
    )
