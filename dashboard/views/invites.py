"""Invite links: one per offering, which employees use to enrol themselves."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.http import AuthenticatedHttpRequest
from courses.invites import DEFAULT_DAYS, invite_create, invite_token
from courses.models import Offering
from organisations.decorators import organisation_admin_required
from organisations.models import Organisation

MAX_DAYS = 365


@organisation_admin_required
def invite_list(request: AuthenticatedHttpRequest, organisation: Organisation) -> HttpResponse:
    offerings = Offering.objects.filter(organisation=organisation).select_related("course").order_by("course__title")
    today = timezone.localdate()
    rows = []
    for offering in offerings:
        token = invite_token(offering)
        link = request.build_absolute_uri(reverse("join", args=[token])) if token else ""
        expired = offering.invite_expires_on is not None and offering.invite_expires_on < today
        rows.append({"offering": offering, "link": link, "expired": expired})
    context = {"organisation": organisation, "rows": rows, "default_days": DEFAULT_DAYS, "max_days": MAX_DAYS}
    return render(request, "dashboard/invite_list.html", context)


@organisation_admin_required
@require_POST
def invite_new(request: AuthenticatedHttpRequest, organisation: Organisation, offering_id: int) -> HttpResponse:
    offering = get_object_or_404(Offering.objects.select_related("course"), organisation=organisation, pk=offering_id)
    try:
        days = min(max(int(request.POST.get("days", DEFAULT_DAYS)), 1), MAX_DAYS)
    except ValueError:
        days = DEFAULT_DAYS
    invite_create(offering=offering, today=timezone.localdate(), days=days)
    messages.success(
        request,
        _("New invite link for %(course)s, valid for %(days)s days. The previous link no longer works.")
        % {"course": offering.course.title, "days": days},
    )
    return redirect("dashboard:invites", org_slug=organisation.slug)
