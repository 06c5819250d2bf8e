"""The organisation's staff: the list, and importing HR's spreadsheet (upload → preview → confirm)."""

import datetime as dt

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from accounts.http import AuthenticatedHttpRequest
from courses.models import Enrolment, Offering, StaffUpload
from courses.staff_import import StaffImportRefused, StaffPlan, staff_import_plan, staff_import_run
from organisations.decorators import organisation_admin_required
from organisations.models import Membership, Organisation
from organisations.staff_csv import MAX_BYTES, parse_staff_csv

PAGE_SIZE = 100
STALE_UPLOAD = dt.timedelta(days=1)


class OfferingChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Offering) -> str:  # type: ignore[override]
        return obj.course.title


class StaffUploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Staff list (CSV)"))
    offering = OfferingChoiceField(
        queryset=Offering.objects.none(),
        required=False,
        label=gettext_lazy("Enrol in course"),
        empty_label=gettext_lazy("No course, only the member list"),
    )
    full_list = forms.BooleanField(
        required=False,
        initial=True,
        label=gettext_lazy("This is the complete staff list"),
        help_text=gettext_lazy("Imported people who are not in this file leave: their course stops, history stays."),
    )

    def __init__(self, *args: object, organisation: Organisation, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        field = self.fields["offering"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Offering.objects.filter(organisation=organisation).select_related("course")

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 2 MB."))
        return upload


def staff_members(organisation: Organisation) -> QuerySet[Membership]:
    """Members with their enrolments, in three queries whatever the page size."""
    enrolments = Enrolment.objects.select_related("course").order_by("course__title")
    return (
        Membership.objects.filter(organisation=organisation)
        .select_related("user")
        .prefetch_related(Prefetch("enrolments", queryset=enrolments))
        .order_by("-is_active", "user__last_name", "user__first_name", "user__email")
    )


@organisation_admin_required
def staff_list(request: AuthenticatedHttpRequest, organisation: Organisation) -> HttpResponse:
    page = Paginator(staff_members(organisation), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "dashboard/staff_list.html", {"organisation": organisation, "page": page})


@organisation_admin_required
@require_http_methods(["GET", "POST"])
def staff_import(request: AuthenticatedHttpRequest, organisation: Organisation) -> HttpResponse:
    form = StaffUploadForm(request.POST or None, request.FILES or None, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        # Staff lists are personal data: drop this organisation's abandoned previews.
        stale = timezone.now() - STALE_UPLOAD
        StaffUpload.objects.filter(organisation=organisation, imported_at__isnull=True, created_at__lt=stale).delete()
        file = form.cleaned_data["file"]
        upload = StaffUpload.objects.create(
            organisation=organisation,
            uploaded_by=request.user,
            filename=file.name[:200],
            data=file.read(),
            offering=form.cleaned_data["offering"],
            full_list=form.cleaned_data["full_list"],
        )
        return redirect("dashboard:staff_import_preview", org_slug=organisation.slug, upload_id=upload.pk)
    return render(request, "dashboard/staff_import.html", {"organisation": organisation, "form": form})


def _pending_upload(organisation: Organisation, upload_id: int) -> StaffUpload:
    # Scoped to the organisation: another organisation's upload id is a 404.
    return get_object_or_404(
        StaffUpload.objects.select_related("offering__course"),
        organisation=organisation,
        pk=upload_id,
        imported_at__isnull=True,
    )


def _plan(upload: StaffUpload) -> StaffPlan:
    course = upload.offering.course if upload.offering else None
    return staff_import_plan(
        organisation=upload.organisation,
        staff=parse_staff_csv(bytes(upload.data)),
        course=course,
        full=upload.full_list,
    )


@organisation_admin_required
def staff_import_preview(request: AuthenticatedHttpRequest, organisation: Organisation, upload_id: int) -> HttpResponse:
    upload = _pending_upload(organisation, upload_id)
    context = {"organisation": organisation, "upload": upload, "plan": _plan(upload)}
    return render(request, "dashboard/staff_preview.html", context)


@organisation_admin_required
@require_POST
def staff_import_confirm(request: AuthenticatedHttpRequest, organisation: Organisation, upload_id: int) -> HttpResponse:
    upload = _pending_upload(organisation, upload_id)
    offering = upload.offering
    now = timezone.now()
    try:
        with transaction.atomic():
            # Claim the upload in the same transaction: a second confirmation (double
            # click, back button) finds nothing, and a refused import leaves it pending.
            if not StaffUpload.objects.filter(pk=upload.pk, imported_at__isnull=True).update(imported_at=now):
                raise Http404("This staff list was already imported.")
            plan = staff_import_run(
                organisation=organisation,
                staff=parse_staff_csv(bytes(upload.data)),
                course=offering.course if offering else None,
                full=upload.full_list,
                start_date=offering.start_date if offering else timezone.localdate(),
                now=now,
            )
    except StaffImportRefused as exc:
        messages.error(request, str(exc))
        return redirect("dashboard:staff_import_preview", org_slug=organisation.slug, upload_id=upload.pk)
    counts = plan.counts
    messages.success(
        request,
        _(
            "Staff list imported: %(created)s new, %(updated)s updated, %(unchanged)s unchanged, "
            "%(enrolled)s enrolled, %(removed)s removed."
        )
        % {
            "created": counts["create"],
            "updated": counts["update"],
            "unchanged": counts["unchanged"],
            "enrolled": counts["enrol"],
            "removed": counts["remove"],
        },
    )
    return redirect("dashboard:staff_list", org_slug=organisation.slug)
