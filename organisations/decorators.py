from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse

from accounts.http import AuthenticatedHttpRequest
from organisations.selectors import organisation_for_admin


def organisation_admin_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Resolve ``org_slug`` to an Organisation the user administers, or 404; pass it on."""

    @login_required
    @wraps(view)
    def wrapper(request: AuthenticatedHttpRequest, org_slug: str, *args: Any, **kwargs: Any) -> HttpResponse:
        organisation = organisation_for_admin(request.user, org_slug)
        return view(request, organisation, *args, **kwargs)

    return wrapper
