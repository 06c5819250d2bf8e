"""Every progress bar has an accessible name (axe's aria-progressbar-name: a label or a title)."""

import re
from pathlib import Path

from django.conf import settings

TEMPLATES = Path(settings.BASE_DIR) / "templates"


def test_every_progress_element_is_labelled():
    unnamed = [
        f"{path.relative_to(TEMPLATES)}: {tag}"
        for path in TEMPLATES.rglob("*.html")
        for tag in re.findall(r"<progress\b[^>]*>", path.read_text(encoding="utf-8"))
        if not re.search(r"\b(aria-labelledby|aria-label|title)=", tag)
    ]
    assert unnamed == []
    assert any(TEMPLATES.rglob("*.html"))
