from collections.abc import Iterator

import pytest
from django.utils import translation


@pytest.fixture
def english() -> Iterator[None]:
    """Problems and reports in English, as docs/authoring.md quotes them (the default language is Dutch)."""
    with translation.override("en"):
        yield
