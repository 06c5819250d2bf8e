from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StudioConfig(AppConfig):
    """The trainer's side: their courses, the lesson editor, the order, versions and figures."""

    name = "studio"
    verbose_name = _("Studio")
