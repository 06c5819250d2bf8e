"""The weekly digest's "stop" link: a confirm page on GET; the POST (a mailbox's RFC 8058
one-click, or the page's button) stops the digest for that admin. The signed token is the
credential, so no sign-in and no CSRF token are needed."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from core.http import token_page
from dashboard.digest import digest_stop, digest_stop_membership, digest_stopped


@never_cache
@csrf_exempt
@require_http_methods(["GET", "POST"])
def weekly_digest_stop(request: HttpRequest, token: str) -> HttpResponse:
    membership = digest_stop_membership(token)
    if membership is None:
        raise Http404("This link is not valid.")
    if request.method == "POST":
        digest_stop(membership=membership)
    done = request.method == "POST" or digest_stopped(membership=membership)
    return token_page(
        render(request, "dashboard/digest_stop.html", {"organisation": membership.organisation, "done": done})
    )
