"""The lesson rules the editor and the folder share: each at its threshold, in plain words."""

import dataclasses
from typing import Any

import pytest

from lessons.validation import (
    GUESSABLE_MIN_EXTRA_CHARS,
    MAX_SUMMARY_CHARS,
    MAX_WORDS,
    MIN_WORDS,
    CheckedLesson,
    CheckedModule,
    LessonDraft,
    QuestionDraft,
    Where,
    course_problems,
    lesson_problems,
    words,
)

pytestmark = pytest.mark.usefixtures("english")

BODY = " ".join(["woord"] * 200)


GOOD = LessonDraft(
    title="Een les",
    summary="Kort.",
    body_markdown=BODY,
    question=QuestionDraft("Wat?", ["Eerste optie", "Tweede optie", "Derde optie"], 1, "Daarom."),
)


def draft(**changes: Any) -> LessonDraft:
    return dataclasses.replace(GOOD, **changes)


def messages(lesson: LessonDraft) -> list[str]:
    return [f"{p.level}: {p.message}" for p in lesson_problems(lesson)]


def test_a_good_lesson_has_no_problems():
    assert messages(draft()) == []


def test_words_are_tokens_with_a_letter_or_digit():
    assert words("Een - zin — met 3 woorden, **vet** en | tabel | ! ?") == 8


@pytest.mark.parametrize(
    ("count", "warned"), [(MIN_WORDS - 1, True), (MIN_WORDS, False), (MAX_WORDS, False), (MAX_WORDS + 1, True)]
)
def test_the_body_should_have_150_to_400_words(count: int, warned: bool):
    found = messages(draft(body_markdown=" ".join(["woord"] * count) + " - * |"))
    assert found == ([f"warning: The text has {count} words; a lesson has 150 to 400."] if warned else [])


@pytest.mark.parametrize(("length", "warned"), [(MAX_SUMMARY_CHARS, False), (MAX_SUMMARY_CHARS + 1, True)])
def test_the_summary_should_fit_the_inbox_preview(length: int, warned: bool):
    found = messages(draft(summary="x" * length))
    assert found == ([f"warning: The summary has {length} characters; the inbox shows about 110."] if warned else [])


def test_errors_an_empty_title_an_empty_body_and_broken_questions():
    assert messages(draft(title="  ", body_markdown="")) == [
        "error: The lesson has no title.",
        "error: The lesson has no text.",
    ]
    assert messages(draft(question=QuestionDraft("", ["Ja"], None))) == [
        "error: The question has no prompt.",
        "error: The question has 1 option; give 2 to 6.",
        "error: The question has no correct option: give the number of the right one.",
    ]
    assert messages(draft(question=QuestionDraft("Wat?", ["Ja", "Nee"], 2))) == [
        "error: The correct option must be the number of one of the options (1 to 2)."
    ]
    assert messages(draft(question=QuestionDraft("Wat?", [str(n) for n in range(7)], 0))) == [
        "error: The question has 7 options; give 2 to 6."
    ]


def _question(right: str, longest_other: str) -> QuestionDraft:
    return QuestionDraft("Wat?", [longest_other, right, "kort"], 1)


def test_a_right_answer_much_longer_than_every_distractor_is_guessable():
    # More than 1.5 times the longest distractor and at least 10 characters longer: both are needed.
    assert messages(draft(question=_question("x" * 31, "y" * 20))) == [
        "warning: The right answer (31 characters) is much longer than every other option (at most 20): learners "
        "can guess it. Make the other options as specific as the right one."
    ]
    assert messages(draft(question=_question("x" * 30, "y" * 20))) == []  # exactly 1.5 times
    short = GUESSABLE_MIN_EXTRA_CHARS - 1
    assert messages(draft(question=_question("x" * (4 + short), "y" * 4))) == []  # 3.25 times, but 9 longer


def test_markdown_that_sanitising_strips_is_named_at_its_line():
    body = "Tekst\n\n<div>blok</div>\n\n![foto](https://example.org/a.png)\n\n[klik](javascript:alert(1))\n\n<script>x</script>\n"
    where = Where("01-a/001-b.md", body_line=10)
    found = [str(p) for p in lesson_problems(draft(body_markdown=body + BODY), where)]
    removed = ": it will not appear in the mail or on the page."
    assert found == [
        f"01-a/001-b.md:12: warning: Sanitising removes the HTML tag <div>{removed}",
        f"01-a/001-b.md:14: warning: Sanitising removes an image{removed}",
        f"01-a/001-b.md:18: warning: Sanitising removes a script{removed}",
        f"01-a/001-b.md:16: warning: Sanitising removes the attribute href on <a>{removed}",
    ]


def test_markdown_the_sanitiser_keeps_raises_nothing():
    body = (
        BODY + "\n\n## Kop\n\n**vet**, *schuin*, [link](https://example.org), `<div>` als code\n\n> citaat\n\n- een\n"
    )
    assert messages(draft(body_markdown=body)) == []


def test_a_table_wider_than_two_columns_does_not_fit_a_phone():
    two = "| a | b |\n|---|---|\n| 1 | 2 |\n"
    three = "a | b | c\n:-- | --- | --:\n1 | 2 | 3\n"
    fenced = "```\n| a | b | c |\n|---|---|---|\n```\n"
    where = Where("x.md", body_line=5)
    found = [str(p) for p in lesson_problems(draft(body_markdown=f"{BODY}\n\n{two}\n{fenced}\n{three}"), where)]
    assert found == ["x.md:16: warning: This table has 3 columns; more than 2 do not fit a phone. Prefer a list."]


def test_course_rules_duplicate_titles_lessons_outside_a_module_and_modules_without_intro():
    lessons = [
        CheckedLesson(draft(title="Zelfde"), Where("001-a.md"), in_module=False),
        CheckedLesson(draft(title="zelfde "), Where("002-b.md", lines={"title": 2})),
    ]
    found = [str(p) for p in course_problems(lessons, [CheckedModule("Leeg", " ", "01-a/module.yaml")])]
    assert found == [
        "001-a.md:1: warning: This lesson is outside a module: put the course's lessons in module folders (NN-slug/).",
        "002-b.md:2: warning: Another lesson has the same title (001-a.md).",
        "01-a/module.yaml: warning: The module “Leeg” has no intro.",
    ]


def test_the_right_answer_may_be_the_longest_option_in_at_most_a_third_of_the_questions():
    longest = QuestionDraft("Wat?", ["kort", "het langste antwoord"], 1)
    not_longest = QuestionDraft("Wat?", ["het langste antwoord", "kort"], 1)

    def found(*questions: QuestionDraft) -> list[str]:
        return [
            str(p)
            for p in course_problems([CheckedLesson(draft(title=str(i), question=q)) for i, q in enumerate(questions)])
        ]

    assert found(longest, not_longest, not_longest) == []  # one in three
    assert found(longest, longest, not_longest, not_longest, not_longest) == [
        "warning: The right answer is the longest option in 2 of 5 questions (at most a third): "
        "learners learn to pick the longest."
    ]
