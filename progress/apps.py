from django.apps import AppConfig


class ProgressConfig(AppConfig):
    """What happens after a lesson is sent: answers and reads, the fold into the aggregates,
    certificates and reminders."""

    name = "progress"
    verbose_name = "Progress"
