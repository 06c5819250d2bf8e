"""The site's front door: each person goes where their work is."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from organisations.selectors import organisations_for_admin


def home(request: HttpRequest) -> HttpResponse:
    """Send each person where their work is: their organisation, or their courses."""
    if not request.user.is_authenticated:
        return render(request, "home.html")
    administered = list(organisations_for_admin(request.user)[:2])  # type: ignore[arg-type]
    if len(administered) == 1 and not request.user.is_staff:
        return redirect("dashboard:home", org_slug=administered[0].slug)
    if request.user.is_staff:
        return redirect("admin:index")
    return redirect("learners:courses")
