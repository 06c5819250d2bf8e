from django.apps import AppConfig


class DashboardConfig(AppConfig):
    """The organisation admin's side: dashboard, staff, settings, invites, digest."""

    name = "dashboard"
