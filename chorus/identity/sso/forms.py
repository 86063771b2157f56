"""Forms of single sign-on: the e-mail step of "Continue with SSO" and the admin settings."""

from __future__ import annotations

from django import forms

from chorus.identity.sso.models import DEFAULT_ATTRIBUTE_MAP, MAPPABLE_ROLES

ATTRIBUTE_LABELS = {
    "email": "E-mail",
    "given_name": "Given name",
    "family_name": "Family name",
    "display_name": "Display name",
    "department": "Department",
    "manager_email": "Manager's e-mail",
    "location": "Location",
    "title": "Job title",
    "preferred_language": "Preferred language",
    "groups": "Groups",
    "active": "Active flag (optional)",
}


class SsoEmailForm(forms.Form):
    email = forms.EmailField(label="Work e-mail", max_length=254,
                             widget=forms.EmailInput(attrs={"autocomplete": "email",
                                                            "autofocus": True}))


class OidcForm(forms.Form):
    name = forms.CharField(max_length=100, label="Name shown to people",
                           widget=forms.TextInput(attrs={"placeholder": "Okta"}))
    discovery_url = forms.URLField(
        max_length=500, label="Discovery URL",
        help_text="Ends in /.well-known/openid-configuration.", assume_scheme="https")
    client_id = forms.CharField(max_length=255, label="Client id")
    client_secret = forms.CharField(
        max_length=1000, required=False, label="Client secret",
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text="Stored encrypted and never shown again. Leave empty to keep the stored one.")
    scopes = forms.CharField(max_length=300, initial="openid email profile", label="Scopes")
    enabled = forms.BooleanField(required=False, initial=True, label="Enabled")


class SamlForm(forms.Form):
    name = forms.CharField(max_length=100, label="Name shown to people",
                           widget=forms.TextInput(attrs={"placeholder": "Entra ID"}))
    metadata_url = forms.URLField(max_length=500, required=False, label="IdP metadata URL",
                                  assume_scheme="https")
    metadata_file = forms.FileField(required=False, label="…or upload the IdP metadata XML")
    enabled = forms.BooleanField(required=False, initial=True, label="Enabled")


class MappingForm(forms.Form):
    mfa_values = forms.CharField(
        required=False, label="Values meaning “second factor used”",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One per line: OIDC acr values or SAML AuthnContextClassRef values. OIDC amr "
                  "values mfa, otp, hwk, swk, fpt always count.")

    def __init__(self, *args, protocol: str = "oidc", **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        for key in DEFAULT_ATTRIBUTE_MAP[protocol]:
            self.fields[f"attr_{key}"] = forms.CharField(
                max_length=200, required=key == "email", label=ATTRIBUTE_LABELS[key])


class GroupMappingForm(forms.Form):
    group = forms.CharField(max_length=200, label="IdP group")
    role = forms.ChoiceField(choices=[(r.value, r.label) for r in MAPPABLE_ROLES],
                             label="Chorus role")


class EnforcementForm(forms.Form):
    enforced = forms.BooleanField(required=False, label="Require single sign-on for everyone")
    break_glass_user = forms.ChoiceField(
        required=False, label="Break-glass administrator (keeps a password)")

    def __init__(self, *args, admins=(), **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["break_glass_user"].choices = [("", "—")] + [  # type: ignore[attr-defined]
            (str(u.pk), f"{u.full_name} ({u.email})") for u in admins]
