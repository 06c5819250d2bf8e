from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DiscussionsConfig(AppConfig):
    """The course's closed discussion group: a thread per lesson, moderated by trainers."""

    name = "discussions"
    verbose_name = _("Discussions")

    def ready(self) -> None:
        from discussions import signals  # noqa: F401 - connects the receivers
