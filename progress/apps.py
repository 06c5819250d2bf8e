from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgressConfig(AppConfig):
    """What happens after a lesson is sent: answers and reads, the fold into the aggregates,
    certificates and reminders."""

    name = "progress"
    verbose_name = _("Progress")
