"""Read the local outbox (development only): the mails the outbox transport wrote."""

import email
import email.policy
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

from django.conf import settings


@dataclass(frozen=True)
class OutboxMail:
    name: str
    to: str
    subject: str


def outbox_dir() -> Path:
    return Path(settings.OUTBOX_DIR)


def outbox_mails(limit: int = 200) -> list[OutboxMail]:
    paths = sorted(outbox_dir().glob("*.eml"), reverse=True)[:limit]
    return [OutboxMail(name=p.name, to=m["To"], subject=m["Subject"]) for p in paths if (m := read_mail(p))]


def read_mail(path: Path) -> EmailMessage | None:
    try:
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    except OSError:
        return None
    return message if isinstance(message, EmailMessage) else None


def mail_html(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("html", "plain"))
    return part.get_content() if part is not None else ""
