"""The learner's certificate page and reminder switch.

The certificate is reachable signed in (from /me/, scoped to the user: another
learner's certificate is a 404) and by the signed link in its mail. The reminder
mail's "no more reminders" link opens a confirm page; only its POST switches
reminders off, because link scanners fetch every link in a mail. That POST is
CSRF-exempt on purpose: the signed token is the credential, and a mail app's
browser may drop the CSRF cookie.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.http import AuthenticatedHttpRequest
from core.http import token_page
from courses.models import Certificate, Enrolment
from learners.selectors import enrolments_of
from progress.certificates import certificate_from_token, certificates_shown
from progress.reminders import enrolment_id_from_reminder_token, enrolment_set_reminders


def _certificate_page(request: HttpRequest, certificate: Certificate) -> HttpResponse:
    enrolment = certificate.enrolment
    user = enrolment.membership.user
    organisation = enrolment.membership.organisation
    context = {
        "certificate": certificate,
        "course": enrolment.course,
        "organisation": organisation,
        "learner": user.get_full_name() or user.email,
        "issued_on": certificate.issued_at.astimezone(organisation.tz).date(),
    }
    return token_page(render(request, "learners/certificate.html", context))


@never_cache
@login_required
@require_GET
def certificate(request: AuthenticatedHttpRequest, certificate_id: int) -> HttpResponse:
    own = certificates_shown().filter(enrolment__membership__user=request.user)
    return _certificate_page(request, get_object_or_404(own, pk=certificate_id))


@never_cache
@require_GET
def certificate_link(request: HttpRequest, token: str) -> HttpResponse:
    return _certificate_page(request, certificate_from_token(token))


@login_required
@require_POST
def reminders(request: AuthenticatedHttpRequest, enrolment_id: int) -> HttpResponse:
    """The switch on /me/: ``enabled`` is "1" to switch reminders on, anything else switches them off."""
    enrolment = get_object_or_404(enrolments_of(user=request.user), pk=enrolment_id)
    enabled = request.POST.get("enabled") == "1"
    if enrolment_set_reminders(enrolment=enrolment, enabled=enabled):
        messages.success(request, _("Reminders are on.") if enabled else _("Reminders are off."))
    return redirect("learners:courses")


@never_cache
@csrf_exempt
@require_http_methods(["GET", "POST"])
def reminders_off(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks for confirmation; only the POST switches reminders off."""
    enrolment_id = enrolment_id_from_reminder_token(token)
    enrolment = Enrolment.objects.select_related("course").filter(pk=enrolment_id).first() if enrolment_id else None
    if enrolment is None:
        raise Http404("This link is not valid.")
    done = request.method == "POST"
    if done:
        enrolment_set_reminders(enrolment=enrolment, enabled=False)
    return token_page(render(request, "learners/reminders_off.html", {"enrolment": enrolment, "done": done}))
