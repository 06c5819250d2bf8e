from django.apps import AppConfig


class DiscussionsConfig(AppConfig):
    """The course's closed discussion group: a thread per lesson, moderated by trainers."""

    name = "discussions"
    verbose_name = "Discussions"

    def ready(self) -> None:
        from discussions import signals  # noqa: F401 - connects the receivers
