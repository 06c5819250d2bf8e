from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DripConfig(AppConfig):
    """The drip: planning each slot's lessons, sending them in batches, the lesson mail, and what
    SendGrid reports back. Its models (deliveries, batches, attempts, counters) stay in lessons/."""

    name = "drip"
    verbose_name = _("Drip")
