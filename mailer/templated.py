"""Single mails from a template triplet: ``<prefix>/subject.txt``, ``body.txt`` and ``body.html``."""

from dataclasses import dataclass, field
from typing import Any

import css_inline
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import translation

from mailer.message import one_click_unsubscribe


@dataclass(frozen=True)
class RenderedMail:
    subject: str
    text: str
    html: str  # CSS inlined; empty when the triplet has no body.html
    # Sent with the mail (the outbox keeps them): a bulk mail's one-click unsubscribe.
    headers: dict[str, str] = field(default_factory=dict)

    def to(self, address: str) -> EmailMultiAlternatives:
        message = EmailMultiAlternatives(
            self.subject, self.text, settings.DEFAULT_FROM_EMAIL, [address], headers=self.headers or None
        )
        if self.html:
            message.attach_alternative(self.html, "text/html")
        return message


def render_mail(
    prefix: str, context: dict[str, Any], *, language: str | None = None, unsubscribe_url: str = ""
) -> RenderedMail:
    """Render once (in ``language``, default the site's), then address it to as many people as needed.
    A bulk mail passes its ``unsubscribe_url``: the mail then carries RFC 8058's one-click headers."""
    with translation.override(language or settings.LANGUAGE_CODE):
        subject = " ".join(render_to_string(f"{prefix}/subject.txt", context).split())
        text = render_to_string(f"{prefix}/body.txt", context)
        try:
            # The subject is also the HTML part's <title> (templates/emails/base.html).
            html = css_inline.inline(render_to_string(f"{prefix}/body.html", {**context, "subject": subject}))
        except TemplateDoesNotExist:
            html = ""
    headers = one_click_unsubscribe(unsubscribe_url) if unsubscribe_url else {}
    return RenderedMail(subject=subject, text=text, html=html, headers=headers)
