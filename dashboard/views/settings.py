"""Organisation settings: calendar, closure periods, courses taken, admins."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accounts.http import AuthenticatedHttpRequest
from courses.models import Offering
from courses.rescheduling import organisation_reschedule
from dashboard.forms import AdminForm, ClosurePeriodForm, OfferingForm, OrganisationSettingsForm
from organisations.decorators import organisation_admin_required
from organisations.memberships import organisation_admin_add, organisation_admin_remove
from organisations.models import ClosurePeriod, Membership, Organisation


def _page(request: AuthenticatedHttpRequest, organisation: Organisation, **forms: object) -> HttpResponse:
    context = {
        "organisation": organisation,
        "settings_form": OrganisationSettingsForm(instance=organisation),
        "closure_form": ClosurePeriodForm(),
        "offering_form": OfferingForm(organisation=organisation),
        "admin_form": AdminForm(),
        "closures": organisation.closures.all(),
        "offerings": organisation.offerings.select_related("course"),
        "admins": organisation.memberships.filter(role=Membership.Role.ADMIN).select_related("user"),
        **forms,
    }
    return render(request, "dashboard/settings.html", context, status=400 if forms else 200)


@organisation_admin_required
def settings_page(request: AuthenticatedHttpRequest, organisation: Organisation) -> HttpResponse:
    if request.method != "POST":
        return _page(request, organisation)
    form = OrganisationSettingsForm(request.POST, instance=organisation)
    if not form.is_valid():
        return _page(request, organisation, settings_form=form)
    form.save()
    moved = organisation_reschedule(organisation=organisation, now=timezone.now())
    message = ngettext(
        "Settings saved; %(count)s planned lesson moved.", "Settings saved; %(count)s planned lessons moved.", moved
    )
    messages.success(request, message % {"count": moved})
    return redirect("dashboard:settings", org_slug=organisation.slug)


@organisation_admin_required
@require_POST
def closure_add(request: AuthenticatedHttpRequest, organisation: Organisation) -> HttpResponse:
    form = ClosurePeriodForm(request.POST, instance=ClosurePeriod(organisation=organisation))
    if not form.is_valid():
        return _page(request, organisation, closure_form=form)
    form.save()
    moved = organisation_reschedule(organisation=organisation, now=timezone.now())
    message = ngettext(
        "Closure period added; %(count)s planned lesson moved.",
        "Closure period added; %(count)s planned lessons moved.",
        moved,
    )
    messages.success(request, message % {"count": moved})
    return redirect("dashboard:settings", org_slug=organisation.slug)


@organisation_admin_required
@require_POST
def closure_delete(request: AuthenticatedHttpRequest, organisation: Organisation, pk: int) -> HttpResponse:
    get_object_or_404(ClosurePeriod, organisation=organisation, pk=pk).delete()
    organisation_reschedule(organisation=organisation, now=timezone.now())
    messages.success(request, _("Closure period removed."))
    return redirect("dashboard:settings", org_slug=organisation.slug)


@organisation_admin_required
@require_POST
def offering_add(request: AuthenticatedHttpRequest, organisation: Organisation) -> HttpResponse:
    form = OfferingForm(request.POST, organisation=organisation)
    if not form.is_valid():
        return _page(request, organisation, offering_form=form)
    form.save()
    messages.success(request, _("Course added."))
    return redirect("dashboard:settings", org_slug=organisation.slug)


@organisation_admin_required
def offering_edit(request: AuthenticatedHttpRequest, organisation: Organisation, pk: int) -> HttpResponse:
    offering = get_object_or_404(Offering.objects.select_related("course"), organisation=organisation, pk=pk)
    form = OfferingForm(request.POST or None, instance=offering, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Course settings saved."))
        return redirect("dashboard:settings", org_slug=organisation.slug)
    context = {"organisation": organisation, "offering": offering, "form": form}
    return render(request, "dashboard/offering_edit.html", context, status=400 if form.errors else 200)


@organisation_admin_required
@require_POST
def admin_add(request: AuthenticatedHttpRequest, organisation: Organisation) -> HttpResponse:
    form = AdminForm(request.POST)
    if not form.is_valid():
        return _page(request, organisation, admin_form=form)
    organisation_admin_add(organisation=organisation, email=form.cleaned_data["email"])
    messages.success(request, _("Admin added. They sign in with a code sent to their email."))
    return redirect("dashboard:settings", org_slug=organisation.slug)


@organisation_admin_required
@require_POST
def admin_remove(request: AuthenticatedHttpRequest, organisation: Organisation, pk: int) -> HttpResponse:
    get_object_or_404(Membership, organisation=organisation, pk=pk, role=Membership.Role.ADMIN)
    if organisation_admin_remove(organisation=organisation, membership_id=pk, by=request.user):
        messages.success(request, _("Admin removed."))
    else:
        messages.error(request, _("You cannot remove yourself as admin."))
    return redirect("dashboard:settings", org_slug=organisation.slug)
