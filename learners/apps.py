from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LearnersConfig(AppConfig):
    """The learner's own space: courses and progress, pause, data export, erasure, joining by invite."""

    name = "learners"
    verbose_name = _("Learners")

    def ready(self) -> None:
        from learners import signals  # noqa: F401 - connects the receivers
