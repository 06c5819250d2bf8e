from collections.abc import Callable
from functools import wraps

from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from accounts.models import User


def admin_login_through_allauth(login_view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Send /admin/login/ to allauth's sign-in, so TOTP and allauth's rate limits apply.

    Django's own admin form would let a password alone in, past a staff member's
    second factor, with no throttle. A signed-in staff member goes on to the admin
    (Django's view redirects them); anyone else signed in is refused rather than
    bounced between the two login pages.
    """

    @wraps(login_view)
    def login(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        user = request.user
        if user.is_authenticated:
            if not (user.is_active and user.is_staff):
                raise PermissionDenied
            return login_view(request, *args, **kwargs)
        next_url = request.GET.get(REDIRECT_FIELD_NAME) or reverse("admin:index")
        return redirect_to_login(next_url, login_url=reverse("account_login"))

    return login


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_trainer", "is_staff"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Personal info", {"fields": ["first_name", "last_name"]}),
        ("Roles", {"fields": ["is_active", "is_trainer", "is_staff", "is_superuser", "groups"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]
