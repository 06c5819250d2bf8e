"""The project's URLs plus views that fail on purpose, so the error pages render as in production.

Django picks the error pages (handler400/403/404/500 in the root URLconf, CSRF_FAILURE_VIEW)
with DEBUG off; these views only raise, and Django does the rest.
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.utils.module_loading import import_string

from druppel import urls as project


def forbidden(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied


def bad_request(request: HttpRequest) -> HttpResponse:
    raise SuspiciousOperation("the 400 page, on purpose")


def server_error(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("the 500 page, on purpose")


def csrf_failure(request: HttpRequest) -> HttpResponse:
    """What CsrfViewMiddleware answers to a form posted without its CSRF cookie."""
    return import_string(settings.CSRF_FAILURE_VIEW)(request, reason="CSRF cookie not set.")


urlpatterns = [
    path("standards/403/", forbidden),
    path("standards/400/", bad_request),
    path("standards/500/", server_error),
    path("standards/csrf/", csrf_failure),
    *project.urlpatterns,
]

for _code in (400, 403, 404, 500):
    if hasattr(project, f"handler{_code}"):
        globals()[f"handler{_code}"] = getattr(project, f"handler{_code}")

# The real ways a person meets an error page: an unknown address, a lesson link a mail
# scanner mangled, an invite link that no longer works; and the failures above.
ERROR_PAGES = {
    "404 unknown address": "/no-such-page/",
    "404 mangled lesson link": "/l/mangled-by-a-scanner/",
    "404 broken invite link": "/join/not-a-real-invite/",
    # The broken lesson link's offer, answered: the one neutral sentence.
    "fresh links requested": "/l/?sent",
    "403": "/standards/403/",
    "400": "/standards/400/",
    "500": "/standards/500/",
    "403 CSRF failure": "/standards/csrf/",
}
