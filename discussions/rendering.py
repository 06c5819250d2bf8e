"""Post Markdown to safe HTML: stricter than lessons, because anyone in the group writes it.

No raw HTML (Markdown's HTML passthrough is switched off, so typed tags show as
text), no images at all (a remote image is a tracking pixel), only http(s) and
mailto links, every link marked as user content. nh3 cleans the result anyway:
the Markdown settings make the output pleasant, nh3 makes it safe.
"""

import markdown
import nh3

_TAGS = {"p", "br", "strong", "em", "code", "pre", "blockquote", "ul", "ol", "li", "a"}
_ATTRIBUTES = {"a": {"href"}}
LINK_REL = "nofollow ugc noopener"
# Python-Markdown's raw-HTML and image handlers, by their registry names.
_BLOCK_OFF = ["html_block"]
_INLINE_OFF = ["html", "image_link", "image_reference", "short_image_ref"]


def _markdown() -> markdown.Markdown:
    md = markdown.Markdown(extensions=["fenced_code", "sane_lists"], output_format="html")
    for name in _BLOCK_OFF:
        md.preprocessors.deregister(name)
    for name in _INLINE_OFF:
        md.inlinePatterns.deregister(name)
    return md


def render_post(text: str) -> str:
    """Render a post's Markdown to HTML that is inert whatever the author typed."""
    html = _markdown().convert(text)
    return nh3.clean(
        html,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel=LINK_REL,
        strip_comments=True,
    )
