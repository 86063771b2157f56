from __future__ import annotations

from typing import Any

from django import forms


class ScimTokenForm(forms.Form):
    name = forms.CharField(max_length=100, label="Token name",
                           help_text="The identity provider that uses it, e.g. “Okta”.")


class AffiliationForm(forms.Form):
    name = forms.CharField(max_length=63, required=False, label="Handle name",
                           help_text="Letters, digits and hyphens, e.g. “emery”.")
    domain = forms.ChoiceField(required=False, label="Domain")
    did = forms.CharField(max_length=2048, required=False, label="Your Bluesky DID",
                          help_text="Bluesky → Settings → Account → Handle → “I have my own "
                                    "domain” shows it (did:plc:…).")

    def __init__(self, *args: Any, domains: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        domain = self.fields["domain"]
        assert isinstance(domain, forms.ChoiceField)
        domain.choices = [(d, d) for d in domains]
