"""Invite links: one per offering, which employees use to enrol themselves; who may use them."""

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.http import AuthenticatedHttpRequest
from courses.invites import DEFAULT_DAYS, invite_renew, invite_token
from courses.models import Offering
from dashboard.invite_qr import invite_qr_file, invite_qr_inline
from organisations.decorators import organisation_admin_required
from organisations.models import Organisation, email_domains_parse

MAX_DAYS = 365


class EmailDomainsForm(forms.ModelForm):
    class Meta:
        model = Organisation
        fields = ["allowed_email_domains"]
        labels = {"allowed_email_domains": gettext_lazy("Allowed email domains")}
        help_texts = {
            "allowed_email_domains": gettext_lazy(
                "For example avelgem.be, ocmw-avelgem.be. Only addresses at these domains can join by an "
                "invite link. Leave empty to let any address join."
            )
        }
        widgets = {"allowed_email_domains": forms.TextInput(attrs={"class": "field", "autocomplete": "off"})}

    def clean_allowed_email_domains(self) -> str:
        return ", ".join(email_domains_parse(self.cleaned_data["allowed_email_domains"]))


def _link(request: AuthenticatedHttpRequest, offering: Offering) -> str:
    token = invite_token(offering)
    return request.build_absolute_uri(reverse("join", args=[token])) if token else ""


def _qr_label(offering: Offering) -> str:
    return _("QR code of the invite link for %(course)s") % {"course": offering.course.title}


@organisation_admin_required
def invite_list(request: AuthenticatedHttpRequest, organisation: Organisation) -> HttpResponse:
    return _invite_page(request, organisation, None)


def _invite_page(
    request: AuthenticatedHttpRequest, organisation: Organisation, form: "EmailDomainsForm | None"
) -> HttpResponse:
    offerings = Offering.objects.filter(organisation=organisation).select_related("course").order_by("course__title")
    today = timezone.localdate()
    rows = []
    for offering in offerings:
        link = _link(request, offering)
        expired = offering.invite_expires_on is not None and offering.invite_expires_on < today
        qr = mark_safe(invite_qr_inline(link, label=_qr_label(offering))) if link and not expired else ""  # noqa: S308
        rows.append({"offering": offering, "link": link, "expired": expired, "qr": qr})
    context = {
        "organisation": organisation,
        "rows": rows,
        "default_days": DEFAULT_DAYS,
        "max_days": MAX_DAYS,
        "domains_form": form or EmailDomainsForm(instance=organisation),
    }
    return render(request, "dashboard/invite_list.html", context, status=400 if form else 200)


@organisation_admin_required
@require_POST
def invite_new(request: AuthenticatedHttpRequest, organisation: Organisation, offering_id: int) -> HttpResponse:
    offering = get_object_or_404(Offering.objects.select_related("course"), organisation=organisation, pk=offering_id)
    try:
        days = min(max(int(request.POST.get("days", DEFAULT_DAYS)), 1), MAX_DAYS)
    except ValueError:
        days = DEFAULT_DAYS
    __, replaced = invite_renew(offering=offering, today=timezone.localdate(), days=days)
    if replaced:
        message = _("New invite link for %(course)s, valid for %(days)s days. The previous link no longer works.")
    else:
        message = _("Invite link for %(course)s made, valid for %(days)s days.")
    messages.success(request, message % {"course": offering.course.title, "days": days})
    return redirect("dashboard:invites", org_slug=organisation.slug)


@organisation_admin_required
@require_POST
def invite_domains(request: AuthenticatedHttpRequest, organisation: Organisation) -> HttpResponse:
    form = EmailDomainsForm(request.POST, instance=organisation)
    if not form.is_valid():
        return _invite_page(request, organisation, form)
    form.save()
    domains = organisation.email_domains
    if domains:
        text = _("Only addresses at %(domains)s can join by an invite link now.") % {"domains": ", ".join(domains)}
    else:
        text = _("Any email address can join by an invite link now.")
    messages.success(request, text)
    return redirect("dashboard:invites", org_slug=organisation.slug)


@organisation_admin_required
def invite_qr(request: AuthenticatedHttpRequest, organisation: Organisation, offering_id: int) -> HttpResponse:
    """The link's QR code as an SVG file to print on a poster."""
    offering = get_object_or_404(Offering.objects.select_related("course"), organisation=organisation, pk=offering_id)
    link = _link(request, offering)
    if not link:
        return redirect("dashboard:invites", org_slug=organisation.slug)
    response = HttpResponse(invite_qr_file(link, label=_qr_label(offering)), content_type="image/svg+xml")
    response["Content-Disposition"] = f'attachment; filename="invite-{offering.course.slug}.svg"'
    return response
