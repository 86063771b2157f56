"""Forms of the setup wizard and the administration pages. Validation that matters lives in
the services (one message for the web, the API and the CLI); these only parse."""

from __future__ import annotations

import zoneinfo
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.core.mail import EmailMultiAlternatives
from django.template import loader

from chorus.people.models import User
from chorus.people.roles import ROLE_DESCRIPTIONS, Role

ROLE_CHOICES = [(r.value, r.label) for r in Role]


def timezone_choices() -> list[tuple[str, str]]:
    return [(tz, tz.replace("_", " ")) for tz in sorted(zoneinfo.available_timezones())]


def language_choices() -> list[tuple[str, str]]:
    return [(code, f"{label} ({code})") for code, label in settings.LANGUAGES]


class RolesField(forms.MultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("choices", ROLE_CHOICES)
        kwargs.setdefault(
            "help_text", "Administrators hold every role. Everyone who works here is an employee."
        )
        super().__init__(**kwargs)


class OrganizationFieldsMixin(forms.Form):
    name = forms.CharField(max_length=200, label="Organization name")
    verified_domains = forms.CharField(
        label="E-mail domains",
        required=False,
        help_text="Your organization's e-mail domains, one per line or comma-separated (e.g. "
        "acme.com). Invitations go only to these domains.",
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    jurisdictions = forms.CharField(
        label="Jurisdictions",
        help_text="Where your employees work: US, US-CA, EU, DE, UK, … The policy lints "
        "apply the laws of these places.",
    )
    timezone = forms.ChoiceField(label="Time zone", choices=timezone_choices)
    language = forms.ChoiceField(label="Language", choices=language_choices)


class SetupOrganizationForm(OrganizationFieldsMixin):
    setup_code = forms.CharField(
        label="Setup code",
        required=False,
        help_text="Printed by `chorus init --setup-code` on the server.",
    )

    def __init__(self, *args: Any, code_required: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not code_required:
            del self.fields["setup_code"]
        else:
            self.fields["setup_code"].required = True
        self.order_fields(["setup_code"])


class SetupPolicyForm(forms.Form):
    preset = forms.ChoiceField(
        label="Starting policy",
        widget=forms.RadioSelect,
        choices=[("strict", "Strict"), ("balanced", "Balanced"), ("loose", "Loose")],
        initial="balanced",
    )


class PasswordPairMixin(forms.Form):
    password1 = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 8 characters, not a common password, not only digits and not "
        "close to your name or e-mail.",
    )
    password2 = forms.CharField(
        label="Password again",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password1") and data.get("password2") != data.get("password1"):
            self.add_error("password2", "The two passwords differ; type the same one twice.")
        return data


class SetupAdminForm(PasswordPairMixin):
    admin_name = forms.CharField(max_length=200, label="Your name")
    admin_email = forms.EmailField(label="Your e-mail address")
    field_order = ["admin_name", "admin_email", "password1", "password2"]


class InviteForm(forms.Form):
    email = forms.EmailField(label="E-mail address")
    full_name = forms.CharField(max_length=200, label="Name", required=False)
    roles = RolesField(label="Roles", initial=[Role.EMPLOYEE])


class RolesForm(forms.Form):
    roles = RolesField(label="Roles")


class DeactivateForm(forms.Form):
    reason = forms.CharField(max_length=300, required=False, label="Reason (for the audit trail)")


class OrganizationForm(OrganizationFieldsMixin):
    email_sender = forms.CharField(
        max_length=254,
        required=False,
        label="E-mail sender",
        help_text="The From of Chorus mail, e.g. Acme Chorus <chorus@acme.com>, at one of your "
        "domains. Empty: the installation's default sender.",
    )
    logo = forms.FileField(
        required=False, label="Logo", help_text="PNG, JPEG, GIF or WebP, at most 1 MB."
    )
    remove_logo = forms.BooleanField(required=False, label="Remove the current logo")


class InvitationAcceptForm(PasswordPairMixin):
    full_name = forms.CharField(max_length=200, label="Your name")
    field_order = ["full_name", "password1", "password2"]


class ChorusPasswordResetForm(PasswordResetForm):
    """Django's reset form: only active accounts of organizations that are not suspended,
    and mail from the organization's sender."""

    def get_users(self, email: str):  # type: ignore[no-untyped-def, override]
        return (
            u
            for u in super().get_users(email)
            if u.organization is None or u.organization.suspended_at is None
        )

    def send_mail(  # type: ignore[override]
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        from chorus.administration.services import sender_for

        user: User = context["user"]
        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body = loader.render_to_string(email_template_name, context)
        EmailMultiAlternatives(subject, body, sender_for(user.organization), [to_email]).send()


ROLE_HELP = {r.value: ROLE_DESCRIPTIONS[r] for r in Role}
