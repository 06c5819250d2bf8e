"""The text part of a mail reads as text: no Markdown left over (lessons/plaintext.py)."""

import importlib
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps as django_apps
from django.conf import settings
from django.core.management import call_command

from drip.mail import lesson_mail_template
from lessons.models import LessonVersion
from lessons.plaintext import html_text, markdown_text

SAMPLE = Path(settings.BASE_DIR) / "content" / "iedereen-mee-met-sociale-media"
MARKDOWN = ("**", "##", "|---", "](")

BODY = """Een **vette** en een *schuine* zin, met [de gids](https://example.org/gids) en `code`.

## Wat telt

![Een grafiek van de groei](https://example.org/groei.png)

- eerste
- tweede met __nadruk__

1. een
2. twee

| Kanaal | Bereik |
|---|---|
| Facebook | groot |
| TikTok | jong |

> Een citaat.
"""


def test_markdown_becomes_readable_text():
    text = markdown_text(BODY)
    assert "Een vette en een schuine zin, met de gids (https://example.org/gids) en code." in text
    assert "Wat telt\n========" in text
    assert "Een grafiek van de groei" in text
    assert "- eerste\n- tweede met nadruk" in text
    assert "1. een\n2. twee" in text
    assert "- Kanaal: Facebook; Bereik: groot\n- Kanaal: TikTok; Bereik: jong" in text
    assert "> Een citaat." in text
    for marker in (*MARKDOWN, "__", "`", "!["):
        assert marker not in text


def test_a_link_whose_text_is_its_address_is_written_once_and_scripts_are_dropped():
    assert html_text('<p><a href="https://x.test/">https://x.test/</a></p>') == "https://x.test/"
    assert html_text("<p>a<script>alert(1)</script> b</p>") == "a b"
    assert markdown_text("") == ""


@pytest.mark.django_db
def test_no_lesson_mail_of_the_sample_course_has_markdown_in_its_text_part():
    call_command("import_course", str(SAMPLE), stdout=StringIO(), stderr=StringIO())
    versions = list(LessonVersion.objects.select_related("lesson__course"))
    assert len(versions) >= 150
    for version in versions:
        mail = lesson_mail_template(version=version, position=1, total=len(versions), language="nl")
        assert version.body_text.strip() in mail.text
        found = [marker for marker in MARKDOWN if marker in mail.text]
        assert found == [], f"{version.lesson.slug}: {found}"


@pytest.mark.django_db
def test_the_migration_fills_in_the_text_of_versions_saved_before_it():
    call_command("import_course", str(SAMPLE), stdout=StringIO(), stderr=StringIO())
    LessonVersion.objects.update(body_text="")
    migration = importlib.import_module("lessons.migrations.0012_lessonversion_body_text")
    migration.fill(django_apps, None)
    version = LessonVersion.objects.exclude(body_markdown="").first()
    assert version is not None
    assert version.body_text == markdown_text(version.body_markdown)
    assert not LessonVersion.objects.filter(body_text="").exists()
