"""Markdown to readable plain text, for the text part of a mail. Runs once per lesson version.

The Markdown is rendered to HTML first (the same renderer as the HTML part), and that
tree is written out as text a person reads without knowing Markdown: headings
underlined, no emphasis markers, lists with "- ", links as "text (url)", images as
their alt text, and each table row as one list item ("- Column: value; …").
"""

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from lessons.rendering import markdown_html

_BLOCKS = {
    "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "blockquote", "pre", "table",
    "thead", "tbody", "tfoot", "tr", "th", "td", "hr", "dl", "dt", "dd",
}  # fmt: skip
_VOID = {"br", "hr", "img", "input", "meta", "link", "col", "area", "base", "source", "wbr"}
_SKIPPED = {"script", "style", "template", "head", "title"}
_LINK_SCHEMES = ("http://", "https://", "mailto:")
_SPACE = re.compile(r"[ \t\r\n\f\v]+")


@dataclass
class _Node:
    tag: str
    attrs: dict[str, str]
    children: list["_Node | str"] = field(default_factory=list)


class _TreeBuilder(HTMLParser):
    """A forgiving tree of the HTML: unclosed tags end with their parent."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = _Node("root", {})
        self._stack = [self.root]
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED:
            self._skipping += 1
            return
        if self._skipping:
            return
        node = _Node(tag, {name: value or "" for name, value in attrs})
        self._stack[-1].children.append(node)
        if tag not in _VOID:
            self._stack.append(node)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED:
            self._skipping = max(0, self._skipping - 1)
            return
        if self._skipping:
            return
        for depth in range(len(self._stack) - 1, 0, -1):
            if self._stack[depth].tag == tag:
                del self._stack[depth:]
                return

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self._stack[-1].children.append(data)


def _inline(node: _Node) -> str:
    """The running text of ``node``: whitespace collapsed, line breaks kept."""
    parts: list[str] = []
    for child in node.children:
        if isinstance(child, str):
            parts.append(_SPACE.sub(" ", child))
        elif child.tag == "br":
            parts.append("\n")
        elif child.tag == "img":
            parts.append(child.attrs.get("alt", ""))
        elif child.tag == "a":
            text = _inline(child).strip()
            href = child.attrs.get("href", "").strip()
            shown = href.removeprefix("mailto:")
            if href.startswith(_LINK_SCHEMES) and shown != text:
                parts.append(f"{text} ({href})" if text else href)
            else:
                parts.append(text)
        else:
            parts.append(_inline(child))
    lines = ("".join(parts)).split("\n")
    return "\n".join(_SPACE.sub(" ", line).strip() for line in lines).strip()


def _has_blocks(node: _Node) -> bool:
    return any(isinstance(child, _Node) and child.tag in _BLOCKS for child in node.children)


def _indent(text: str, first: str, rest: str) -> str:
    lines = text.split("\n")
    return "\n".join([first + lines[0], *((rest + line) if line else "" for line in lines[1:])])


def _heading(node: _Node) -> str:
    text = " ".join(_inline(node).split("\n"))
    underline = "=" if node.tag in {"h1", "h2"} else "-"
    return f"{text}\n{underline * max(3, len(text))}"


def _list(node: _Node) -> str:
    items = [child for child in node.children if isinstance(child, _Node) and child.tag == "li"]
    start = int(node.attrs.get("start") or 1) if node.attrs.get("start", "1").isdigit() else 1
    written = []
    for number, item in enumerate(items, start=start):
        marker = f"{number}. " if node.tag == "ol" else "- "
        body = _flow(item) if _has_blocks(item) else _inline(item)
        written.append(_indent(body.replace("\n\n", "\n"), marker, " " * len(marker)))
    return "\n".join(written)


def _rows(node: _Node) -> list[_Node]:
    rows: list[_Node] = []
    for child in node.children:
        if isinstance(child, _Node):
            if child.tag == "tr":
                rows.append(child)
            elif child.tag in {"thead", "tbody", "tfoot"}:
                rows.extend(_rows(child))
    return rows


def _cells(row: _Node) -> list[tuple[str, str]]:
    return [
        (child.tag, " ".join(_inline(child).split("\n")))
        for child in row.children
        if isinstance(child, _Node) and child.tag in {"th", "td"}
    ]


def _table(node: _Node) -> str:
    """Each row a list item; with a header row, every value is named by its column."""
    rows = [_cells(row) for row in _rows(node)]
    headers: list[str] = []
    if rows and rows[0] and all(tag == "th" for tag, _ in rows[0]):
        headers = [text for _, text in rows[0]]
        rows = rows[1:]
    written = []
    for row in rows:
        values = []
        for column, (_, text) in enumerate(row):
            name = headers[column] if column < len(headers) else ""
            values.append(f"{name}: {text}" if name and text else text)
        written.append("- " + "; ".join(value for value in values if value))
    return "\n".join(written)


def _block(node: _Node) -> str:
    if node.tag in {"h1", "h2", "h3", "h4", "h5", "h6"}:
        return _heading(node)
    if node.tag in {"ul", "ol"}:
        return _list(node)
    if node.tag == "table":
        return _table(node)
    if node.tag == "hr":
        return "* * *"
    if node.tag == "pre":
        text = "".join(_raw(node)).strip("\n")
        return "\n".join("    " + line for line in text.split("\n"))
    if node.tag == "blockquote":
        return "\n".join(f"> {line}" if line else ">" for line in _flow(node).split("\n"))
    if _has_blocks(node):
        return _flow(node)
    return _inline(node)


def _raw(node: _Node) -> list[str]:
    return [child if isinstance(child, str) else "".join(_raw(child)) for child in node.children]


def _flow(node: _Node) -> str:
    """Blocks separated by a blank line; loose inline content between blocks becomes a paragraph."""
    blocks: list[str] = []
    loose = _Node("p", {})
    for child in node.children:
        if isinstance(child, _Node) and child.tag in _BLOCKS:
            if text := _inline(loose):
                blocks.append(text)
            loose = _Node("p", {})
            if text := _block(child):
                blocks.append(text)
        else:
            loose.children.append(child)
    if text := _inline(loose):
        blocks.append(text)
    return "\n\n".join(blocks)


def html_text(html: str) -> str:
    """Readable text of an HTML fragment."""
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    return _flow(builder.root)


def markdown_text(text: str) -> str:
    """Readable text of trainer Markdown, ending with one newline (empty for an empty body)."""
    written = html_text(markdown_html(text))
    return written + "\n" if written else ""
