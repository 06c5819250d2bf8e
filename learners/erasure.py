"""Erasing a person (GDPR art. 17): flows that touch every app, so they live at the top."""

import datetime as dt

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.socialaccount.models import SocialAccount
from django.contrib.sessions.models import Session
from django.db import transaction

from accounts.models import User
from courses.models import Enrolment
from lessons.models import Delivery
from mailer.models import OutgoingMail, Suppression
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
    # Single mails not yet sent, and the record of mails sent, carry the address; so does a suppression.
    OutgoingMail.objects.filter(to=user.email).delete()
    Suppression.objects.filter(email=user.email).delete()
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
    # A lesson already planned for them is left out at send time, like any leaver's.
    Enrolment.objects.filter(membership__user=user).unsubscribe(now=now)


def _anonymise_deliveries(*, user: User) -> None:
    deliveries = Delivery.objects.filter(enrolment__membership__user=user)
    # A provider error can quote the recipient's address.
    deliveries.exclude(error="").update(error="")


def _delete_sessions(*, user_id: int, now: dt.datetime) -> None:
    """Sign the person out everywhere. Session data is encoded, so it is read, not searched."""
    stale = []
    for session in Session.objects.filter(expire_date__gt=now).iterator(chunk_size=2000):
        if session.get_decoded().get("_auth_user_id") == str(user_id):
            stale.append(session.pk)
    Session.objects.filter(pk__in=stale).delete()
