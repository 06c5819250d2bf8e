"""The studio's forms: course settings, the lesson editor (front matter, text, question), a new lesson."""

from typing import Any

from django import forms
from django.conf import settings
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from courses.models import Course
from lessons.models import LessonVersion, Module
from lessons.validation import MAX_OPTIONS, MAX_SUMMARY_CHARS, LessonDraft, QuestionDraft

WEEKDAYS = [
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
    (5, _("Saturday")),
    (6, _("Sunday")),
]


class CourseSettingsForm(forms.ModelForm):
    """What a trainer sets for the whole course. Weekdays and send time live on the course (every
    organisation's calendar applies them); an organisation's own group link lives on its offering."""

    weekdays = forms.TypedMultipleChoiceField(
        label=_("Weekdays"), choices=WEEKDAYS, coerce=int, widget=forms.CheckboxSelectMultiple
    )
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    external_group_url = forms.URLField(
        label=_("External group link"),
        required=False,
        assume_scheme="https",
        help_text=_("A Teams or other group every organisation without its own link uses."),
    )

    class Meta:
        model = Course
        fields = [
            "title",
            "description",
            "language",
            "weekdays",
            "send_time",
            "group_name",
            "group_intro",
            "external_group_url",
        ]
        widgets = {
            "send_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "description": forms.Textarea(attrs={"rows": 3}),
            "group_intro": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if name != "weekdays":
                field.widget.attrs.setdefault("class", "field")

    def clean_weekdays(self) -> list[int]:
        days = sorted(set(self.cleaned_data["weekdays"]))
        if not days:
            raise forms.ValidationError(_("Choose at least one weekday."))
        return days


class ModuleChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Module) -> str:  # type: ignore[override]
        return f"{obj.position}. {obj.title}"


class LessonForm(forms.Form):
    """The editor: front matter, the Markdown text and the check question (its correct option counts from 1)."""

    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    summary = forms.CharField(
        label=_("Summary"),
        max_length=300,
        required=False,
        help_text=_("The line the inbox shows under the subject."),
        widget=forms.TextInput(attrs={"data-max-chars": MAX_SUMMARY_CHARS}),
    )
    module = ModuleChoiceField(label=_("Module"), queryset=Module.objects.none(), empty_label=None)
    body_markdown = forms.CharField(
        label=_("Text (Markdown)"), required=False, widget=forms.Textarea(attrs={"rows": 18})
    )
    prompt = forms.CharField(label=_("Question"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    correct = forms.TypedChoiceField(
        label=_("Correct option"),
        coerce=int,
        empty_value=None,
        required=False,
        choices=[("", "—"), *[(n, str(n)) for n in range(1, MAX_OPTIONS + 1)]],
    )
    explanation = forms.CharField(label=_("Explanation"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, course: Course, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        module = self.fields["module"]
        assert isinstance(module, forms.ModelChoiceField)
        module.queryset = Module.objects.filter(course=course).order_by("position")
        for number in range(1, MAX_OPTIONS + 1):
            self.fields[f"option_{number}"] = forms.CharField(
                label=_("Option %(number)d") % {"number": number}, required=False, max_length=500
            )
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "field")

    def option_fields(self) -> list[forms.BoundField]:
        return [self[f"option_{number}"] for number in range(1, MAX_OPTIONS + 1)]

    @staticmethod
    def initial_for(version: LessonVersion | None, module: Module) -> dict[str, Any]:
        if version is None:
            return {"module": module.pk}
        question = version.question or {}
        initial: dict[str, Any] = {
            "title": version.title,
            "summary": version.summary,
            "module": module.pk,
            "body_markdown": version.body_markdown,
            "prompt": question.get("prompt", ""),
            "correct": question["correct"] + 1 if isinstance(question.get("correct"), int) else "",
            "explanation": question.get("explanation", ""),
        }
        for number, option in enumerate(question.get("options") or [], start=1):
            initial[f"option_{number}"] = option
        return initial

    def question(self) -> dict[str, Any] | None:
        """As a version stores it (``correct`` from 0), or None when the question is left empty."""
        data = self.cleaned_data
        options = [data.get(f"option_{n}", "").strip() for n in range(1, MAX_OPTIONS + 1)]
        while options and not options[-1]:
            options.pop()
        prompt, explanation, correct = data.get("prompt", ""), data.get("explanation", ""), data.get("correct")
        if not (prompt.strip() or options or explanation.strip() or correct):
            return None
        return {
            "prompt": prompt,
            "options": options,
            "correct": correct - 1 if isinstance(correct, int) else None,
            "explanation": explanation,
        }

    def content(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "title": data.get("title", ""),
            "summary": data.get("summary", ""),
            "body_markdown": data.get("body_markdown", ""),
            "question": self.question(),
        }

    def draft(self) -> LessonDraft:
        content = self.content()
        question = content["question"]
        return LessonDraft(
            content["title"],
            content["summary"],
            content["body_markdown"],
            QuestionDraft(question["prompt"], question["options"], question["correct"], question["explanation"])
            if question
            else None,
        )


class NewLessonForm(forms.Form):
    """A lesson inserted in the order: it starts unpublished, so nothing goes out before it is written."""

    title = forms.CharField(label=_("Title"), max_length=200, widget=forms.TextInput(attrs={"class": "field"}))
    slug = forms.SlugField(
        label=_("Slug"),
        max_length=120,
        required=False,
        help_text=_("Its name in the course folder; made from the title when left empty."),
        widget=forms.TextInput(attrs={"class": "field"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("slug") and data.get("title"):
            data["slug"] = slugify(data["title"])[:120].strip("-") or "les"
        return data


class ModuleForm(forms.Form):
    """A module's title and intro; a new one also gets its slug (its identity, also its folder's name)."""

    title = forms.CharField(label=_("Title"), max_length=200, widget=forms.TextInput(attrs={"class": "field"}))
    intro = forms.CharField(
        label=_("Introduction"), required=False, widget=forms.Textarea(attrs={"rows": 3, "class": "field"})
    )
    slug = forms.SlugField(
        label=_("Slug"),
        max_length=120,
        required=False,
        help_text=_("Its name in the course folder; made from the title when left empty."),
        widget=forms.TextInput(attrs={"class": "field"}),
    )

    def __init__(self, *args: Any, new: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not new:
            del self.fields["slug"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "slug" in self.fields and not data.get("slug") and data.get("title"):
            data["slug"] = slugify(data["title"])[:120].strip("-") or "module"
        return data
