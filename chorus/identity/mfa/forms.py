from __future__ import annotations

from django import forms

from chorus.identity.mfa.models import MAX_GRACE_DAYS
from chorus.people.roles import Role


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=32,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
        help_text="The 6-digit code your authenticator app shows now.",
    )


class RecoveryForm(forms.Form):
    recovery_code = forms.CharField(
        label="Recovery code",
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        help_text="One of the codes you saved when you set up your factor, like abcde-12345.",
    )


class TotpConfirmForm(forms.Form):
    name = forms.CharField(
        label="Name of this device",
        max_length=60,
        required=False,
        help_text="So you can tell your factors apart, e.g. “Work phone”.",
    )
    code = forms.CharField(
        label="Code from the app",
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class PolicyForm(forms.Form):
    required_roles = forms.MultipleChoiceField(
        label="Roles that must use a second factor",
        choices=Role.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Administrators hold every role, so any role here applies to them too.",
    )
    grace_days = forms.IntegerField(
        label="Grace period (days)",
        min_value=0,
        max_value=MAX_GRACE_DAYS,
        help_text="Days a person may still sign in without a factor, counted from their first "
        "sign-in after the rule applies to them. 0: they enroll at their next sign-in.",
    )


class ResetRequestForm(forms.Form):
    reason = forms.CharField(
        label="Why",
        max_length=300,
        help_text="How the person proved who they are, e.g. “Lost phone; confirmed by video call”.",
    )
