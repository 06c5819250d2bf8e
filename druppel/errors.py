"""The error pages: Django's handlers with our templates (templates/400.html …), plus two of our own.

A lesson link that no longer opens (a mail scanner rewrote its token, or it was cut off when
copied) gets the page that mails fresh links instead of a plain 404. A CSRF failure renders
with the request, so the page has the site's header and a fresh form token for the next try.
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views import defaults

from learners.views_fresh_link import fresh_link_page

# URL names whose token is a lesson delivery's: a broken one gets the fresh-link offer.
LESSON_LINK_NAMESPACES = {"lessons"}
LESSON_LINK_VIEWS = {"lesson_thread", "discussions:mail_thread"}


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    match = getattr(request, "resolver_match", None)
    if match and (match.namespace in LESSON_LINK_NAMESPACES or match.view_name in LESSON_LINK_VIEWS):
        return fresh_link_page(request, status=404)
    return defaults.page_not_found(request, exception)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return render(request, "403_csrf.html", status=403)
