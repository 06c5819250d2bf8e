"""``{{ post.body_html|plain_text }}``: rendered Markdown as readable text, for a mail's text part."""

from django import template

from lessons.plaintext import html_text

register = template.Library()


@register.filter
def plain_text(html: str) -> str:
    return html_text(str(html or ""))
