from __future__ import annotations

import re
from typing import Any, cast

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from chorus.advocacy.models import GuidanceCard
from chorus.advocacy.networks import SPECS, Network
from chorus.advocacy.services import CaptionIn
from chorus.people.models import Department

VARIANT_SEPARATOR = "---"


def caption_field_name(network: str) -> str:
    return f"captions_{network}"


# Rows of the "captions in other languages" part of the item form: one row is a language, a
# network and that pair's variants. Rows already filled plus this many empty ones are shown.
TRANSLATION_ROWS_EXTRA = 2
_TRANSLATION_ROW = re.compile(r"tr_language_(\d{1,2})")


def translation_row_count(data: Any, filled: int) -> int:
    """How many translation rows the form has: the filled ones plus spare rows, or as many as
    a submitted form carried (so that no submitted row is dropped unseen)."""
    submitted = [int(m.group(1)) + 1 for key in (data or {})
                 if (m := _TRANSLATION_ROW.fullmatch(key))]
    return max([filled + TRANSLATION_ROWS_EXTRA, *submitted])


class ContentItemForm(forms.Form):
    title = forms.CharField(max_length=200)
    body = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), label=_("What it is"),
        help_text=_("What this is about and why it is worth sharing. Employees read this first."),
    )
    link = forms.CharField(
        max_length=1000, label=_("Link to share"),
        widget=forms.URLInput(attrs={"placeholder": _("https://")}),
        help_text=_("Each share gets its own tracked short link that leads here."),
    )
    image = forms.FileField(required=False, help_text=_("Optional. PNG, JPEG, GIF or WebP."))
    remove_image = forms.BooleanField(required=False, label=_("Remove the current image"))
    tags = forms.CharField(required=False, max_length=400,
                           help_text=_("Comma-separated, e.g. launch, hiring."))
    audience = forms.ModelMultipleChoiceField(
        queryset=Department.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave all unticked to offer it to everyone."),
    )
    publish_at = forms.DateTimeField(
        required=False, label=_("Publish from"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Empty: as soon as it is approved."),
    )
    expires_at = forms.DateTimeField(
        required=False, label=_("Expires"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Empty: never. Expired items leave the feed."),
    )

    def __init__(self, *args: Any, organization: Any, translation_rows: int = 0,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["audience"]).queryset = (
            Department.objects.filter(organization=organization))
        for network in Network:
            spec = SPECS[network]
            self.fields[caption_field_name(network)] = forms.CharField(
                required=False,
                label=_("%(label)s captions") % {"label": network.label},
                # Read by advocacy/caption-counter.js for the live per-variant count.
                widget=forms.Textarea(
                    attrs={
                        "rows": 3,
                        "data-caption-counter": network.value,
                        "data-limit": spec.limit,
                        "data-unit": spec.unit,
                        "data-link-weight": spec.link_weight or "",
                        "data-separator": VARIANT_SEPARATOR,
                    }
                ),
                help_text=_(
                    "Limit %(limit)s %(unit_label)s with the link and disclosure. Write several "
                    "variants, each separated by a line with only %(VARIANT_SEPARATOR)s."
                )
                % {
                    "limit": format(spec.limit, ","),
                    "unit_label": spec.unit_label,
                    "VARIANT_SEPARATOR": VARIANT_SEPARATOR,
                },
            )

        self.translation_rows = translation_row_count(self.data, translation_rows)
        languages = [("", "—")] + [(code, name) for code, name in settings.LANGUAGES
                                   if code != settings.LANGUAGE_CODE]
        for i in range(self.translation_rows):
            self.fields[f"tr_language_{i}"] = forms.ChoiceField(
                choices=languages, required=False, label=_("Language"))
            self.fields[f"tr_network_{i}"] = forms.ChoiceField(
                choices=[("", "—"), *Network.choices], required=False, label=_("Network"))
            self.fields[f"tr_text_{i}"] = forms.CharField(
                required=False, label=_("Captions in this language"),
                widget=forms.Textarea(attrs={"rows": 3}),
                help_text=_("Several variants, each separated by a line with only %(separator)s.")
                % {"separator": VARIANT_SEPARATOR},
            )

    def caption_fields(self) -> list[forms.BoundField]:
        return [self[caption_field_name(n)] for n in Network]

    def translation_fields(self) -> list[tuple[forms.BoundField, ...]]:
        return [(self[f"tr_language_{i}"], self[f"tr_network_{i}"], self[f"tr_text_{i}"])
                for i in range(self.translation_rows)]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        seen: dict[tuple[str, str], int] = {}
        names = dict(settings.LANGUAGES)
        for i in range(self.translation_rows):
            language = data.get(f"tr_language_{i}") or ""
            network = data.get(f"tr_network_{i}") or ""
            text = (data.get(f"tr_text_{i}") or "").strip()
            if not text:
                continue
            if not language or not network:
                self.add_error(f"tr_language_{i}" if not language else f"tr_network_{i}",
                               _("Choose the language and the network of these captions."))
                continue
            if (language, network) in seen:
                self.add_error(f"tr_language_{i}", _(
                    "%(language)s on %(network)s is already in row %(row)s: put all its "
                    "variants in one box, separated by %(separator)s."
                ) % {"language": names.get(language, language), "network": Network(network).label,
                     "row": seen[(language, network)] + 1, "separator": VARIANT_SEPARATOR})
                continue
            seen[(language, network)] = i
        return data

    def captions(self) -> list[CaptionIn]:
        out = []
        for network in Network:
            raw = self.cleaned_data.get(caption_field_name(network)) or ""
            for variant in split_variants(raw):
                out.append(CaptionIn(network=network.value, text=variant))
        for i in range(self.translation_rows):
            language = self.cleaned_data.get(f"tr_language_{i}") or ""
            row_network = self.cleaned_data.get(f"tr_network_{i}") or ""
            if language and row_network:
                for variant in split_variants(self.cleaned_data.get(f"tr_text_{i}") or ""):
                    out.append(CaptionIn(network=row_network, text=variant, language=language))
        return out

    def tag_list(self) -> list[str]:
        return [t.strip() for t in (self.cleaned_data.get("tags") or "").split(",") if t.strip()]


def split_variants(raw: str) -> list[str]:
    variants: list[str] = []
    current: list[str] = []
    for line in raw.replace("\r\n", "\n").split("\n"):
        if line.strip() == VARIANT_SEPARATOR:
            variants.append("\n".join(current).strip())
            current = []
        else:
            current.append(line)
    variants.append("\n".join(current).strip())
    return [v for v in variants if v]


def join_variants(texts: list[str]) -> str:
    return f"\n{VARIANT_SEPARATOR}\n".join(texts)


class TransitionForm(forms.Form):
    note = forms.CharField(required=False, max_length=500, label=_("Note"),
                           widget=forms.TextInput(attrs={"placeholder": _("Optional, except when "
                                                         "returning it to the author")}))


class ShareForm(forms.Form):
    network = forms.ChoiceField(choices=Network.choices, widget=forms.RadioSelect)
    caption = forms.IntegerField(required=False, widget=forms.HiddenInput)
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}), label=_("Your post"),
        help_text=_("Put it in your own words: posts that sound like you get more attention."),
        max_length=5000,
    )
    mastodon_instance = forms.CharField(
        required=False, max_length=253, label=_("Your Mastodon server"),
        widget=forms.TextInput(attrs={"placeholder": _("e.g. mastodon.social"),
                                      "autocomplete": "off"}),
        help_text=_("Only the domain. We remember it for next time."),
    )


class SettingsForm(forms.Form):
    leaderboard_enabled = forms.BooleanField(
        required=False,
        label=_("Show a leaderboard and points"),
        help_text=_(
            "Employees can always opt out. Participation is never used to evaluate anyone."
        ),
    )
    daily_share_limit = forms.IntegerField(
        min_value=0, max_value=1000, label=_("Daily share limit per person"),
        help_text=_("0 means no limit. A limit keeps feeds from filling with the same content."),
    )
    duplicate_nudge_threshold = forms.IntegerField(
        min_value=2, max_value=1000, label=_("Identical-text nudge from"),
        help_text=_("Tell employees when this many colleagues already posted the same words."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        hours = [(h, f"{h:02d}:00") for h in range(25)]
        for network in Network:
            self.fields[f"enabled_{network}"] = forms.BooleanField(
                required=False, label=_("Offer %(label)s") % {"label": network.label})
            self.fields[f"start_{network}"] = forms.TypedChoiceField(
                choices=hours[:24], coerce=int, label=_("%(label)s from") % {"label": network.label}
            )
            self.fields[f"end_{network}"] = forms.TypedChoiceField(
                choices=hours[1:], coerce=int, label=_("%(label)s until") % {"label": network.label}
            )

    def network_rows(self) -> list[dict[str, Any]]:
        return [{"label": n.label, "enabled": self[f"enabled_{n}"], "start": self[f"start_{n}"],
                 "end": self[f"end_{n}"]} for n in Network]


class ProfileForm(forms.Form):
    mastodon_instance = forms.CharField(
        required=False, max_length=253, label=_("Your Mastodon server"),
        help_text=_("Only the domain, e.g. mastodon.social. Share buttons open your own server."),
    )
    leaderboard_opt_out = forms.BooleanField(
        required=False, label=_("Leave me off the leaderboard and hide my points"))
    digest_opt_out = forms.BooleanField(
        required=False, label=_("Don't send me the weekly e-mail of new content"))


class GuidanceForm(forms.Form):
    kind = forms.ChoiceField(choices=GuidanceCard.Kind.choices, widget=forms.RadioSelect)
    title = forms.CharField(max_length=150)
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))
    position = forms.IntegerField(min_value=0, max_value=999, initial=0,
                                  help_text=_("Lower numbers come first."))
    is_active = forms.BooleanField(required=False, initial=True, label=_("Show it to employees"))


class OfficialAccountForm(forms.Form):
    network = forms.ChoiceField(choices=[])
    handle = forms.CharField(max_length=120, help_text=_("As people see it, e.g. @northwind."))
    url = forms.CharField(max_length=500, label=_("Profile address"),
                          help_text=_("The public profile page, starting with https://."))
    label = forms.CharField(max_length=120, required=False,
                            help_text=_("Optional, e.g. “Careers” for a second account."))
    position = forms.IntegerField(min_value=0, max_value=999, initial=0,
                                  help_text=_("Lower numbers come first."))
    is_active = forms.BooleanField(required=False, initial=True, label=_("Show it to employees"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from chorus.advocacy.presence import NETWORK_CHOICES

        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["network"]).choices = NETWORK_CHOICES


class ContentSourceForm(forms.Form):
    name = forms.CharField(max_length=120, help_text=_("E.g. Newsroom, Engineering blog."))
    url = forms.CharField(max_length=1000, label=_("Feed address"),
                          help_text=_("The RSS or Atom feed, starting with https://."))


class SuggestionForm(forms.Form):
    url = forms.CharField(max_length=1000, label=_("Link"),
                          help_text=_("A page you think colleagues would like to share."))
    note = forms.CharField(required=False, max_length=1000,
                           widget=forms.Textarea(attrs={"rows": 3}),
                           help_text=_("Optional: why it is worth sharing."))


class SuggestionAcceptForm(forms.Form):
    title = forms.CharField(max_length=200)
    caption = forms.CharField(required=False, max_length=1000,
                              widget=forms.Textarea(attrs={"rows": 2}),
                              help_text=_("A first suggested caption; you can edit the draft."))


class ChallengeForm(forms.Form):
    title = forms.CharField(max_length=150, help_text=_("E.g. Share three product stories."))
    rules = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}),
                            help_text=_("What counts, in plain words; everyone sees this."))
    target = forms.IntegerField(min_value=1, max_value=100, initial=3,
                                help_text=_("Posted shares needed (opening a composer does not "
                                          "count)."))
    tag = forms.CharField(max_length=40, required=False,
                          help_text=_("Optional: only items with this tag count."))
    badge = forms.CharField(max_length=60, help_text=_("The badge's name, e.g. Storyteller."))
    starts_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
