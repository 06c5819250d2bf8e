"""Where batch messages go: SendGrid when a key is set, otherwise a local outbox."""

import http.client
import json
import re
import secrets
import urllib.error
from datetime import UTC, datetime
from email.utils import formataddr, parseaddr
from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from python_http_client.exceptions import HTTPError
from sendgrid import SendGridAPIClient

from mailer.message import (
    BatchMessage,
    ConfigurationError,
    OutcomeUnknownError,
    RejectedError,
    RetryableError,
    SendResult,
)


class Transport(Protocol):
    def send(self, message: BatchMessage) -> SendResult: ...


def get_transport() -> Transport:
    if settings.SENDGRID_API_KEY:
        return SendGridTransport(
            api_key=settings.SENDGRID_API_KEY, host=settings.SENDGRID_API_HOST, timeout=settings.SENDGRID_TIMEOUT
        )
    return OutboxTransport(Path(settings.OUTBOX_DIR))


def _address(value: str) -> dict[str, str]:
    name, email = parseaddr(value)
    return {"email": email, "name": name} if name else {"email": email}


def _recipient_name(name: str) -> str:
    """SendGrid refuses a whole request when one ``to.name`` holds ``;`` or ``,`` (its Mail Send
    limitations), so "Peeters, Eva" from a staff list is sent as "Peeters Eva"."""
    return " ".join(name.replace(";", " ").replace(",", " ").split())


def sendgrid_payload(message: BatchMessage) -> dict:
    """The v3 mail-send body: one content, one personalization per recipient."""
    personalizations = []
    for recipient in message.recipients:
        name = _recipient_name(recipient.name)
        to = {"email": recipient.email, "name": name} if name else {"email": recipient.email}
        item: dict = {"to": [to]}
        if recipient.substitutions:
            item["substitutions"] = recipient.substitutions
        if recipient.headers:
            item["headers"] = recipient.headers
        if recipient.custom_args:
            item["custom_args"] = recipient.custom_args
        personalizations.append(item)
    payload: dict = {
        "from": _address(message.from_email),
        "subject": message.subject,
        "personalizations": personalizations,
        "content": [{"type": "text/plain", "value": message.text}],
    }
    if message.html:
        payload["content"].append({"type": "text/html", "value": message.html})
    if message.headers:
        payload["headers"] = message.headers
    if message.categories:
        payload["categories"] = message.categories
    return payload


class SendGridTransport:
    """One SendGrid request per batch, through the official SDK, always with a timeout.

    Errors are sorted by what they tell us about delivery: a refused connection
    or a 429/5xx means nothing was accepted (retry); a 400/413 means the request
    itself is bad (split it); a timeout after the request went out means we do
    not know (mark unknown, never resend blindly: SendGrid has no idempotency key).
    """

    def __init__(self, *, api_key: str, host: str, timeout: float) -> None:
        self.client = SendGridAPIClient(api_key=api_key, host=host)
        self.timeout = timeout

    def send(self, message: BatchMessage) -> SendResult:
        try:
            response = self.client.client.mail.send.post(request_body=sendgrid_payload(message), timeout=self.timeout)
        except HTTPError as exc:
            raise _classify_http_error(exc) from None
        except urllib.error.URLError as exc:
            # urllib wraps failures while connecting or writing the request:
            # the request never reached SendGrid complete.
            raise RetryableError(f"connection failed: {exc.reason}") from None
        except (TimeoutError, http.client.HTTPException, ConnectionError) as exc:
            # Raised while waiting for the answer: the request was sent.
            raise OutcomeUnknownError(f"no answer from SendGrid: {exc.__class__.__name__}") from None
        message_id = response.headers.get("X-Message-Id") or ""
        return SendResult(message_id=message_id)


def _classify_http_error(exc: HTTPError) -> Exception:
    status = int(exc.status_code)
    detail = _error_detail(exc.body)
    if status == 429 or status >= 500:
        retry_after = None
        if status == 429 and exc.headers is not None:
            raw = exc.headers.get("Retry-After")
            retry_after = float(raw) if raw and raw.replace(".", "", 1).isdigit() else None
        return RetryableError(f"SendGrid answered {status}: {detail}", retry_after=retry_after)
    if status in (401, 403):
        return ConfigurationError(f"SendGrid refused our credentials ({status}): {detail}")
    return RejectedError(f"SendGrid rejected the request ({status}): {detail}", status=status)


def _error_detail(body: bytes | str | None) -> str:
    if not body:
        return "no detail"
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    try:
        errors = json.loads(text).get("errors", [])
        return "; ".join(f"{e.get('field') or '-'}: {e.get('message')}" for e in errors) or text[:300]
    except (ValueError, AttributeError):
        return text[:300]


class OutboxTransport:
    """Writes each personalised mail as an .eml file, for development and demos."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def send(self, message: BatchMessage) -> SendResult:
        self.directory.mkdir(parents=True, exist_ok=True)
        message_id = "outbox-" + secrets.token_urlsafe(12)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        for index, recipient in enumerate(message.recipients):
            subject, text, html = message.personalise(recipient)
            mail = EmailMultiAlternatives(
                subject=subject,
                body=text,
                from_email=message.from_email,
                to=[formataddr((recipient.name, recipient.email))],
                headers={**message.headers, **recipient.headers, "X-Message-Id": message_id},
            )
            if html:
                mail.attach_alternative(html, "text/html")
            tag = re.sub(r"[^A-Za-z0-9]+", "-", "-".join(recipient.custom_args.values()))[:40] or str(index)
            path = self.directory / f"{stamp}-{message_id}-{tag}.eml"
            path.write_bytes(mail.message().as_bytes())
        return SendResult(message_id=message_id)
