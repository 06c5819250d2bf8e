"""Fast checks of every mail kind's document head (the slow suite runs axe-core and the Nu checker
over the same mails): a language, a <title> that says what the mail is, no <meta> without content."""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.standards.mails import MAILS
from tests.standards.world import World, build_world

pytestmark = pytest.mark.django_db


class _Head(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.lang = ""
        self.title = ""
        self.metas: list[dict[str, str | None]] = []
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "html":
            self.lang = dict(attrs).get("lang") or ""
        elif tag == "meta":
            self.metas.append(dict(attrs))
        self._in_title = tag == "title"

    def handle_endtag(self, tag: str) -> None:
        self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data


@pytest.fixture
def world(tmp_path: Path) -> World:
    return build_world(outbox=tmp_path / "outbox")


def test_every_mail_has_a_language_a_telling_title_and_no_empty_meta(world: World, tmp_path: Path) -> None:
    for kind, render in MAILS.items():
        html = render(world, tmp_path)
        head = _Head()
        head.feed(html)
        assert re.fullmatch(r"[a-z]{2}(-[A-Za-z]{2})?", head.lang), f"{kind}: lang={head.lang!r}"
        title = " ".join(head.title.split())
        assert title, f"{kind}: no <title>"
        assert title != "Druppel", f"{kind}: the <title> says nothing about the mail"
        for meta in head.metas:
            assert "charset" in meta or meta.get("content"), f"{kind}: <meta {meta}> has no content"
