from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from chorus.posture.models import QuietPeriod

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"]


class QuietPeriodForm(forms.Form):
    name = forms.CharField(max_length=120, label=_("Name"),
                           help_text=_("For example “Q4 earnings blackout”."))
    kind = forms.ChoiceField(choices=QuietPeriod.Kind.choices, initial="earnings")
    reason = forms.CharField(max_length=500, label=_("Reason employees see"),
                             widget=forms.Textarea(attrs={"rows": 2}))
    starts_at = forms.DateTimeField(label=_("Starts"), widget=DATETIME, input_formats=FORMATS)
    ends_at = forms.DateTimeField(label=_("Ends"), widget=DATETIME, input_formats=FORMATS)
    terms = forms.CharField(
        label=_("Terms that block"), widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line: the ticker, “results”, “earnings”, a codename."))
    severity = forms.ChoiceField(
        choices=[("critical", _("Block any mention")), ("high", _("Flag as high severity"))],
        initial="critical")


class CrisisForm(forms.Form):
    topic = forms.CharField(max_length=200, label=_("Topic"),
                            help_text=_("What the crisis is about, e.g. “Lisbon warehouse fire”."))
    terms = forms.CharField(required=False, label=_("Terms screened strictly"),
                            widget=forms.Textarea(attrs={"rows": 3}),
                            help_text=_("One per line; any post mentioning them is blocked."))
    holding_statement = forms.CharField(label=_("Holding statement employees see"),
                                        widget=forms.Textarea(attrs={"rows": 3}))
    contact = forms.CharField(max_length=300, label=_("Who to contact"))
    sla_hours = forms.IntegerField(min_value=1, max_value=72, initial=2,
                                   label=_("Crisis queue SLA (hours)"))
    response_team = forms.MultipleChoiceField(widget=forms.CheckboxSelectMultiple,
                                              label=_("Response team"))

    def __init__(self, *args: Any, people: list[tuple[int, str]] | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["response_team"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = [(str(pk), name) for pk, name in (people or [])]


class ConfirmForm(forms.Form):
    code = forms.CharField(max_length=12, label=_("Confirmation code"))
