"""Markdown to safe HTML. Runs once per lesson version, never per recipient."""

import markdown
import nh3

_EXTENSIONS = ["tables", "fenced_code", "attr_list", "smarty", "sane_lists"]
_EXTENSION_CONFIGS = {"tables": {"use_align_attribute": True}}

_TAGS = {
    "p", "br", "hr", "h2", "h3", "h4", "strong", "em", "b", "i", "code", "pre", "blockquote",
    "ul", "ol", "li", "a", "table", "thead", "tbody", "tr", "th", "td", "span", "abbr",
}  # fmt: skip
_ATTRIBUTES = {
    "a": {"href", "title"},
    "th": {"align"},
    "td": {"align"},
    "abbr": {"title"},
    "*": {"class", "id"},
}


def render_markdown(text: str) -> str:
    """Render trainer Markdown and keep only tags that are safe in a mail and a page."""
    return sanitise(markdown_html(text))


def markdown_html(text: str) -> str:
    """The Markdown rendered as it is, before sanitising (lessons/validation.py compares the two)."""
    return markdown.markdown(text, extensions=_EXTENSIONS, extension_configs=_EXTENSION_CONFIGS, output_format="html")


def sanitise(html: str) -> str:
    return nh3.clean(
        html,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )
