"""/healthz: what a load balancer and an operator ask."""

from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from drip.health import CHECKS, system_health


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """The database, the broker, beat, the send queue and SendGrid, as JSON; 503 when any is bad.

    ``?check=database`` (comma-separated names) runs only those: a load balancer should
    not take web nodes out because beat or SendGrid is unwell (docs/operations.md).
    """
    only = [name for name in request.GET.get("check", "").split(",") if name]
    unknown = sorted(set(only) - set(CHECKS))
    if unknown:
        return JsonResponse({"status": "error", "error": f"unknown check: {', '.join(unknown)}"}, status=400)
    health = system_health(now=timezone.now(), only=only or None)
    return JsonResponse(health.as_json(), status=200 if health.ok else 503)
