"""Single mails from a template triplet: ``<prefix>/subject.txt``, ``body.txt`` and ``body.html``."""

from dataclasses import dataclass
from typing import Any

import css_inline
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import translation


@dataclass(frozen=True)
class RenderedMail:
    subject: str
    text: str
    html: str  # CSS inlined; empty when the triplet has no body.html

    def to(self, address: str) -> EmailMultiAlternatives:
        message = EmailMultiAlternatives(self.subject, self.text, settings.DEFAULT_FROM_EMAIL, [address])
        if self.html:
            message.attach_alternative(self.html, "text/html")
        return message


def render_mail(prefix: str, context: dict[str, Any], *, language: str | None = None) -> RenderedMail:
    """Render once (in ``language``, default the site's), then address it to as many people as needed."""
    with translation.override(language or settings.LANGUAGE_CODE):
        subject = " ".join(render_to_string(f"{prefix}/subject.txt", context).split())
        text = render_to_string(f"{prefix}/body.txt", context)
        try:
            html = css_inline.inline(render_to_string(f"{prefix}/body.html", context))
        except TemplateDoesNotExist:
            html = ""
    return RenderedMail(subject=subject, text=text, html=html)
