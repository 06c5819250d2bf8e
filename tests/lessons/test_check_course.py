"""`manage.py check_course DIR`: every error and warning with its file and line; non-zero on errors."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from tests.lessons.course_folders import BODY, lesson_text, three_modules


def check(folder: Path, *args: str) -> str:
    out = StringIO()
    call_command("check_course", str(folder), *args, stdout=out)
    return out.getvalue()


def test_a_clean_folder_passes_with_a_summary(tmp_path: Path):
    folder = three_modules(tmp_path / "c")
    assert check(folder).strip() == f"{folder}: 9 lessons in 3 modules; 0 error(s), 0 warning(s)"


def test_every_warning_is_printed_with_file_and_line_and_strict_fails_on_them(tmp_path: Path):
    folder = three_modules(tmp_path / "c")
    options = ("Ja", "Nee", "Ja, want dat staat in de les")
    long = lesson_text("Lang", body=BODY * 3, summary="x" * 111, options=options, correct=3)
    (folder / "02-kanalen" / "004-facebook.md").write_text(long, encoding="utf-8")
    out = check(folder)
    assert "02-kanalen/004-facebook.md:13: warning: The text has 546 words; a lesson has 150 to 400." in out
    assert "02-kanalen/004-facebook.md:3: warning: The summary has 111 characters" in out
    assert "02-kanalen/004-facebook.md:9: warning: The right answer (28 characters) is much longer" in out
    assert out.strip().endswith("0 error(s), 3 warning(s)")
    with pytest.raises(CommandError, match="0 error\\(s\\), 3 warning\\(s\\)"):
        check(folder, "--strict")


def test_errors_fail_the_check_and_are_printed_first(tmp_path: Path):
    folder = three_modules(tmp_path / "c")
    (folder / "03-reageren" / "008-klachten.md").write_text(lesson_text("", body="kort"), encoding="utf-8")
    out = StringIO()
    with pytest.raises(CommandError, match="1 error\\(s\\), 1 warning\\(s\\)"):
        call_command("check_course", str(folder), stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0] == "03-reageren/008-klachten.md:2: error: The lesson has no title."
    assert lines[1] == "03-reageren/008-klachten.md:13: warning: The text has 1 word; a lesson has 150 to 400."
