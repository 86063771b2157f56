from __future__ import annotations

from typing import Any, cast

from django import forms

from chorus.people.models import User
from chorus.reports.models import Category, Network, Report
from chorus.reports.services import MAX_SCREENSHOTS
from chorus.reports.services.routing import STAFF_ROLES

CATEGORY_HELP = {
    Category.HARASSMENT: "Threats, abuse or harassment aimed at a colleague.",
    Category.LEAK: "Trade secrets, unreleased products, customer or security data posted publicly.",
    Category.IMPERSONATION: "A fake account or page posing as the company or an executive.",
    Category.CRISIS: "A complaint about the company going viral, or a safety or product crisis.",
    Category.SECURITY: "Phishing, scams, fake job offers or fraud using our name.",
    Category.OTHER: "Something else that puts colleagues or customers at risk.",
}


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (the pattern from Django's documentation)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget",
            MultipleFileInput(
                attrs={
                    "accept": "image/png,image/jpeg,image/gif,image/webp",
                }
            ),
        )
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class ReportForm(forms.Form):
    url = forms.CharField(
        label="Link to the post",
        max_length=2000,
        widget=forms.URLInput(
            attrs={"placeholder": "https://", "inputmode": "url", "autocomplete": "off"}
        ),
        help_text="Copy it from the address bar or the post's share menu.",
    )
    category = forms.ChoiceField(
        label="What kind of concern is it?", choices=Category.choices, widget=forms.RadioSelect
    )
    network = forms.ChoiceField(
        label="Network",
        required=False,
        choices=[("", "Detect it from the link"), *Network.choices],
        help_text="We recognise X, Bluesky, Mastodon, LinkedIn, Facebook and others from the link.",
    )
    description = forms.CharField(
        label="What did you see, and why does it concern you?",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    post_text = forms.CharField(
        label="Text of the post (optional)",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Paste it if you can: posts get deleted.",
    )
    screenshots = MultipleFileField(
        label="Screenshots (optional)",
        required=False,
        help_text=f"Up to {MAX_SCREENSHOTS} PNG, JPEG, GIF or WebP images, 5 MB each.",
    )
    anonymous = forms.BooleanField(
        label="Report anonymously",
        required=False,
        help_text="Your name is not stored at all, and staff see only the day it arrived, not "
        "the time. You get a report key to follow up. For extra distance, send it from a "
        "private browser window (sign in there, send, close the window), so nothing about it "
        "stays in this browser's history.",
    )


class TransitionForm(forms.Form):
    to = forms.ChoiceField(choices=Report.Status.choices, widget=forms.HiddenInput)
    reason = forms.CharField(
        label="Why (for the history)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    outcome = forms.CharField(
        label="Outcome for the reporters",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="They read this. No names or confidential details.",
    )


class QuestionForm(forms.Form):
    submission = forms.IntegerField(widget=forms.HiddenInput)
    question = forms.CharField(
        label="Ask this reporter", max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label="Your answer", max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )


class NoteForm(forms.Form):
    note = forms.CharField(label="Note", max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))


class KeyForm(forms.Form):
    key = forms.CharField(
        label="Report key",
        max_length=100,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "spellcheck": "false",
                "placeholder": "XXXXX-XXXXX-XXXXX-XXXXX",
            }
        ),
        help_text="The key you were shown when you sent your report.",
    )


class QueueFilterForm(forms.Form):
    status = forms.ChoiceField(
        required=False,
        choices=[("open", "Open (new or triaging)"), ("", "Any status"), *Report.Status.choices],
    )
    category = forms.ChoiceField(required=False, choices=[("", "Any category"), *Category.choices])
    network = forms.ChoiceField(required=False, choices=[("", "Any network"), *Network.choices])
    sla = forms.ChoiceField(
        required=False,
        label="SLA",
        choices=[("", "Any SLA"), ("overdue", "Overdue"), ("due_soon", "Due soon")],
    )
    mine = forms.BooleanField(required=False, label="Assigned to me")


class RoutingRuleForm(forms.Form):
    team = forms.ModelMultipleChoiceField(
        queryset=User.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    lead = forms.ModelChoiceField(
        queryset=User.objects.none(), required=False, empty_label="No lead"
    )
    sla_hours = forms.IntegerField(label="SLA (hours to a decision)", min_value=1, max_value=720)

    def __init__(self, *args: Any, organization_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only staff roles handle reports: employees and managers are never offered here.
        users = (
            User.objects.filter(
                organization_id=organization_id, is_active=True, groups__name__in=STAFF_ROLES
            )
            .distinct()
            .order_by("full_name")
        )
        cast(forms.ModelChoiceField, self.fields["team"]).queryset = users
        cast(forms.ModelChoiceField, self.fields["lead"]).queryset = users
