"""A Django email backend over Druppel's transport, for single mails (sign-in codes, digests)."""

from collections.abc import Sequence

from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.core.mail.backends.base import BaseEmailBackend

from mailer.message import BatchMessage, Recipient, TransportError
from mailer.transports import get_transport


class TransportEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        sent = 0
        for message in email_messages:
            try:
                get_transport().send(as_batch(message))
            except TransportError:
                if not self.fail_silently:
                    raise
                continue
            sent += 1
        return sent


def as_batch(message: EmailMessage) -> BatchMessage:
    html = ""
    if isinstance(message, EmailMultiAlternatives):
        html = next((str(content) for content, mimetype in message.alternatives if mimetype == "text/html"), "")
    recipients = [Recipient(email=address) for address in message.recipients()]
    return BatchMessage(
        from_email=message.from_email,
        subject=str(message.subject),
        text=str(message.body),
        html=html,
        recipients=recipients,
        headers={key: str(value) for key, value in message.extra_headers.items()},
    )
