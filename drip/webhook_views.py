"""The SendGrid event webhook endpoint: signed, CSRF-exempt, POST only."""

import time

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from drip.events import events_apply
from mailer.webhook import (
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    PayloadError,
    SignatureError,
    parse_events,
    verify_signature,
)


@csrf_exempt  # SendGrid cannot send a CSRF token; the ECDSA signature authenticates it instead.
@require_POST
def sendgrid_events(request: HttpRequest) -> HttpResponse:
    """403 for a bad or stale signature, 400 for a malformed body; neither writes anything."""
    body = request.body
    try:
        verify_signature(
            body=body,
            signature=request.headers.get(SIGNATURE_HEADER, ""),
            timestamp=request.headers.get(TIMESTAMP_HEADER, ""),
            public_key=settings.SENDGRID_WEBHOOK_PUBLIC_KEY,
            now=time.time(),
            max_age=settings.SENDGRID_WEBHOOK_MAX_AGE_SECONDS,
        )
    except SignatureError as exc:
        return HttpResponse(f"forbidden: {exc}", status=403, content_type="text/plain")
    try:
        events, ignored = parse_events(body)
    except PayloadError as exc:
        return HttpResponse(f"bad request: {exc}", status=400, content_type="text/plain")
    report = events_apply(events=events, now=timezone.now())
    return JsonResponse({**report.as_dict(), "ignored": ignored})
