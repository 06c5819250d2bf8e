"""The Dutch catalogue speaks the house's words: "cursus", "gesprek", "opgeschort", "afgerond"."""

import re

from django.utils import translation
from django.utils.translation import ngettext

from tests.test_translations import entries

BANNED = ("opleiding", "draad", "draden", "geschorst", "voltooid", "afgewerkt")


def test_the_dutch_catalogue_uses_none_of_the_banned_words():
    found = [
        (msgid, msgstr)
        for msgid, msgstr, _ in entries()
        if any(re.search(rf"\b{word}", msgstr, re.IGNORECASE) for word in BANNED)
    ]
    assert found == []


def test_behind_reads_as_a_state():
    with translation.override("nl"):
        assert translation.gettext("Behind") == "Loopt achter"
        assert translation.gettext("Closure period removed.") == "Sluitingsperiode verwijderd."


def test_moved_lessons_are_counted_in_the_singular_and_the_plural():
    singular, plural = (
        "Settings saved; %(count)s planned lesson moved.",
        "Settings saved; %(count)s planned lessons moved.",
    )
    with translation.override("nl"):
        assert ngettext(singular, plural, 1) % {"count": 1} == "Instellingen bewaard; 1 geplande les verschoven."
        assert ngettext(singular, plural, 3) % {"count": 3} == "Instellingen bewaard; 3 geplande lessen verschoven."


def test_a_lint_message_about_one_option_is_singular():
    from lessons.validation import QuestionDraft, question_problems

    with translation.override("nl"):
        problems = question_problems(QuestionDraft(prompt="Wat?", options=["Ja"], correct=0))
    assert any("De vraag heeft 1 antwoord;" in problem.message for problem in problems)
