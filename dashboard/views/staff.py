"""The organisation's staff: the list, and importing HR's spreadsheet (upload → preview → confirm)."""

import datetime as dt

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Prefetch, QuerySet
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods, require_POST

from accounts.http import AuthenticatedHttpRequest
from courses.models import Enrolment, Offering, StaffUpload
from courses.staff_import import StaffPlan, staff_import_plan
from courses.staff_uploads import (
    Confirmation,
    ImportProgress,
    staff_upload_confirm,
    staff_upload_is_stuck,
    staff_upload_progress,
)
from courses.tasks import import_staff_upload
from organisations.decorators import organisation_admin_required
from organisations.models import Membership, Organisation
from organisations.staff_csv import MAX_BYTES, parse_staff_csv

PAGE_SIZE = 100
STALE_UPLOAD = dt.timedelta(days=1)
# The preview lists this many rows; its summary counts them all. 100,000 table rows
# would be tens of megabytes of HTML.
PREVIEW_ROWS = 1000


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
    # Off unless asked for: a short file in full-list mode removes everyone it does not name.
    full_list = forms.BooleanField(
        required=False,
        initial=False,
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
            raise forms.ValidationError(_("The file is larger than %(mb)s MB.") % {"mb": MAX_BYTES // (1024 * 1024)})
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
        StaffUpload.objects.filter(
            organisation=organisation, confirmed_at__isnull=True, imported_at__isnull=True, created_at__lt=stale
        ).delete()
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


def _upload(organisation: Organisation, upload_id: int) -> StaffUpload:
    # Scoped to the organisation: another organisation's upload id is a 404.
    return get_object_or_404(
        StaffUpload.objects.select_related("offering__course"), organisation=organisation, pk=upload_id
    )


def _plan(upload: StaffUpload) -> StaffPlan:
    course = upload.offering.course if upload.offering else None
    return staff_import_plan(
        organisation=upload.organisation,
        staff=parse_staff_csv(bytes(upload.data)),
        course=course,
        full=upload.full_list,
    )


def _to_status(organisation: Organisation, upload: StaffUpload) -> HttpResponse:
    return redirect("dashboard:staff_import_status", org_slug=organisation.slug, upload_id=upload.pk)


@organisation_admin_required
def staff_import_preview(request: AuthenticatedHttpRequest, organisation: Organisation, upload_id: int) -> HttpResponse:
    upload = _upload(organisation, upload_id)
    if upload.imported_at:
        messages.info(request, _("This file was already imported."))
        return _to_status(organisation, upload)
    if upload.confirmed_at:
        return _to_status(organisation, upload)
    plan = _plan(upload)
    removals = len(plan.removals)
    context = {
        "organisation": organisation,
        "upload": upload,
        "plan": plan,
        "entries": plan.entries[:PREVIEW_ROWS],
        "hidden": max(0, len(plan.entries) - PREVIEW_ROWS),
        "confirm_label": confirm_label(plan),
        "removals": removals,
        "removals_label": ngettext(
            "I understand that %(count)s person will be unenrolled.",
            "I understand that %(count)s people will be unenrolled.",
            removals,
        )
        % {"count": removals},
    }
    return render(request, "dashboard/staff_preview.html", context)


def confirm_label(plan: StaffPlan) -> str:
    """The confirm button says what it does: "Confirm: 4 new, 11 to remove"."""
    counts = plan.counts
    parts = [
        template % {"count": counts[action]}
        for action, template in (
            ("create", ngettext("%(count)s new", "%(count)s new", counts["create"])),
            ("update", ngettext("%(count)s updated", "%(count)s updated", counts["update"])),
            ("enrol", ngettext("%(count)s enrolled", "%(count)s enrolled", counts["enrol"])),
            ("remove", ngettext("%(count)s to remove", "%(count)s to remove", counts["remove"])),
        )
        if counts[action]
    ]
    return _("Confirm: %(changes)s") % {"changes": ", ".join(parts)} if parts else _("Confirm the import")


@organisation_admin_required
@require_POST
def staff_import_confirm(request: AuthenticatedHttpRequest, organisation: Organisation, upload_id: int) -> HttpResponse:
    upload = _upload(organisation, upload_id)
    if upload.imported_at:
        # The back button, a second click: say so, and lead to what was imported.
        return _already_imported(request, organisation, upload)
    if upload.full_list and upload.confirmed_at is None:
        # Removals need their own tick, for as many people as the plan removes now (the list may
        # have changed since the preview): checked here too, not only by the browser.
        removals = len(_plan(upload).removals)
        if removals and request.POST.get("removals") != str(removals):
            messages.error(request, _("Tick the box to confirm who leaves, then confirm again."))
            return redirect("dashboard:staff_import_preview", org_slug=organisation.slug, upload_id=upload.pk)
    language = request.LANGUAGE_CODE
    confirmation = staff_upload_confirm(
        upload=upload, now=timezone.now(), queue=lambda pk: import_staff_upload.delay(pk, language=language)
    )
    if confirmation == Confirmation.ALREADY_IMPORTED:
        return _already_imported(request, organisation, upload)
    if confirmation == Confirmation.ALREADY_QUEUED:
        messages.info(request, _("This staff list is already being imported."))
    return _to_status(organisation, upload)


def _already_imported(
    request: AuthenticatedHttpRequest, organisation: Organisation, upload: StaffUpload
) -> HttpResponse:
    upload.refresh_from_db(fields=["imported_at"])
    context = {"organisation": organisation, "upload": upload}
    return render(request, "dashboard/staff_import_done.html", context)


@organisation_admin_required
def staff_import_status(request: AuthenticatedHttpRequest, organisation: Organisation, upload_id: int) -> HttpResponse:
    """The progress bar: the page reloads itself every few seconds until the import is done."""
    upload = _upload(organisation, upload_id)
    if "application/json" in request.headers.get("Accept", ""):
        # The page's script asks; it reloads the page once the import is done or stuck.
        progress = staff_upload_progress(upload.pk)
        return JsonResponse(_progress_state(upload, progress, staff_upload_is_stuck(upload, timezone.now())))
    if upload.imported_at:
        return redirect("dashboard:staff_import_result", org_slug=organisation.slug, upload_id=upload.pk)
    if upload.confirmed_at is None:
        if upload.error:
            messages.error(request, upload.error)
        return redirect("dashboard:staff_import_preview", org_slug=organisation.slug, upload_id=upload.pk)
    progress = staff_upload_progress(upload.pk)
    stuck = staff_upload_is_stuck(upload, timezone.now())
    context = {"organisation": organisation, "upload": upload, "progress": progress, "stuck": stuck}
    return render(request, "dashboard/staff_import_progress.html", context)


def _progress_state(upload: StaffUpload, progress: ImportProgress | None, stuck: bool) -> dict:
    """What the progress page's script needs to move its bar (static/js/import-progress.js)."""
    done, total = (progress.done, progress.total) if progress else (0, 0)
    message = _("%(done)s of %(total)s rows processed.") % {"done": done, "total": total}
    return {
        "finished": upload.imported_at is not None,
        "stuck": stuck,
        "done": done,
        "total": total,
        "message": message,
    }


@organisation_admin_required
def staff_import_result(request: AuthenticatedHttpRequest, organisation: Organisation, upload_id: int) -> HttpResponse:
    upload = _upload(organisation, upload_id)
    if not upload.imported_at:
        return _to_status(organisation, upload)
    counts = upload.result.get("counts", {})
    summary = _(
        "Staff list imported: %(created)s new, %(updated)s updated, %(unchanged)s unchanged, "
        "%(enrolled)s enrolled, %(removed)s removed."
    ) % {
        "created": counts.get("create", 0),
        "updated": counts.get("update", 0),
        "unchanged": counts.get("unchanged", 0),
        "enrolled": counts.get("enrol", 0),
        "removed": counts.get("remove", 0),
    }
    errors = upload.result.get("errors", [])
    context = {
        "organisation": organisation,
        "upload": upload,
        "summary": summary,
        "errors": errors,
        "hidden_errors": max(0, counts.get("error", 0) - len(errors)),
    }
    return render(request, "dashboard/staff_import_result.html", context)
