"""What a learner does with their own account: take their data with them."""

import datetime as dt
from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery

from accounts.models import User
from courses.models import Certificate, Enrolment, Reminder
from learners.selectors import deliveries_of, enrolments_of, memberships_of
from lessons.models import Delivery


def _enrolment_row(enrolment: Enrolment) -> dict[str, Any]:
    return {
        "course": enrolment.course.title,
        "organisation": enrolment.membership.organisation.name,
        "status": enrolment.status,
        "start_date": enrolment.start_date,
        "enrolled_at": enrolment.created_at,
        "paused_at": enrolment.paused_at,
        "ended_at": enrolment.ended_at,
        "next_lesson_at": enrolment.next_due_at,
        "lessons_sent": enrolment.lessons_sent,
        "lessons_completed": enrolment.lessons_completed,
        "reminders_enabled": enrolment.reminders_enabled,
        "last_reminded_at": getattr(enrolment, "last_reminded_at", None),
        "certificate_issued_at": _certificate_issued_at(enrolment),
    }


def _certificate_issued_at(enrolment: Enrolment) -> dt.datetime | None:
    try:
        return enrolment.certificate.issued_at
    except Certificate.DoesNotExist:
        return None


def _delivery_row(delivery: Delivery) -> dict[str, Any]:
    options = delivery.version.options
    answer = delivery.answer
    return {
        "course": delivery.enrolment.course.title,
        "position": delivery.position,
        "lesson": delivery.version.title,
        "status": delivery.status,
        "sent_at": delivery.sent_at,
        # 1-based, as the answer buttons in the mail number them.
        "answer": answer + 1 if answer is not None else None,
        "answer_text": options[answer] if answer is not None and answer < len(options) else None,
        "answer_correct": delivery.answer_correct,
        "answered_at": delivery.answered_at,
        "read_at": delivery.read_at,
        "completed_at": delivery.completed_at,
    }


def _enrolments_exported(user: User) -> QuerySet[Enrolment]:
    """Enrolments with their certificate and last reminder, still one query."""
    last_reminder = Reminder.objects.filter(enrolment=OuterRef("pk")).order_by("-created_at").values("created_at")[:1]
    return enrolments_of(user=user).select_related("certificate").annotate(last_reminded_at=Subquery(last_reminder))


def learner_data_export(*, user: User, now: dt.datetime) -> dict[str, Any]:
    """Everything Druppel holds about this person, as plain data (GDPR access and portability)."""
    return {
        "exported_at": now,
        "profile": {
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "joined_at": user.date_joined,
            "last_sign_in_at": user.last_login,
        },
        "memberships": [
            {
                "organisation": membership.organisation.name,
                "department": membership.department,
                "role": membership.role,
                "active": membership.is_active,
                "since": membership.created_at,
            }
            for membership in memberships_of(user=user)
        ],
        "enrolments": [_enrolment_row(enrolment) for enrolment in _enrolments_exported(user)],
        "deliveries": [_delivery_row(delivery) for delivery in deliveries_of(user=user)],
    }
