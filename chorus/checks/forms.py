from django import forms

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
