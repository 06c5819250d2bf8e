"""Responses to pages opened from a signed link in a mail."""

from django.http import HttpResponse


def token_page(response: HttpResponse) -> HttpResponse:
    """A page whose URL is its credential: search engines must not index it, and the next site
    must not learn the URL from the Referer header."""
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response
