from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from chorus.legalexport.models import ExportJob


class ExportForm(forms.Form):
    scope = forms.ChoiceField(label=_("What to export"), choices=ExportJob.Scope.choices,
                              widget=forms.RadioSelect)
    incident_id = forms.IntegerField(label=_("Case number (for one case)"), required=False,
                                     min_value=1, max_value=2**31 - 1,
                                     help_text=_("The number after INC-, e.g. 12."))
    since = forms.DateField(label=_("First day (for a date range)"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("Last day (for a date range)"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}))
