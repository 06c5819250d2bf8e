from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardConfig(AppConfig):
    """The organisation admin's side: dashboard, staff, settings, invites, digest."""

    name = "dashboard"
    verbose_name = _("Dashboard")
