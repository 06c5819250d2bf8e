"""Django's email backend for Druppel: every mail Django or allauth sends goes into the outbox.

Sign-in codes are someone waiting at a screen: they are sent at once, in this
process, as soon as no transaction is open (mailer/outgoing.py), and a failed
send is retried by the outbox like any other single mail.
"""

import uuid
from collections.abc import Sequence

from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.core.mail.backends.base import BaseEmailBackend

from mailer.outgoing import outgoing_add
from mailer.templated import RenderedMail


class OutboxEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        queued = 0
        for message in email_messages:
            mail = RenderedMail(subject=str(message.subject), text=str(message.body), html=_html(message))
            headers = {key: str(value) for key, value in message.extra_headers.items()}
            for address in message.recipients():
                outgoing_add(
                    key=f"account:{uuid.uuid4()}",
                    kind="account",
                    mail=mail,
                    to=address,
                    headers=headers,
                    immediate=True,
                )
                queued += 1
        return queued


def _html(message: EmailMessage) -> str:
    if isinstance(message, EmailMultiAlternatives):
        return next((str(content) for content, mimetype in message.alternatives if mimetype == "text/html"), "")
    return ""
