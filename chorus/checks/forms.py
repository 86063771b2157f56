from django import forms
from django.utils.translation import gettext_lazy as _

NETWORKS = [
    ("", "Any network"),
    ("x", "X"),
    ("bluesky", "Bluesky"),
    ("mastodon", "Mastodon"),
    ("linkedin", "LinkedIn"),
    ("facebook", "Facebook"),
]


class CheckForm(forms.Form):
    text = forms.CharField(
        label="Your draft post",
        widget=forms.Textarea(attrs={"rows": 7, "autofocus": True}),
        required=False,
        max_length=100_000,
        help_text="Checked as you type against your organization's published policy. "
        "Nothing you type here is stored unless you ask for a review.",
    )
    network = forms.ChoiceField(label="Where will you post it?", choices=NETWORKS, required=False)


class ReviewRequestForm(CheckForm):
    question = forms.CharField(
        label="Question for the reviewer (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class AnswerForm(forms.Form):
    status = forms.ChoiceField(
        label="Decision",
        choices=[("approved", "Fine to post"), ("changes", "Changes suggested")],
        widget=forms.RadioSelect,
    )
    answer = forms.CharField(
        label="Note to the author", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class ImageCheckForm(forms.Form):
    image = forms.FileField(
        label=_("Image with text"),
        required=False,
        help_text=_("A screenshot, a photo of a whiteboard or a badge: its text is read and "
                    "checked like a post. PNG, JPEG, GIF or WebP."),
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/png,image/jpeg,image/gif,image/webp"}
        ),
    )
    language = forms.ChoiceField(
        label=_("Language of the text"),
        required=False,
        choices=[("", _("Detect (all five)")), ("en", "English"), ("de", "Deutsch"),
                 ("fr", "Français"), ("es", "Español"), ("pt", "Português")],
    )
