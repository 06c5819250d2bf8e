"""The folder format with modules as numbered subfolders: read, ordered, and every problem placed."""

from pathlib import Path

import pytest

from lessons.course_folder import CourseFolderError, check_course_folder, read_course_folder
from tests.lessons.course_folders import lesson_text, three_modules, write_course

pytestmark = pytest.mark.usefixtures("english")


def errors_of(folder: Path) -> list[str]:
    with pytest.raises(CourseFolderError) as caught:
        read_course_folder(folder)
    return caught.value.errors


def test_modules_are_ordered_by_their_number_and_lessons_by_theirs_within_the_module(tmp_path: Path):
    folder = write_course(
        tmp_path / "c",
        [("10-later", ["001-een", "020-twee"]), ("02-eerst", ["900-drie", "005-vier"])],
    )
    source = read_course_folder(folder)
    assert [m.slug for m in source.modules] == ["eerst", "later"]
    assert [x.slug for x in source.lessons] == ["vier", "drie", "een", "twee"]
    assert source.modules[0].title == "Eerst"
    assert source.modules[0].intro == "Wat je in Eerst leert."
    assert source.lessons[0].filename == "02-eerst/005-vier.md"
    assert not source.flat
    assert source.warnings == []


def test_lesson_numbers_may_start_again_in_every_module(tmp_path: Path):
    folder = write_course(tmp_path / "c", [("01-a", ["1-een", "2-twee"]), ("02-b", ["1-drie", "2-vier"])])
    assert [x.slug for x in read_course_folder(folder).lessons] == ["een", "twee", "drie", "vier"]


def test_a_flat_folder_is_one_module_named_after_the_course_and_every_lesson_warns(tmp_path: Path):
    folder = tmp_path / "c"
    write_course(folder, [])
    (folder / "001-een.md").write_text(lesson_text("Een"), encoding="utf-8")
    (folder / "002-twee.md").write_text(lesson_text("Twee"), encoding="utf-8")
    source = read_course_folder(folder)
    assert source.flat
    (module,) = source.modules
    assert (module.slug, module.title, module.number) == ("modulecursus", "Een cursus in modules", 1)
    outside = "warning: This lesson is outside a module: put the course's lessons in module folders (NN-slug/)."
    assert [str(w) for w in source.warnings] == [f"001-een.md:1: {outside}", f"002-twee.md:1: {outside}"]


def test_lessons_at_the_top_and_module_folders_cannot_be_mixed(tmp_path: Path):
    folder = three_modules(tmp_path / "c")
    (folder / "010-los.md").write_text(lesson_text("Los"), encoding="utf-8")
    assert errors_of(folder) == [
        "010-los.md:1: error: Lessons at the top and module folders cannot be mixed: "
        "put every lesson in a module folder."
    ]


def test_a_slug_used_in_two_modules_is_an_error(tmp_path: Path):
    folder = write_course(tmp_path / "c", [("01-a", ["001-zelfde"]), ("02-b", ["002-zelfde"])])
    assert errors_of(folder) == [
        "02-b/002-zelfde.md: error: The slug “zelfde” is also used by 01-a/001-zelfde.md: "
        "a lesson's slug is its identity."
    ]


def test_two_lessons_with_one_number_in_a_module_and_two_modules_with_one_number_are_errors(tmp_path: Path):
    folder = write_course(tmp_path / "c", [("01-a", ["001-een", "001-twee"]), ("01-b", ["002-drie"])])
    assert errors_of(folder) == [
        "01-b: error: Number 1 is also used by 01-a.",
        "01-a/001-twee.md: error: Number 1 is also used by 001-een.md.",
    ]


def test_a_module_needs_a_module_yaml_with_a_title_and_warns_without_an_intro(tmp_path: Path):
    folder = three_modules(tmp_path / "c")
    (folder / "02-kanalen" / "module.yaml").write_text("intro: ''\n", encoding="utf-8")
    (folder / "03-reageren" / "module.yaml").unlink()
    _, problems = check_course_folder(folder)
    assert [str(p) for p in problems] == [
        "02-kanalen/module.yaml:1: error: The module has no title.",
        "03-reageren/module.yaml: error: The file is missing.",
        "02-kanalen/module.yaml: warning: The module “” has no intro.",
        "03-reageren/module.yaml: warning: The module “” has no intro.",
    ]


def test_misnamed_folders_and_files_and_folders_in_a_module_are_errors(tmp_path: Path):
    folder = three_modules(tmp_path / "c")
    (folder / "extra").mkdir()
    (folder / "01-begin" / "Notities.md").write_text("x", encoding="utf-8")
    (folder / "01-begin" / "02-dieper").mkdir()
    (folder / ".git").mkdir()
    (folder / "01-begin" / "notes.txt").write_text("ignored", encoding="utf-8")
    assert errors_of(folder) == [
        "extra: error: Module folders are named NN-slug (digits, then lowercase letters, digits and hyphens).",
        "01-begin/02-dieper: error: A module folder holds lessons, not folders.",
        "01-begin/Notities.md: error: Lesson files are named NNN-slug.md "
        "(digits, then lowercase letters, digits and hyphens).",
    ]


def test_malformed_front_matter_is_reported_at_its_line(tmp_path: Path):
    folder = three_modules(tmp_path / "c")
    path = folder / "02-kanalen" / "005-instagram.md"
    path.write_text('---\ntitle: "Instagram"\nsummary: [niet: af\n---\nTekst\n', encoding="utf-8")
    (errors,) = [errors_of(folder)]
    assert len(errors) == 1
    assert errors[0].startswith("02-kanalen/005-instagram.md:4: error: Not valid YAML")


def test_every_lesson_error_names_its_file_and_the_line_of_the_key(tmp_path: Path):
    folder = three_modules(tmp_path / "c")
    text = lesson_text("", options=("Ja", ""), correct=3)
    (folder / "01-begin" / "002-waarom.md").write_text(text, encoding="utf-8")
    assert errors_of(folder) == [
        "01-begin/002-waarom.md:2: error: The lesson has no title.",
        "01-begin/002-waarom.md:8: error: Option 2 is empty.",
        "01-begin/002-waarom.md:9: error: The correct option must be the number of one of the options (1 to 2).",
    ]


def test_a_question_without_a_correct_option_is_an_error(tmp_path: Path):
    folder = three_modules(tmp_path / "c")
    path = folder / "01-begin" / "001-welkom.md"
    path.write_text(path.read_text(encoding="utf-8").replace("  correct: 2\n", ""), encoding="utf-8")
    assert errors_of(folder) == [
        "01-begin/001-welkom.md:4: error: The question has no correct option: give the number of the right one."
    ]


def test_unpublished_is_read_and_must_be_true_or_false(tmp_path: Path):
    folder = three_modules(tmp_path / "c")
    (folder / "01-begin" / "003-zenden.md").write_text(lesson_text("Zenden", unpublished=True), encoding="utf-8")
    source = read_course_folder(folder)
    assert [x.slug for x in source.lessons if x.unpublished] == ["zenden"]
    path = folder / "01-begin" / "003-zenden.md"
    path.write_text(
        path.read_text(encoding="utf-8").replace("unpublished: true", "unpublished: soms"), encoding="utf-8"
    )
    assert errors_of(folder) == ["01-begin/003-zenden.md:4: error: unpublished is true or false."]


def test_an_unknown_key_is_a_warning_at_its_line(tmp_path: Path):
    folder = three_modules(tmp_path / "c")
    path = folder / "01-begin" / "001-welkom.md"
    path.write_text(path.read_text(encoding="utf-8").replace("summary:", "sumary:"), encoding="utf-8")
    source = read_course_folder(folder)
    assert "01-begin/001-welkom.md:3: warning: “sumary” is not a setting Druppel knows; it is ignored." in [
        str(w) for w in source.warnings
    ]
