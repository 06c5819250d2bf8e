"""The Django admin names each of our apps in the reader's language."""

from django.apps import apps
from django.utils import translation

OURS: tuple[str, ...] = (
    "accounts",
    "courses",
    "dashboard",
    "discussions",
    "drip",
    "learners",
    "lessons",
    "mailer",
    "organisations",
    "progress",
    "studio",
)


def test_every_app_has_a_translated_verbose_name():
    with translation.override("nl"):
        names = {label: str(apps.get_app_config(label).verbose_name) for label in OURS}
    with translation.override("en"):
        english = {label: str(apps.get_app_config(label).verbose_name) for label in OURS}
    assert names["organisations"] == "Organisaties"
    assert names["discussions"] == "Gesprekken"
    untranslated = [label for label in OURS if names[label] == english[label] and label not in ("dashboard", "studio")]
    assert untranslated == []
