from __future__ import annotations

from typing import Any, cast

from django import forms

DATE = forms.DateInput(attrs={"type": "date"})


class AuditFilterForm(forms.Form):
    action = forms.CharField(required=False, label="Action starts with", max_length=100)
    actor = forms.ChoiceField(required=False, label="Who")
    obj = forms.CharField(
        required=False, label="Object", max_length=300, help_text="E.g. INC-3 or R-00003"
    )
    since = forms.DateField(
        required=False, label="From", widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        required=False, label="To", widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, actors: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["actor"]).choices = [("", "Anyone")] + [
            (a, a) for a in actors
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", "“To” is before “From”: swap the two dates.")
        return data
