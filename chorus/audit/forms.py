from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

DATE = forms.DateInput(attrs={"type": "date"})


class AuditFilterForm(forms.Form):
    action = forms.CharField(required=False, label=_("Action starts with"), max_length=100)
    actor = forms.ChoiceField(required=False, label=_("Who"))
    obj = forms.CharField(
        required=False, label=_("Object"), max_length=300, help_text=_("E.g. INC-3 or R-00003")
    )
    since = forms.DateField(
        required=False, label=_("From"), widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        required=False, label=_("To"), widget=forms.DateInput(attrs={"type": "date"})
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
            self.add_error("until", gettext("“To” is before “From”: swap the two dates."))
        return data
