from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from organisations.selectors import organisations_for_admin


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness and database reachability, for load balancers."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:  # noqa: BLE001 - any database failure means unhealthy
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok"})


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
