from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from organisations.decorators import organisation_admin_required
from organisations.models import Organisation


@organisation_admin_required
def organisation_home(request: HttpRequest, organisation: Organisation) -> HttpResponse:
    """The organisation's landing page is its dashboard."""
    return redirect("dashboard:dashboard", org_slug=organisation.slug)
