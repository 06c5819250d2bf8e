"""The public invite page: an employee enrols themselves with a link the organisation shared.

Flow: the link's page asks for the work email (and name) → we add the person as
a learner and send a sign-in code through allauth's login-by-code flow → the
POST that confirms the code signs them in, and the ``user_logged_in`` receiver
in learners/signals.py enrols them, acting only on the pending join this browser's session holds
for the person who just proved their address. The welcome page that follows is a
plain GET that changes nothing, so a link scanner cannot enrol anyone.
"""

from allauth.account.internal.flows.login_by_code import LoginCodeVerificationProcess
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from accounts.http import AuthenticatedHttpRequest
from courses.invites import (
    DomainRefused,
    Invite,
    InviteError,
    InviteExpired,
    SeatsFull,
    domain_refusal,
    invite_accept,
    invite_enrol,
    invite_has_seat,
    invite_resolve,
)
from learners.signals import PENDING_JOIN
from organisations.models import Organisation
from organisations.selectors import departments_of


class DepartmentForm(forms.Form):
    department = forms.CharField(
        label=gettext_lazy("Your department"),
        max_length=100,
        required=False,
        help_text=gettext_lazy("Choose one from the list or type it. Your organisation sees progress per department."),
    )


class JoinForm(DepartmentForm):
    email = forms.EmailField(label=gettext_lazy("Your work email address"))
    first_name = forms.CharField(label=gettext_lazy("First name"), max_length=150)
    last_name = forms.CharField(label=gettext_lazy("Last name"), max_length=150, required=False)
    field_order = ["email", "first_name", "last_name", "department"]

    def __init__(self, *args: object, organisation: Organisation, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.organisation = organisation

    def clean_email(self) -> str:
        email = self.cleaned_data["email"]
        if not self.organisation.allows_email(email):
            raise forms.ValidationError(domain_refusal(self.organisation))
        return email


def _refusal(request: HttpRequest, error: InviteError) -> HttpResponse:
    status = 409 if isinstance(error, SeatsFull) else 410 if isinstance(error, InviteExpired) else 404
    status = 403 if isinstance(error, DomainRefused) else status
    return render(request, "learners/join_error.html", {"message": str(error)}, status=status)


@require_http_methods(["GET", "POST"])
def join(request: HttpRequest, token: str) -> HttpResponse:
    try:
        invite = invite_resolve(token=token, today=timezone.localdate())
        if not invite_has_seat(invite=invite) and not request.user.is_authenticated:
            raise SeatsFull(_("All seats for this course are taken. Ask your organisation for more seats."))
        if request.user.is_authenticated:
            return _join_signed_in(request, invite)  # type: ignore[arg-type]
        form = JoinForm(request.POST or None, organisation=invite.offering.organisation)
        if request.method == "POST" and form.is_valid():
            return _send_code(request, invite, token, form.cleaned_data)
    except InviteError as error:
        return _refusal(request, error)
    return _join_page(request, invite, form=form)


def _join_page(request: HttpRequest, invite: Invite, **context: object) -> HttpResponse:
    organisation = invite.offering.organisation
    context |= {
        "invite": invite,
        "offering": invite.offering,
        "departments": departments_of(organisation),
        "domains": organisation.email_domains,
    }
    form = context.get("form")
    status = 400 if isinstance(form, forms.Form) and form.is_bound and form.errors else 200
    return render(request, "learners/join_form.html", context, status=status)


def _send_code(request: HttpRequest, invite: Invite, token: str, data: dict[str, str]) -> HttpResponse:
    membership = invite_accept(
        invite=invite,
        email=data["email"],
        first_name=data["first_name"],
        last_name=data["last_name"],
        department=data["department"],
    )
    user = membership.user
    # allauth's own login-by-code flow: it makes, mails, checks and rate-limits the code.
    LoginCodeVerificationProcess.initiate(request=request, user=user, email=user.email)
    request.session[PENDING_JOIN] = {"token": token, "membership": membership.pk}
    welcome = reverse("join_welcome", args=[token])
    return redirect(f"{reverse('account_confirm_login_code')}?{urlencode({'next': welcome})}")


def _join_signed_in(request: AuthenticatedHttpRequest, invite: Invite) -> HttpResponse:
    """Someone already signed in: one POST enrols them, no code needed (if their address may join)."""
    organisation = invite.offering.organisation
    if not organisation.allows_email(request.user.email):
        raise DomainRefused(domain_refusal(organisation))
    form = DepartmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = request.user
        membership = invite_accept(
            invite=invite,
            email=user.email,
            first_name=user.first_name,
            last_name=user.last_name,
            department=form.cleaned_data["department"],
        )
        return _enrol(request, invite, membership.pk)
    return _join_page(request, invite, form=form, signed_in=True)


def _enrol(request: AuthenticatedHttpRequest, invite: Invite, membership_pk: int) -> HttpResponse:
    membership = invite.offering.organisation.memberships.get(pk=membership_pk, user=request.user)
    invite_enrol(invite=invite, membership=membership, now=timezone.now())
    messages.success(
        request,
        _("Welcome! You are enrolled in %(course)s. The lessons arrive in your mailbox.")
        % {"course": invite.offering.course.title},
    )
    return redirect("learners:courses")


@login_required
def join_welcome(request: AuthenticatedHttpRequest, token: str) -> HttpResponse:
    """Where the sign-in lands: enrolment already happened (or was refused, with a message)."""
    return redirect("learners:courses")
