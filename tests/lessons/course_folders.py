"""Course folders for tests, written as a trainer would: modules as numbered subfolders."""

from pathlib import Path

COURSE_YAML = """\
title: "Een cursus in modules"
slug: "modulecursus"
language: "nl"
description: "Een korte cursus om mee te testen."
weekdays: [mon, wed, fri]
send_time: "08:30"
group:
  name: "De koffiehoek"
"""

# 180 words: within the 150 to 400 a lesson should have.
BODY = (
    " ".join(f"woord{n}" for n in range(170))
    + "\n\n## Probeer het zelf\n\nSchrijf drie zinnen over je dag op het werk.\n"
)


def lesson_text(
    title: str,
    *,
    body: str = BODY,
    summary: str = "Een zin voor de inbox.",
    options: tuple[str, ...] = ("Eerste antwoord", "Tweede antwoord", "Derde antwoord"),
    correct: int = 2,
    unpublished: bool = False,
) -> str:
    lines = ["---", f'title: "{title}"', f'summary: "{summary}"']
    if unpublished:
        lines.append("unpublished: true")
    if options:
        lines += ["question:", '  prompt: "Wat doe je?"', "  options:"]
        lines += [f'    - "{option}"' for option in options]
        lines += [f"  correct: {correct}", '  explanation: "Omdat het zo is."']
    return "\n".join([*lines, "---", body])


def write_course(root: Path, modules: list[tuple[str, list[str]]], *, numbers: str = "global") -> Path:
    """``modules``: ("NN-slug", ["NNN-slug", …]) in order; each lesson titled after its slug."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "course.yaml").write_text(COURSE_YAML, encoding="utf-8")
    for folder, lessons in modules:
        (root / folder).mkdir()
        title = folder.split("-", 1)[1].replace("-", " ").capitalize()
        (root / folder / "module.yaml").write_text(
            f'title: "{title}"\nintro: "Wat je in {title} leert."\n', encoding="utf-8"
        )
        for name in lessons:
            slug = name.split("-", 1)[1]
            (root / folder / f"{name}.md").write_text(lesson_text(f"Les {slug}"), encoding="utf-8")
    return root


def three_modules(root: Path) -> Path:
    """Three modules of three lessons, numbered through the course (001–009)."""
    return write_course(
        root,
        [
            ("01-begin", ["001-welkom", "002-waarom", "003-zenden"]),
            ("02-kanalen", ["004-facebook", "005-instagram", "006-linkedin"]),
            ("03-reageren", ["007-basis", "008-klachten", "009-trollen"]),
        ],
    )
