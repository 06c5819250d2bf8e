"""Erasing a person (GDPR art. 17): flows that touch every app, so they live at the top."""

import datetime as dt

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.socialaccount.models import SocialAccount
from django.contrib.sessions.models import Session
from django.db import transaction

from accounts.models import User
from courses.models import Enrolment
from lessons.models import Delivery, SendBatch
from organisations.models import Membership

ERASED_DOMAIN = "invalid"  # RFC 2606: can never be a real mailbox


def erased_email(user_id: int) -> str:
    return f"erased-{user_id}@{ERASED_DOMAIN}"


@transaction.atomic
def user_erase(*, user: User, now: dt.datetime) -> None:
    """Remove what identifies this person; keep the anonymous counts organisations report on.

    Enrolments end and deliveries stay (sent, opened, answered: the dashboard's
    numbers), but nothing left points at a name or an address. The caller logs
    the person out of the current request.
    """
    _end_enrolments(user=user, now=now)
    _anonymise_deliveries(user=user)
    Membership.objects.filter(user=user).update(is_active=False)
    EmailAddress.objects.filter(user=user).delete()
    SocialAccount.objects.filter(user=user).delete()  # Entra ID profile data, tokens by cascade
    Authenticator.objects.filter(user=user).delete()  # TOTP secrets and recovery codes
    _delete_sessions(user_id=user.pk, now=now)
    user.email = erased_email(user.pk)
    user.first_name = ""
    user.last_name = ""
    user.last_login = None
    user.is_active = False
    user.set_unusable_password()
    user.save()


def _end_enrolments(*, user: User, now: dt.datetime) -> None:
    Enrolment.objects.filter(
        membership__user=user, status__in=[Enrolment.Status.ACTIVE, Enrolment.Status.PAUSED]
    ).update(status=Enrolment.Status.UNSUBSCRIBED, ended_at=now, next_due_at=None)


def _anonymise_deliveries(*, user: User) -> None:
    deliveries = Delivery.objects.filter(enrolment__membership__user=user)
    # A provider error can quote the recipient's address.
    deliveries.exclude(error="").update(error="")
    # A lesson planned but not yet picked up by a worker would go to the erased
    # placeholder address and get its whole batch rejected: take it out.
    deliveries.filter(status=Delivery.Status.QUEUED, batch__status=SendBatch.Status.QUEUED).update(
        status=Delivery.Status.FAILED, batch=None, error="recipient erased"
    )


def _delete_sessions(*, user_id: int, now: dt.datetime) -> None:
    """Sign the person out everywhere. Session data is encoded, so it is read, not searched."""
    stale = []
    for session in Session.objects.filter(expire_date__gt=now).iterator(chunk_size=2000):
        if session.get_decoded().get("_auth_user_id") == str(user_id):
            stale.append(session.pk)
    Session.objects.filter(pk__in=stale).delete()
