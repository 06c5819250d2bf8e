"""Forms of the discussion group. Length is checked here for a clear message, and again in services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from discussions.services import MAX_POST_LENGTH


class PostForm(forms.Form):
    body = forms.CharField(
        label=_("Your post"),
        widget=forms.Textarea(attrs={"rows": 4, "class": "field"}),
        max_length=MAX_POST_LENGTH,
        error_messages={
            "max_length": _("Keep your post under %(limit_value)d characters; it has %(show_value)d."),
            "required": _("Write something first."),
        },
        help_text=_("Markdown works: **bold**, *italic*, [link](https://…). No images or HTML."),
    )
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)


class ThreadForm(PostForm):
    title = forms.CharField(label=_("Title"), max_length=200, widget=forms.TextInput(attrs={"class": "field"}))

    field_order = ["title", "body"]


class HideForm(forms.Form):
    reason = forms.CharField(label=_("Reason for hiding"), max_length=300)


class ReportForm(forms.Form):
    reason = forms.CharField(label=_("What is wrong with this post?"), max_length=300, required=False)
