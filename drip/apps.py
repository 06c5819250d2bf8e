from django.apps import AppConfig


class DripConfig(AppConfig):
    """The drip: planning each slot's lessons, sending them in batches, the lesson mail, and what
    SendGrid reports back. Its models (deliveries, batches, attempts, counters) stay in lessons/."""

    name = "drip"
    verbose_name = "Drip"
