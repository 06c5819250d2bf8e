from django.http import HttpRequest

from accounts.models import User


class AuthenticatedHttpRequest(HttpRequest):
    """For views behind login_required: request.user is a User, never anonymous."""

    user: User  # type: ignore[assignment]
