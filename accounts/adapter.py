"""allauth adapters: closed sign-up; people arrive by staff import or invite."""

from typing import Any

import css_inline
from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.http import HttpRequest


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False

    def render_mail(
        self, template_prefix: str, email: str, context: dict[str, Any], headers: dict[str, str] | None = None
    ) -> EmailMessage:
        """allauth's mails (the sign-in code) on our mail layout, its CSS inlined as in our own mails."""
        message = super().render_mail(template_prefix, email, context, headers=headers)
        if isinstance(message, EmailMultiAlternatives):
            alternatives, message.alternatives = list(message.alternatives), []
            for content, mimetype in alternatives:
                html = mimetype == "text/html"
                message.attach_alternative(css_inline.inline(str(content)) if html else content, mimetype)
        return message


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest, sociallogin: object) -> bool:
        # Entra ID signs in people Druppel already knows (matched by email); it creates no one.
        return False
