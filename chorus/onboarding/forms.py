from __future__ import annotations

from typing import Any, cast

from django import forms

from chorus.onboarding.models import Campaign, OnboardingSettings, Stage
from chorus.people.models import Department, Person


class PersonForm(forms.Form):
    full_name = forms.CharField(max_length=200, label="Name")
    email = forms.EmailField(label="E-mail", help_text="Work e-mail, or personal e-mail for "
                             "candidates. It identifies the person on re-import.")
    status = forms.ChoiceField(choices=Person.Status.choices)
    department = forms.CharField(max_length=120, required=False,
                                 help_text="Created if it does not exist yet.")
    manager = forms.ModelChoiceField(queryset=Person.objects.none(), required=False,
                                     empty_label="No manager")
    title = forms.CharField(max_length=200, required=False, label="Job title")
    location = forms.CharField(max_length=120, required=False)
    start_date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    stage = forms.ChoiceField(choices=[("", "Not in onboarding"), *Stage.choices],
                              required=False, label="Onboarding stage",
                              help_text="Candidates start at the job posting stage.")

    def __init__(self, *args: Any, organization: Any, person: Person | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        managers = Person.objects.filter(organization=organization).exclude(
            status=Person.Status.LEAVER)
        if person is not None:
            managers = managers.exclude(pk=person.pk)
            del self.fields["stage"]  # stages move on the person page, with a history
        cast(forms.ModelChoiceField, self.fields["manager"]).queryset = (
            managers.order_by("full_name"))


class ImportForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text="Columns: name, email, department, manager (their e-mail), start date, "
        "status (candidate, employee or leaver), location. Optional: title, stage, employee id. "
        "Any encoding and delimiter a spreadsheet produces.",
    )


class CampaignForm(forms.Form):
    name = forms.CharField(max_length=200, help_text="E.g. “New hires 2026” or “Sales team”.")
    version = forms.ChoiceField(label="Policy version")
    audience = forms.ChoiceField(choices=[c for c in Campaign.Audience.choices
                                          if c[0] != Campaign.Audience.REATTEST],
                                 widget=forms.RadioSelect, initial=Campaign.Audience.NEW_HIRES)
    department = forms.ModelChoiceField(queryset=Department.objects.none(), required=False,
                                        help_text="Only for “A department”.")
    due_days = forms.IntegerField(min_value=1, max_value=365, label="Days to complete")

    def __init__(self, *args: Any, versions: Any, organization: Any, due_days: int,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["version"]).choices = [
            (v.pk, f"{v.policy} · version {v.number}"
                   f" ({(v.document or {}).get('preset', 'balanced')} preset)")
            for v in versions]
        cast(forms.ModelChoiceField, self.fields["department"]).queryset = (
            Department.objects.filter(organization=organization))
        self.fields["due_days"].initial = due_days


class StageForm(forms.Form):
    stage = forms.ChoiceField(choices=Stage.choices, label="Move to stage")
    note = forms.CharField(max_length=300, required=False, label="Note (optional)")


class SettingsForm(forms.ModelForm):
    class Meta:
        model = OnboardingSettings
        fields = ["introduce_at", "default_due_days", "reminder_every_days",
                  "escalate_after_days", "link_valid_days", "candidate_retention_days",
                  "import_date_order", "job_ad_notice", "offer_clause"]
        labels = {
            "introduce_at": "Introduce the policy",
            "default_due_days": "Days to complete (default for new campaigns)",
            "reminder_every_days": "Remind every (days)",
            "escalate_after_days": "Tell the manager after (days)",
            "link_valid_days": "Personal links stay valid for (days)",
            "candidate_retention_days": "Delete not-hired candidates after (days)",
            "import_date_order": "Dates like 03/04/2026 mean",
            "job_ad_notice": "Job ad notice",
            "offer_clause": "Offer-letter clause",
        }
        help_texts = {
            "reminder_every_days": "People with a pending request get an e-mail this often.",
            "escalate_after_days": "Counted from the request; their manager gets one e-mail.",
            "candidate_retention_days": "Counted from marking a candidate “not hired”; then "
            "their person record, requests and acknowledgments are deleted.",
            "job_ad_notice": "Leave blank to use the suggested text.",
            "offer_clause": "Leave blank to use the suggested text.",
        }
        widgets = {"job_ad_notice": forms.Textarea(attrs={"rows": 4}),
                   "offer_clause": forms.Textarea(attrs={"rows": 6})}

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        for name in ("reminder_every_days", "link_valid_days", "default_due_days"):
            if data.get(name) is not None and data[name] < 1:
                self.add_error(name, "Use at least 1 day.")
        return data


class QuestionForm(forms.Form):
    prompt = forms.CharField(max_length=300, label="Question")
    choice_1 = forms.CharField(max_length=200, label="Answer 1")
    choice_2 = forms.CharField(max_length=200, label="Answer 2")
    choice_3 = forms.CharField(max_length=200, label="Answer 3", required=False)
    choice_4 = forms.CharField(max_length=200, label="Answer 4", required=False)
    correct = forms.ChoiceField(choices=[(str(i), f"Answer {i + 1}") for i in range(4)],
                                label="Right answer")
    explanation = forms.CharField(max_length=500, required=False,
                                  help_text="Shown when someone gets it wrong.")


class PassMarkForm(forms.Form):
    pass_mark = forms.IntegerField(min_value=1, label="Correct answers needed")
