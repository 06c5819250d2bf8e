from django.apps import AppConfig


class LearnersConfig(AppConfig):
    """The learner's own space: courses and progress, pause, data export, erasure, joining by invite."""

    name = "learners"

    def ready(self) -> None:
        from learners import signals  # noqa: F401 - connects the receivers
