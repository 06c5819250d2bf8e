"""The lesson mail: rendered once per batch, personalised by substitution tags.

Per-recipient values (name, signed token, progress) are placeholders in one
rendered body; the transport substitutes them. Values placed in the HTML part
are escaped here, because the provider substitutes verbatim.
"""

from dataclasses import dataclass

import css_inline
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext as _

from lessons.models import Delivery, LessonVersion
from lessons.tokens import delivery_token
from mailer.message import BatchMessage, Recipient

TOKEN_TAG = "__dr_token__"  # noqa: S105 - a placeholder, not a secret
NAME_TAG = "__dr_name__"
NAME_HTML_TAG = "__dr_name_html__"
DONE_TAG = "__dr_done__"
# The organisation's own discussion link (if any), pre-rendered per recipient.
GROUP_HTML_TAG = "__dr_group_html__"
GROUP_TEXT_TAG = "__dr_group_text__"
# How many posts the recipient's group's thread of this lesson has (groups differ per organisation).
POSTS_TAG = "__dr_posts__"


def lesson_url(name: str, token: str, *args: object) -> str:
    return settings.SITE_URL + reverse(f"lessons:{name}", args=[token, *args])


@dataclass(frozen=True)
class LessonMailTemplate:
    subject: str
    text: str
    html: str
    group_label: str

    def recipient(self, delivery: Delivery, *, group_url: str = "", posts: int = 0) -> Recipient:
        """The per-recipient part: signed links, name, progress, own group link, post count, delivery id."""
        user = delivery.enrolment.membership.user
        token = delivery_token(delivery.pk)
        first_name = user.first_name or user.email.split("@")[0]
        group_html = group_text = ""
        if group_url:
            group_html = (
                f'<p style="margin:16px 0 0 0"><a href="{escape(group_url)}" style="color:#0b6ea8">'
                f"{escape(self.group_label)}</a></p>"
            )
            group_text = f"{self.group_label}: {group_url}\n"
        return Recipient(
            email=user.email,
            name=user.get_full_name(),
            substitutions={
                TOKEN_TAG: token,
                NAME_TAG: first_name,
                NAME_HTML_TAG: escape(first_name),
                DONE_TAG: str(delivery.enrolment.lessons_completed),
                GROUP_HTML_TAG: group_html,
                GROUP_TEXT_TAG: group_text,
                POSTS_TAG: str(posts),
            },
            headers={"List-Unsubscribe": f"<{lesson_url('unsubscribe', token)}>"},
            custom_args={"delivery_id": str(delivery.pk)},
        )

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


def lesson_mail_template(*, version: LessonVersion, position: int, total: int, language: str) -> LessonMailTemplate:
    """Render subject, text and inlined HTML once, with substitution tags for the learner."""
    course = version.lesson.course
    context = {
        "version": version,
        "course": course,
        "position": position,
        "total": total,
        "name": NAME_TAG,
        "name_html": NAME_HTML_TAG,
        "done": DONE_TAG,
        "group_html": GROUP_HTML_TAG,
        "group_text": GROUP_TEXT_TAG,
        "posts": POSTS_TAG,
        "options": [
            {"number": number, "text": text, "url": lesson_url("answer", TOKEN_TAG, number)}
            for number, text in enumerate(version.options, start=1)
        ],
        "read_url": lesson_url("page", TOKEN_TAG),
        "thread_url": lesson_url("thread", TOKEN_TAG),
        "pause_url": lesson_url("pause", TOKEN_TAG),
        "unsubscribe_url": lesson_url("unsubscribe", TOKEN_TAG),
    }
    with translation.override(language):
        subject = render_to_string("emails/lesson/subject.txt", context).strip()
        text = render_to_string("emails/lesson/body.txt", context)
        html = render_to_string("emails/lesson/body.html", context)
        group_label = str(_("Your organisation's discussion group"))
    return LessonMailTemplate(
        subject=" ".join(subject.split()), text=text, html=css_inline.inline(html), group_label=group_label
    )
