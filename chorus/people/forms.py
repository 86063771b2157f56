import zoneinfo

from django import forms


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
