from django import forms
from django.utils.translation import gettext_lazy as _

from chorus.monitoring.models import MonitoringSettings, Network

HANDLE_HELP = {
    "mastodon": "Your full handle, like @emery@mastodon.social.",
    "bluesky": "Your handle, like emery.bsky.social, or your DID.",
    "rss": "The feed address, like https://blog.example.com/feed.xml.",
    "x_archive": "Your X username, like @emery (used only to label the uploads).",
    "linkedin_export": "Your LinkedIn profile name or URL (used only to label the uploads).",
}


class LinkForm(forms.Form):
    handle = forms.CharField(max_length=300, label=_("Account"))
    read_from = forms.DateField(
        required=False, label=_("Read posts published since"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Only posts from this date on are imported; older ones are ignored. "
                  "Leave empty to import only posts from today on."),
    )
    agreed = forms.BooleanField(
        required=False, label=_("I have read the text above and I consent to it."))
    consent_version = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, network: str, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["handle"].help_text = HANDLE_HELP[network]
        if network not in ("x_archive", "linkedin_export"):
            del self.fields["read_from"]


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Export file"),
        help_text=_("X: data/tweets.js or the archive .zip. LinkedIn: Shares.csv or the export "
                  ".zip. Up to 50 MB."),
    )


class SettingsForm(forms.Form):
    enabled_networks = forms.MultipleChoiceField(
        choices=Network.choices, required=False, widget=forms.CheckboxSelectMultiple,
        label=_("Networks employees may link"),
    )
    alert_threshold = forms.ChoiceField(
        choices=MonitoringSettings.Threshold.choices,
        label=_("Tell the employee about findings of"),
    )
    retention_days = forms.IntegerField(min_value=1, max_value=365,
                                        label=_("Keep posts for (days)"))
    escalate_after = forms.IntegerField(
        min_value=1, label=_("Send to the report queue after this many findings in 90 days"),
        help_text=_("Critical findings always go to the queue."),
    )
    dpia_reference = forms.CharField(
        max_length=300, required=False, label=_("DPIA reference"),
        help_text=_("Required for organizations in the EU before any network is enabled."),
    )
    works_council_reference = forms.CharField(
        max_length=300, required=False, label=_("Works-council agreement"),
        help_text=_("Required for organizations with German establishments."),
    )
