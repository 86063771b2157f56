from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class ErasureForm(forms.Form):
    confirm_name = forms.CharField(
        label=_("Type the person's full name to confirm"),
        max_length=200,
        help_text=_("Erasure cannot be undone."),
    )
    reason = forms.CharField(
        label=_("Request"),
        max_length=300,
        help_text=_("Which request this is, e.g. 'Art. 17 request received 3 May'. No names."),
    )
