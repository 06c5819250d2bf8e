"""The two baselines of P1 dispatch, on a sample of real deliveries, against the same fake SendGrid.

* per-message: what a plain Django implementation does. One query loads the
  sample's deliveries with their people; then, per recipient, the lesson mail's
  three templates are rendered with that recipient's values (signed links,
  name, progress, group link), the HTML is CSS-inlined, and an
  ``EmailMultiAlternatives`` goes through a (bench-only) email backend that
  makes one SendGrid request per message through the official SDK.
* raw limit: the batch path's own payloads (1,000 personalizations each,
  ``mailer.transports.sendgrid_payload``) built beforehand, then only POSTed
  through the SDK, sequentially and from several threads at once: no database,
  no rendering. The fastest of these is "the raw limit".
"""

import threading
import time
from collections.abc import Sequence

import css_inline
from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.core.mail.backends.base import BaseEmailBackend
from django.db.models import Count
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.safestring import mark_safe
from sendgrid import SendGridAPIClient

from courses.models import Offering
from drip.mail import RecipientRow, lesson_mail_template, lesson_url
from lessons.models import Delivery, Lesson
from lessons.tokens import delivery_token
from mailer.message import BatchMessage, Recipient
from mailer.transports import sendgrid_payload

BATCH = 1000


class PerMessageSendGridBackend(BaseEmailBackend):
    """One SendGrid request per message, through the SDK (bench only: the product sends batches)."""

    def __init__(self, *, host: str, fail_silently: bool = False) -> None:
        super().__init__(fail_silently=fail_silently)
        self.client = SendGridAPIClient(api_key="SG.bench", host=host)

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        for message in email_messages:
            payload = sendgrid_payload(_as_batch(message))
            self.client.client.mail.send.post(request_body=payload, timeout=15)
        return len(email_messages)


def _as_batch(message: EmailMessage) -> BatchMessage:
    html = ""
    if isinstance(message, EmailMultiAlternatives):
        html = next((str(content) for content, mimetype in message.alternatives if mimetype == "text/html"), "")
    return BatchMessage(
        from_email=message.from_email,
        subject=str(message.subject),
        text=str(message.body),
        html=html,
        recipients=[Recipient(email=address) for address in message.recipients()],
    )


def _sample(size: int) -> list[Delivery]:
    return list(
        Delivery.objects.select_related(
            "enrolment__membership__user", "enrolment__membership__organisation", "version__lesson__course"
        )
        .filter(enrolment__membership__organisation__slug__startswith="bench-dispatch-")
        .order_by("pk")[:size]
    )


def _message(delivery: Delivery, *, total: int, group_urls: dict[int, str]) -> EmailMultiAlternatives:
    """The lesson mail of one recipient, rendered for them alone."""
    version = delivery.version
    course = version.lesson.course
    user = delivery.enrolment.membership.user
    token = delivery_token(delivery.pk)
    first_name = user.first_name or user.email.split("@")[0]
    group_url = group_urls.get(delivery.enrolment.membership.organisation_id) or course.external_group_url
    label = "Your organisation's discussion group"
    context = {
        "version": version,
        "course": course,
        "position": delivery.position,
        "total": total,
        "name": first_name,
        "name_html": first_name,
        "done": delivery.enrolment.lessons_completed,
        "group_html": mark_safe(f'<p><a href="{escape(group_url)}">{escape(label)}</a></p>') if group_url else "",  # noqa: S308
        "group_text": f"{label}: {group_url}\n" if group_url else "",
        "posts_html": "",
        "posts_text": "",
        "organisation": delivery.enrolment.membership.organisation.name,
        "organisation_html": escape(delivery.enrolment.membership.organisation.name),
        "last": delivery.position >= total,
        "options": [
            {"number": n, "text": text, "url": lesson_url("answer", token, n)}
            for n, text in enumerate(version.options, start=1)
        ],
        "read_url": lesson_url("page", token),
        "thread_url": settings.SITE_URL + reverse("lesson_thread", args=[token]),
        "pause_url": lesson_url("pause", token),
        "unsubscribe_url": lesson_url("unsubscribe", token),
    }
    with translation.override(course.language):
        subject = " ".join(render_to_string("emails/lesson/subject.txt", context).split())
        text = render_to_string("emails/lesson/body.txt", context)
        html = css_inline.inline(render_to_string("emails/lesson/body.html", {**context, "subject": subject}))
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email="Druppel <lessen@druppel.example>",
        to=[user.email],
        headers={
            "List-Unsubscribe": f"<{context['unsubscribe_url']}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.attach_alternative(html, "text/html")
    return message


def per_message(*, sample: int, host: str) -> dict:
    """Load, render per recipient and send one request per message; timed end to end."""
    backend = PerMessageSendGridBackend(host=host)
    started = time.perf_counter()
    deliveries = _sample(sample)
    course = deliveries[0].version.lesson.course
    total = Lesson.objects.filter(course=course, current_version__isnull=False).aggregate(n=Count("pk"))["n"]
    offerings = Offering.objects.filter(course=course).exclude(external_group_url="")
    group_urls = dict(offerings.values_list("organisation_id", "external_group_url"))
    for delivery in deliveries:
        backend.send_messages([_message(delivery, total=total, group_urls=group_urls)])
    seconds = time.perf_counter() - started
    return {"mails": len(deliveries), "seconds": round(seconds, 3), "mails_per_s": round(len(deliveries) / seconds, 1)}


def build_payloads(*, sample: int) -> list[dict]:
    """The batch path's payloads for ``sample`` real deliveries, 1,000 personalizations each."""
    deliveries = _sample(sample)
    payloads = []
    for start in range(0, len(deliveries), BATCH):
        chunk = deliveries[start : start + BATCH]
        version = chunk[0].version
        template = lesson_mail_template(
            version=version, position=version.lesson.position, total=22, language=version.lesson.course.language
        )
        rows = [
            RecipientRow(
                d.pk,
                d.enrolment.membership.user.email,
                d.enrolment.membership.user.first_name,
                d.enrolment.membership.user.last_name,
                d.enrolment.lessons_completed,
                d.enrolment.membership.organisation_id,
                d.enrolment.membership.organisation.name,
            )
            for d in chunk
        ]
        message: BatchMessage = template.message(template.recipients(rows, group_urls={}, posts={}))
        payloads.append(sendgrid_payload(message))
    return payloads


def _post_all(host: str, payloads: list[dict], errors: list[BaseException]) -> None:
    client = SendGridAPIClient(api_key="SG.bench", host=host)
    try:
        for payload in payloads:
            client.client.mail.send.post(request_body=payload, timeout=30)
    except BaseException as exc:  # noqa: BLE001 - reported by the caller
        errors.append(exc)


def raw_limit(*, payloads: list[dict], host: str, threads: int) -> dict:
    """Each of ``threads`` threads POSTs every payload once, through its own SDK client."""
    errors: list[BaseException] = []
    workers = [threading.Thread(target=_post_all, args=(host, payloads, errors)) for _ in range(threads)]
    started = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    seconds = time.perf_counter() - started
    if errors:
        raise RuntimeError(f"raw limit with {threads} threads: {errors[0]!r}")
    mails = threads * sum(len(p["personalizations"]) for p in payloads)
    return {"threads": threads, "mails": mails, "seconds": round(seconds, 3), "mails_per_s": round(mails / seconds, 1)}
