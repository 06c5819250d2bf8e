"""The site's front door: each person goes where their work is."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from courses.selectors import courses_trained_by
from organisations.selectors import organisations_for_admin


def home(request: HttpRequest) -> HttpResponse:
    """Send each person where their work is: trainers (platform staff too) to the studio, which
    links to any organisation they also administer; an organisation admin to their organisation;
    learners to their courses."""
    if not request.user.is_authenticated:
        return render(request, "home.html")
    if courses_trained_by(request.user).exists():  # type: ignore[arg-type]
        return redirect("studio:home")
    administered = list(organisations_for_admin(request.user)[:2])  # type: ignore[arg-type]
    if len(administered) == 1 and not request.user.is_staff:
        return redirect("dashboard:home", org_slug=administered[0].slug)
    if request.user.is_staff:
        return redirect("admin:index")
    return redirect("learners:courses")
