from django.apps import AppConfig


class LearnersConfig(AppConfig):
    """The learner's own space: courses and progress, pause, data export, erasure, joining by invite."""

    name = "learners"
