"""One date format in the pages: the month written out ("1 december 2026"), never abbreviated."""

import re
from pathlib import Path

from django.conf import settings
from django.template import Context, Template
from django.utils import translation

TEMPLATES = Path(settings.BASE_DIR) / "templates"
# A |date format string; "M" and "b" are Django's abbreviated month ("Dec", "dec"), "n"/"m" a number.
_FILTER = re.compile(r'\|date:"([^"]*)"')


def test_no_template_abbreviates_or_numbers_the_month():
    found = [
        f"{path.relative_to(TEMPLATES)}: {spec}"
        for path in TEMPLATES.rglob("*.*")
        for spec in _FILTER.findall(path.read_text(encoding="utf-8"))
        if re.search(r"(?<!\\)[Mbnm]", spec)
    ]
    assert found == []


def test_a_date_reads_in_full_in_dutch():
    import datetime as dt

    with translation.override("nl"):
        html = Template('{{ day|date:"j F Y" }}').render(Context({"day": dt.date(2027, 3, 8)}))
    assert html == "8 maart 2027"
