from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from chorus.notifications.events import EVENT_TYPES


class WebhookForm(forms.Form):
    url = forms.CharField(label=_("Endpoint URL"), max_length=1000,
                          widget=forms.URLInput(attrs={"placeholder": _("https://"),
                                                       "autocomplete": "off"}),
                          help_text=_("Chorus POSTs signed JSON here (Standard Webhooks)."))
    description = forms.CharField(label=_("Description"), max_length=200, required=False)
    event_types = forms.MultipleChoiceField(
        label=_("Events to send"), choices=list(EVENT_TYPES.items()),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one event type to send.")},
    )


class SlackSettingsForm(forms.Form):
    drop_channel = forms.CharField(
        label=_("Channel for content drops"), max_length=32, required=False,
        help_text=_("The channel ID (starts with C; in Slack: channel name → About). Empty: "
                  "no drops."))


class TeamsForm(forms.Form):
    tenant_id = forms.CharField(label=_("Directory (tenant) ID"), max_length=64,
                                help_text=_("Entra admin center → Overview → Tenant ID."))
    workflow_url = forms.CharField(
        label=_("Workflows URL for content drops"), max_length=2000, required=False,
        widget=forms.URLInput(attrs={"placeholder": _("https://"), "autocomplete": "off"}),
        help_text=_("Optional. In Teams: Workflows → \"Post to a channel when a webhook request "
                  "is received\"; paste its URL. Stored encrypted."))
