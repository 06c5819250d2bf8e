"""The lesson mail: rendered once per batch, personalised by substitution tags.

Per-recipient values (name, signed token, progress) are placeholders in one
rendered body; the transport substitutes them. Values placed in the HTML part
are escaped here, because the provider substitutes verbatim.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import NamedTuple

import css_inline
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from drip.extensions import lesson_mail_extension
from lessons.models import LessonVersion
from lessons.selectors import LessonPlace
from lessons.tokens import delivery_tokens
from mailer.message import BatchMessage, Recipient

TOKEN_TAG = "__dr_token__"  # noqa: S105 - a placeholder, not a secret
NAME_TAG = "__dr_name__"
NAME_HTML_TAG = "__dr_name_html__"
DONE_TAG = "__dr_done__"
# The organisation's own discussion link (if any), pre-rendered per recipient.
GROUP_HTML_TAG = "__dr_group_html__"
GROUP_TEXT_TAG = "__dr_group_text__"
# How many posts the recipient's group's thread of this lesson has (groups differ per organisation),
# as the words after the thread link; nothing at zero.
POSTS_HTML_TAG = "__dr_posts_html__"
POSTS_TEXT_TAG = "__dr_posts_text__"
# The organisation that offers the course to the recipient ("Aangeboden door Gemeente Avelgem").
ORGANISATION_TAG = "__dr_org__"
ORGANISATION_HTML_TAG = "__dr_org_html__"


def lesson_url(name: str, token: str, *args: object) -> str:
    return settings.SITE_URL + reverse(f"lessons:{name}", args=[token, *args])


class RecipientRow(NamedTuple):
    """What the mail needs of one delivery, loaded as plain values (no model instances)."""

    delivery_id: int
    email: str
    first_name: str
    last_name: str
    lessons_completed: int
    organisation_id: int
    organisation_name: str


@dataclass(frozen=True)
class LessonMailTemplate:
    subject: str
    text: str
    html: str
    group_label: str
    unsubscribe_url: str  # with TOKEN_TAG where the recipient's token goes
    language: str

    def recipients(
        self, rows: Iterable[RecipientRow], *, group_urls: Mapping[int, str], posts: Mapping[int, int]
    ) -> list[Recipient]:
        """Per recipient: signed links, name, progress, own group link, post count, delivery id.

        ``group_urls`` and ``posts`` are per organisation; whatever is the same for an
        organisation is rendered once, so a batch costs little more than its signatures.
        """
        rows = list(rows)
        groups = {pk: self._group_parts(url) for pk, url in group_urls.items()}
        counts = {pk: self._posts_parts(posts.get(pk, 0)) for pk in {row.organisation_id for row in rows}}
        tokens = delivery_tokens(row.delivery_id for row in rows)
        return [
            self._recipient(row, token, groups.get(row.organisation_id, ("", "")), counts[row.organisation_id])
            for row, token in zip(rows, tokens, strict=True)
        ]

    def _recipient(self, row: RecipientRow, token: str, group: tuple[str, str], posts: tuple[str, str]) -> Recipient:
        first_name = row.first_name or row.email.split("@")[0]
        return Recipient(
            email=row.email,
            name=f"{row.first_name} {row.last_name}".strip(),
            substitutions={
                TOKEN_TAG: token,
                NAME_TAG: first_name,
                NAME_HTML_TAG: escape(first_name),
                DONE_TAG: str(row.lessons_completed),
                GROUP_HTML_TAG: group[0],
                GROUP_TEXT_TAG: group[1],
                POSTS_HTML_TAG: posts[0],
                POSTS_TEXT_TAG: posts[1],
                ORGANISATION_TAG: row.organisation_name,
                ORGANISATION_HTML_TAG: escape(row.organisation_name),
            },
            # Tokens are URL-safe, so the one reversed URL takes each by plain replacement.
            headers={"List-Unsubscribe": f"<{self.unsubscribe_url.replace(TOKEN_TAG, token)}>"},
            custom_args={"delivery_id": str(row.delivery_id)},
        )

    def _posts_parts(self, count: int) -> tuple[str, str]:
        """The thread's post count after its link, as HTML (kept with the link's last word) and as text."""
        if not count:
            return "", ""
        with translation.override(self.language):
            words = ngettext("%(posts)s post so far", "%(posts)s posts so far", count) % {"posts": count}
        return f'&nbsp;<span style="white-space:nowrap">({escape(words)})</span>', f" ({words})"

    def _group_parts(self, url: str) -> tuple[str, str]:
        """The organisation's own discussion link, as HTML and as text."""
        if not url:
            return "", ""
        html = (
            f'<p style="margin:16px 0 0 0"><a href="{escape(url)}" style="color:#0b6ea8">'
            f"{escape(self.group_label)}</a></p>"
        )
        return html, f"{self.group_label}: {url}\n"

    def message(self, recipients: list[Recipient]) -> BatchMessage:
        return BatchMessage(
            from_email=settings.DEFAULT_FROM_EMAIL,
            subject=self.subject,
            text=self.text,
            html=self.html,
            recipients=recipients,
            headers={"List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
            categories=["lesson"],
        )


def lesson_mail_template(
    *, version: LessonVersion, position: int, total: int, language: str, place: LessonPlace | None = None
) -> LessonMailTemplate:
    """Render subject, text and inlined HTML once, with substitution tags for the learner.
    ``place`` is where the lesson sits in its module ("Module 3 · Reageren · lesson 2 of 12")."""
    course = version.lesson.course
    unsubscribe_url = lesson_url("unsubscribe", TOKEN_TAG)
    context = {
        "version": version,
        "course": course,
        "position": position,
        "total": total,
        "place": place if place is not None and place.shown else None,
        "name": NAME_TAG,
        "name_html": NAME_HTML_TAG,
        "done": DONE_TAG,
        "group_html": GROUP_HTML_TAG,
        "group_text": GROUP_TEXT_TAG,
        "posts_html": POSTS_HTML_TAG,
        "posts_text": POSTS_TEXT_TAG,
        "organisation": ORGANISATION_TAG,
        "organisation_html": ORGANISATION_HTML_TAG,
        "last": position >= total,
        "options": [
            {"number": number, "text": text, "url": lesson_url("answer", TOKEN_TAG, number)}
            for number, text in enumerate(version.options, start=1)
        ],
        "read_url": lesson_url("page", TOKEN_TAG),
        "thread_url": extension.thread_url(TOKEN_TAG) if (extension := lesson_mail_extension()) else "",
        "pause_url": lesson_url("pause", TOKEN_TAG),
        "unsubscribe_url": unsubscribe_url,
    }
    with translation.override(language):
        subject = render_to_string("emails/lesson/subject.txt", context).strip()
        text = render_to_string("emails/lesson/body.txt", context)
        html = render_to_string("emails/lesson/body.html", {**context, "subject": " ".join(subject.split())})
        group_label = str(_("Your organisation's discussion group"))
    return LessonMailTemplate(
        subject=" ".join(subject.split()),
        text=text,
        html=css_inline.inline(html),
        group_label=group_label,
        unsubscribe_url=unsubscribe_url,
        language=language,
    )
