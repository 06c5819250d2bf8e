"""Forms for the organisation admin's settings pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from courses.models import Course, Offering
from organisations.models import ClosurePeriod, Organisation

# A date input's value must be ISO (yyyy-mm-dd) whatever the language; Dutch formats would leave it empty.
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class OrganisationSettingsForm(forms.ModelForm):
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
            raise forms.ValidationError(_("The last day comes before the first day."))
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
