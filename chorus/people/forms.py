import zoneinfo
from typing import Any

from django import forms
from django.apps import apps
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    """Django's login form that also refuses members of a suspended organization, and members
    of an organization that requires single sign-on, saying why (the password was right, so
    telling them reveals nothing)."""

    def confirm_login_allowed(self, user) -> None:  # type: ignore[no-untyped-def]
        super().confirm_login_allowed(user)
        org = getattr(user, "organization", None)
        if org is not None and org.suspended_at is not None:
            raise forms.ValidationError(org.suspension_message, code="suspended")
        if apps.is_installed("chorus.identity"):
            # Organizations that enforce single sign-on refuse passwords (but one break-glass
            # administrator's); the identity app owns that rule.
            from chorus.identity.sso.services import password_refusal

            refusal = password_refusal(user)
            if refusal:
                raise forms.ValidationError(refusal, code="sso_required")


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        max_length=100, label="Token name", help_text="E.g. “CI pipeline” or “my laptop”."
    )


def _zone_choices() -> list[tuple[str, str]]:
    return [("", "My organization's time zone")] + [
        (name, name.replace("_", " ")) for name in sorted(zoneinfo.available_timezones())
    ]


class TimezoneForm(forms.Form):
    timezone = forms.ChoiceField(
        choices=_zone_choices,
        required=False,
        label="Time zone",
        help_text="Dates and times on every page are shown in this zone.",
    )


def _language_choices() -> list[tuple[str, Any]]:
    from django.conf import settings

    return [("", _("My browser's language, else my organization's")), *list(settings.LANGUAGES)]


class LanguageForm(forms.Form):
    language = forms.ChoiceField(
        choices=_language_choices,
        required=False,
        label=_("Language"),
        help_text=_("Chorus and your policy are shown in this language."),
    )
