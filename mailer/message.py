"""A batch message: one body for many recipients, personalised by substitution.

This mirrors SendGrid's model (one request, up to 1,000 personalizations) so
that every transport sends the same thing the same way.
"""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Recipient:
    email: str
    name: str = ""
    # Tag -> value, replaced in subject, text and html. HTML-bound values must
    # already be escaped: a transport substitutes them verbatim.
    substitutions: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    # Echoed back in every provider event; carries our delivery id.
    custom_args: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class BatchMessage:
    from_email: str
    subject: str
    text: str
    html: str
    recipients: list[Recipient]
    headers: dict[str, str] = field(default_factory=dict)
    categories: list[str] = field(default_factory=list)

    def personalise(self, recipient: Recipient) -> tuple[str, str, str]:
        """Subject, text and html for one recipient, as the provider would build them."""
        subject, text, html = self.subject, self.text, self.html
        for tag, value in recipient.substitutions.items():
            subject = subject.replace(tag, value)
            text = text.replace(tag, value)
            html = html.replace(tag, value)
        return subject, text, html


def one_click_unsubscribe(url: str) -> dict[str, str]:
    """RFC 8058: a mailbox offers "unsubscribe" and POSTs ``List-Unsubscribe=One-Click`` to ``url``
    (an absolute https URL that opts out without cookies, and asks first when merely opened)."""
    return {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


@dataclass(frozen=True)
class SendResult:
    message_id: str


class TransportError(Exception):
    """Base class: the provider did not accept the batch."""


class RetryableError(TransportError):
    """Not accepted, and nothing was delivered: safe to try again (429, 5xx, no connection)."""

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class RejectedError(TransportError):
    """The provider refused the request as malformed (400, 413). Retrying the same will fail again."""

    def __init__(self, message: str, *, status: int) -> None:
        super().__init__(message)
        self.status = status


class ConfigurationError(TransportError):
    """Our credentials or account are wrong (401, 403): no batch can succeed until an operator acts."""


class OutcomeUnknownError(TransportError):
    """The request was sent but no answer came back: the mail may or may not be on its way."""
