"""Druppel's URLs plus an empty view, placed last like the lesson pages (the resolver walks the same list)."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from druppel.urls import urlpatterns as druppel_urlpatterns


def empty(request: HttpRequest, token: str) -> HttpResponse:
    """Nothing: no query, no template. What is left is gunicorn, Django's middleware and the client."""
    return HttpResponse(b"", content_type="text/plain")


urlpatterns = [*druppel_urlpatterns, path("bench/empty/<str:token>/", empty, name="bench_empty")]
