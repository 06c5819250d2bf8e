from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from organisations.decorators import organisation_admin_required
from organisations.models import Organisation


@organisation_admin_required
def organisation_home(request: HttpRequest, organisation: Organisation) -> HttpResponse:
    return render(request, "dashboard/home.html", {"organisation": organisation})
