from __future__ import annotations

from django import forms


class ErasureForm(forms.Form):
    confirm_name = forms.CharField(
        label="Type the person's full name to confirm",
        max_length=200,
        help_text="Erasure cannot be undone.",
    )
    reason = forms.CharField(
        label="Request",
        max_length=300,
        help_text="Which request this is, e.g. 'Art. 17 request received 3 May'. No names.",
    )
