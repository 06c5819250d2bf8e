"""Forms for the organisation admin's settings pages."""

import re
import zoneinfo
from functools import cache

import holidays
from django import forms
from django.utils.translation import gettext_lazy as _

from courses.models import Course, Offering
from organisations.models import ClosurePeriod, Organisation

# A date input's value must be ISO (yyyy-mm-dd) whatever the language; Dutch formats would leave it empty.
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


# Countries whose names a Belgian admin reads in their own language; the rest keep holidays' English name.
_COUNTRY_NAMES = {
    "BE": _("Belgium"),
    "NL": _("Netherlands"),
    "LU": _("Luxembourg"),
    "FR": _("France"),
    "DE": _("Germany"),
    "GB": _("United Kingdom"),
}


@cache
def timezone_choices() -> list[tuple[str, str]]:
    return [(name, name) for name in sorted(zoneinfo.available_timezones())]


def holiday_country_choices() -> list[tuple[str, object]]:
    """Every country the holidays package knows, by name; "none" first."""
    names = {
        code: _COUNTRY_NAMES.get(code, re.sub(r"(?<=[a-z])(?=[A-Z])", " ", entry[0]))
        for entry in holidays.registry.COUNTRIES.values()
        for code in entry[1:2]
    }
    supported = sorted(holidays.list_supported_countries(), key=lambda code: str(names.get(code, code)))
    return [("", _("No public holidays")), *((code, f"{names.get(code, code)} ({code})") for code in supported)]


class OrganisationSettingsForm(forms.ModelForm):
    timezone = forms.ChoiceField(label=_("time zone"), choices=timezone_choices, initial="Europe/Brussels")
    holiday_country = forms.ChoiceField(
        label=_("holiday calendar"),
        choices=holiday_country_choices,
        initial="BE",
        required=False,
        help_text=_("No lesson is sent on this country's public holidays."),
    )

    class Meta:
        model = Organisation
        fields = ["name", "timezone", "holiday_country"]


class ClosurePeriodForm(forms.ModelForm):
    class Meta:
        model = ClosurePeriod
        fields = ["label", "start", "end"]
        widgets = {"start": DATE, "end": DATE}

    def clean(self) -> dict:
        data = super().clean() or {}
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            # On the field, so the model's check constraint on it is not validated again and
            # its database message (the constraint's name) never reaches the page.
            self.add_error("end", _("The last day comes before the first day."))
        return data


class OfferingForm(forms.ModelForm):
    external_group_url = forms.URLField(
        label=_("External discussion link"),
        required=False,
        assume_scheme="https",
        help_text=_("Shown in every lesson mail, e.g. a Teams group."),
    )

    class Meta:
        model = Offering
        fields = ["course", "start_date", "seats", "external_group_url", "private_group"]
        widgets = {"start_date": DATE}
        labels = {"course": _("Course")}

    def __init__(self, *args: object, organisation: Organisation, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.organisation = organisation
        if self.instance.pk:
            del self.fields["course"]
        else:
            taken = organisation.offerings.values_list("course_id", flat=True)
            self.fields["course"].queryset = Course.objects.exclude(pk__in=taken)  # type: ignore[attr-defined]

    def save(self, commit: bool = True) -> Offering:
        self.instance.organisation = self.organisation
        return super().save(commit)


class AdminForm(forms.Form):
    email = forms.EmailField(label=_("Email address of the new admin"))
