from __future__ import annotations

from typing import Any, cast

from django import forms

from chorus.incidents import matrix as M
from chorus.incidents.models import (
    MODIFIERS,
    History,
    IncidentReview,
    Outcome,
    Response,
    Severity,
)
from chorus.incidents.services import CHECKLIST_ANSWERS, PROTECTED_CHECKLIST
from chorus.people.models import Person

MODIFIER_CHOICES = [("0", "Neutral"), ("1", "Aggravating (+1)"), ("-1", "Mitigating (−1)")]


class ModifierFieldsMixin(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, spec in MODIFIERS.items():
            self.fields[name] = forms.TypedChoiceField(
                label=spec["label"], choices=MODIFIER_CHOICES, coerce=int, initial="0",
                help_text=f"+1: {spec['up']}. −1: {spec['down']}.")

    def modifiers(self) -> dict[str, int]:
        return {name: self.cleaned_data.get(name, 0) for name in MODIFIERS}


class TryCaseForm(ModifierFieldsMixin):
    severity = forms.ChoiceField(choices=Severity.choices, initial=Severity.MEDIUM)
    history = forms.ChoiceField(label="Prior history", choices=History.choices)
    legal_approved = forms.BooleanField(
        label="Legal approved moving more than one step", required=False)

    field_order = ["severity", "history", *MODIFIERS, "legal_approved"]


class AssessForm(ModifierFieldsMixin):
    prefix = "assess"
    severity = forms.ChoiceField(
        choices=[("", "Choose…"), *Severity.choices],
        help_text="The confirmed, non-protected severity after the facts are established.")

    field_order = ["severity", *MODIFIERS]


class MatrixForm(forms.Form):
    """The whole grid as one select per cell, plus the handling settings."""

    window_months = forms.IntegerField(
        label="Look-back window (months)", min_value=1, max_value=120,
        help_text="Decided incidents within this window count as prior history.")
    response_days = forms.IntegerField(
        label="Employee response window (days)", min_value=1, max_value=60,
        help_text="No decision can be recorded before this passes, unless the employee answered.")
    retention_days = forms.IntegerField(
        label="Evidence retention after closing (days)", min_value=30, max_value=3650,
        help_text="Then evidence content is purged (hashes stay), unless legal set a hold.")
    appeal_days = forms.IntegerField(
        label="Appeal window (days)", min_value=1, max_value=90, required=False,
        help_text="Days after a decision during which the employee may appeal it.")
    change_summary = forms.CharField(label="What changed and why", max_length=300, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for sev in M.SEVERITY_ORDER:
            for hist in M.HISTORY_ORDER:
                self.fields[f"cell_{sev}_{hist}"] = forms.ChoiceField(
                    label=f"{M.label(Severity, sev)} × {M.label(History, hist)}",
                    choices=Response.choices)

    def cell(self, sev: str, hist: str) -> forms.BoundField:
        return self[f"cell_{sev}_{hist}"]

    def cells(self) -> dict[str, dict[str, str]]:
        return {sev: {hist: self.cleaned_data[f"cell_{sev}_{hist}"] for hist in M.HISTORY_ORDER}
                for sev in M.SEVERITY_ORDER}

    @staticmethod
    def initial_for(matrix: Any) -> dict[str, Any]:
        initial = {"window_months": matrix.window_months, "response_days": matrix.response_days,
                   "retention_days": matrix.retention_days,
                   "appeal_days": matrix.appeal_days,
                   "change_summary": matrix.change_summary}
        for sev, row in matrix.cells.items():
            for hist, value in row.items():
                initial[f"cell_{sev}_{hist}"] = value
        return initial


class IncidentCreateForm(forms.Form):
    subject = forms.ModelChoiceField(queryset=Person.objects.none(), label="Who it concerns")
    title = forms.CharField(max_length=200, help_text="A short, neutral description.")
    category = forms.ChoiceField(required=False, choices=[])
    rule_ids = forms.MultipleChoiceField(label="Policy rules concerned", required=False,
                                         choices=[], widget=forms.CheckboxSelectMultiple)
    summary = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False,
                              label="What was reported")
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False,
                           label="Post text", help_text="Paste it exactly; it is hashed.")
    url = forms.URLField(required=False, label="Link to the post", assume_scheme="https")
    network = forms.CharField(required=False, max_length=40)

    def __init__(self, *args: Any, people: Any, rules: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["subject"]).queryset = people
        cast(forms.ChoiceField, self.fields["rule_ids"]).choices = [
            (r.id, f"{r.title} ({r.id})") for r in rules]
        categories = sorted({r.category for r in rules if r.category})
        cast(forms.ChoiceField, self.fields["category"]).choices = [("", "Choose…")] + [
            (c, c.replace("_", " ").capitalize()) for c in categories] + [("other", "Other")]


class EvidenceForm(forms.Form):
    # Every form on the incident page has a prefix, so field ids never collide.
    prefix = "evidence"
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False,
                           label="Post text")
    url = forms.URLField(required=False, label="Link", assume_scheme="https")
    network = forms.CharField(required=False, max_length=40)
    screenshot = forms.FileField(required=False,
                                 help_text="PNG, JPEG, GIF or WebP. Stored with its SHA-256.")
    note = forms.CharField(required=False, max_length=300, label="Where and when captured")


class FactsForm(forms.Form):
    prefix = "facts"
    subject = forms.ModelChoiceField(queryset=Person.objects.none(), label="Who it concerns")
    authorship_confirmed = forms.BooleanField(
        required=False, label="The post is really theirs (not a parody, hack or impersonation)")
    lawful_access_confirmed = forms.BooleanField(
        required=False,
        label="It was public, reported voluntarily or on a company system (no credentials, "
              "no coerced access)")
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False,
                           label="What happened and how you checked it")

    def __init__(self, *args: Any, people: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["subject"]).queryset = people


class ScreenForm(forms.Form):
    prefix = "screen"
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for key, question in PROTECTED_CHECKLIST.items():
            self.fields[key] = forms.ChoiceField(
                label=question, choices=[(a, a.capitalize()) for a in CHECKLIST_ANSWERS],
                widget=forms.RadioSelect, required=False)


class NotifyForm(forms.Form):
    prefix = "notify"
    notice_text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), required=False,
        label="What is alleged (the employee reads this)",
        help_text="Name the post and the policy rule, and say they may answer in writing.")


class ResponseForm(forms.Form):
    prefix = "response"
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}), required=False, label="Your response",
        help_text="Your side, in your words. You may explain context, correct facts, or say "
                  "you prefer not to comment. It is stored exactly as written.")


class MultipleImageInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleImageField(forms.FileField):
    """Several files in one input; each is validated by its bytes in the service."""

    def clean(self, data: Any, initial: Any = None) -> Any:
        if isinstance(data, list | tuple):
            return [super(MultipleImageField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []


class EmployeeResponseForm(ResponseForm):
    """The employee's own response: text, up to three images, a meeting and a companion."""

    attachments = MultipleImageField(
        required=False, label="Attach screenshots or photos (optional)",
        widget=MultipleImageInput(attrs={"accept": "image/png,image/jpeg,image/gif,image/webp"}),
        help_text="Up to 3 images (PNG, JPEG, GIF or WebP). HR sees them with your response; "
                  "each is fingerprinted so it cannot be changed later.")
    meeting_requested = forms.BooleanField(
        required=False, label="I would like to talk this through in a meeting")
    representative = forms.CharField(
        required=False, max_length=200, label="Someone to accompany me (optional)",
        help_text="A representative or colleague, e.g. “Sam Rivera (works council)”.")


class ReviewForm(forms.Form):
    prefix = "review"
    kind = forms.ChoiceField(choices=IncidentReview.Kind.choices, label="Review")
    verdict = forms.ChoiceField(choices=IncidentReview.Verdict.choices)
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False,
                           label="Reasons")
    approves_beyond_one_step = forms.BooleanField(
        required=False, label="Legal: allow the modifiers to move more than one step")


class DecideForm(forms.Form):
    prefix = "decide"
    outcome = forms.ChoiceField(choices=[("", "Choose…"), *Outcome.choices])
    justification = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False,
        label="Justification",
        help_text="Required when the outcome differs from the matrix suggestion.")


class ContainForm(forms.Form):
    prefix = "contain"
    action = forms.ChoiceField(label="Step", choices=[
        ("pause_advocacy", "Pause advocacy access"),
        ("resume_advocacy", "Resume advocacy access"),
        ("takedown", "Ask for the post to be taken down"),
    ])
    note = forms.CharField(max_length=300, required=False, label="Why")


class ShareForm(forms.Form):
    prefix = "share"
    manager = forms.ModelChoiceField(queryset=Person.objects.none(), label="Manager")

    def __init__(self, *args: Any, managers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["manager"]).queryset = managers


class CloseForm(forms.Form):
    prefix = "close"
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False,
                           label="Closing note",
                           help_text="Required when dismissing without a decision.")


class HoldForm(forms.Form):
    prefix = "hold"
    hold = forms.BooleanField(required=False, label="Keep the evidence (legal hold)")
    reason = forms.CharField(max_length=300, required=False)


# Response fairness (issue 20): appeals and warnings that are not strikes.

class AppealForm(forms.Form):
    grounds = forms.CharField(
        label="Why do you appeal?", widget=forms.Textarea(attrs={"rows": 5}),
        help_text="What is wrong with the facts, the process or the sanction. A reviewer who "
                  "took no part in your case decides.")


class AppealAssignForm(forms.Form):
    reviewer: forms.ModelChoiceField = forms.ModelChoiceField(
        queryset=None, label="Reviewer")  # type: ignore[arg-type]

    def __init__(self, *args: Any, reviewers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reviewer"].queryset = reviewers  # type: ignore[attr-defined]


class AppealDecideForm(forms.Form):
    result = forms.ChoiceField(label="Result", widget=forms.RadioSelect, choices=[
        ("upheld", "Upheld: the decision stands"),
        ("varied", "Varied: a different sanction applies"),
        ("overturned", "Overturned: no sanction")])
    new_outcome = forms.ChoiceField(label="Sanction that now applies (if varied)",
                                    required=False,
                                    choices=[("", "—"), *[c for c in Outcome.choices
                                                          if c[0] != Outcome.NO_ACTION]])
    reasons = forms.CharField(label="Reasons", widget=forms.Textarea(attrs={"rows": 4}),
                              help_text="The employee reads them.")


class InformalActionForm(forms.Form):
    subject: forms.ModelChoiceField = forms.ModelChoiceField(
        queryset=None, label="Employee")  # type: ignore[arg-type]
    kind = forms.ChoiceField(label="Kind", choices=[
        ("coaching_note", "Coaching note"), ("informal_warning", "Informal warning")])
    note = forms.CharField(label="What was discussed and what is expected",
                           widget=forms.Textarea(attrs={"rows": 4}))
    expires_in_days = forms.IntegerField(label="Expires after (days)", required=False,
                                         min_value=1, max_value=365,
                                         help_text="Empty: 90 days for a coaching note, 180 for "
                                                   "an informal warning.")
    incident = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, people: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["subject"].queryset = people  # type: ignore[attr-defined]
