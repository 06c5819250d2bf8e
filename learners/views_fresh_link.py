"""The page a broken lesson link leads to: type your address, get fresh links by mail.

It answers the same sentence whatever the address (no one learns who takes a course here),
and both the address and the visitor's IP are rate-limited in the cache (allauth's limiter,
which also knows the trusted proxies)."""

from allauth.core import ratelimit
from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from learners.fresh_links import fresh_links_send

RATE_ACTION = "fresh_lesson_links"


class FreshLinkForm(forms.Form):
    email = forms.EmailField(
        label=_("Your email address"), widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True})
    )


def fresh_link_page(request: HttpRequest, *, status: int = 200, form: FreshLinkForm | None = None) -> HttpResponse:
    """The offer, also shown by the 404 handler for a broken lesson link (with status 404);
    after a request (``?sent``) the one neutral answer instead."""
    context = {"form": form or FreshLinkForm(), "broken": status == 404, "sent": "sent" in request.GET}
    return render(request, "learners/fresh_link.html", context, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def fresh_link(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return fresh_link_page(request)
    form = FreshLinkForm(request.POST)
    if not form.is_valid():
        return fresh_link_page(request, status=400, form=form)
    email = form.cleaned_data["email"].lower()
    # Over the limit, nothing is sent, and the page still says the same.
    if ratelimit.consume(request, action=RATE_ACTION, key=email):
        fresh_links_send(email=email, now=timezone.now())
    return redirect(reverse("lessons:fresh_link") + "?sent")
