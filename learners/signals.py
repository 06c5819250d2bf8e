"""Signal receivers of the learner's side."""

from django.contrib import messages
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from courses.invites import InviteError, invite_enrol, invite_resolve

# Set by the join page's POST: which invite this browser is joining with, for whom.
PENDING_JOIN = "druppel_pending_join"


@receiver(user_logged_in, dispatch_uid="druppel_complete_pending_join")
def complete_pending_join(sender: object, request: HttpRequest | None, user: User, **kwargs: object) -> None:
    """Enrol the joiner inside the sign-in POST itself (never on a GET)."""
    pending = request.session.pop(PENDING_JOIN, None) if request is not None else None
    if not pending:
        return
    try:
        invite = invite_resolve(token=pending["token"], today=timezone.localdate())
        membership = invite.offering.organisation.memberships.get(pk=pending["membership"], user=user)
        invite_enrol(invite=invite, membership=membership, now=timezone.now())
    except InviteError as error:
        messages.error(request, str(error))  # type: ignore[arg-type]
        return
    messages.success(
        request,  # type: ignore[arg-type]
        _("Welcome! You are enrolled in %(course)s. The lessons arrive in your mailbox.")
        % {"course": invite.offering.course.title},
    )
