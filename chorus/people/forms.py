from django import forms


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        max_length=100, label="Token name", help_text="E.g. “CI pipeline” or “my laptop”."
    )
