"""Forms for the policy pages. The editor's fields map one-to-one onto the document keys, so a
validation error's document path (`rules[3].severity`) can be shown beside its input."""

from __future__ import annotations

import copy
import re
from typing import Any

import yaml
from django import forms
from django.http import QueryDict
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _

from chorus.policy.documents import section_sort_key
from chorus.policy.presets import preset_choices
from chorus.screening.catalog import PRESETS, SEVERITIES

ENTITY_KEYS = ("customers", "competitors", "codenames", "unreleased", "executives")


class NewPolicyForm(forms.Form):
    title = forms.CharField(
        max_length=200,
        label=_("Title"),
        initial="Social media policy",
        help_text=_("What employees will see as the policy's name."),
    )
    preset = forms.ChoiceField(
        label=_("Preset"),
        choices=[(p.key, p.label) for p in preset_choices()],
        initial="balanced",
        widget=forms.RadioSelect,
    )


class ImportForm(forms.Form):
    title = forms.CharField(
        max_length=200,
        required=False,
        label=_("Title"),
        help_text=_("Optional; by default the title inside the file is used."),
    )
    policy = forms.TypedChoiceField(
        required=False,
        coerce=int,
        empty_value=None,
        label=_("Policy"),
        help_text=_("Import as a new draft of an existing policy, or as a new policy."),
    )
    file = forms.FileField(
        required=False,
        label=_("YAML file"),
        widget=forms.ClearableFileInput(attrs={"accept": ".yaml,.yml,text/yaml"}),
        help_text=_("A .yaml file exported from Chorus or written by hand."),
    )
    yaml = forms.CharField(
        required=False,
        label=_("…or paste YAML"),
        widget=forms.Textarea(attrs={"rows": 12, "class": "mono", "spellcheck": "false"}),
    )

    def __init__(
        self, *args: Any, policies: list[tuple[int, str]] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["policy"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", _g("A new policy")), *(policies or [])]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("file") and not (data.get("yaml") or "").strip():
            raise forms.ValidationError(_g("Choose a YAML file or paste the policy's YAML."))
        return data


class PublishForm(forms.Form):
    material = forms.BooleanField(
        required=False,
        label=_("This is a material change"),
        help_text=_(
            "Material changes ask every employee to read and acknowledge the policy again."
        ),
    )
    change_summary = forms.CharField(
        required=False,
        max_length=2000,
        label=_("What changed"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown to employees with the new version, e.g. “Clearer rule on customers”."),
    )
    acknowledge_lint_errors = forms.BooleanField(
        required=False,
        label=_("Legal has reviewed the error-level lint findings; publish anyway"),
    )
    acknowledge_lint_warnings = forms.BooleanField(
        required=False,
        label=_("I read the open lint warnings; publish anyway"),
    )
    confirm_audience = forms.IntegerField(
        required=False, min_value=0, max_value=2**31 - 1, widget=forms.HiddenInput
    )
    effective_at = forms.DateTimeField(
        required=False,
        label=_("Effective from (optional)"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
        help_text=_("Leave empty to publish now; otherwise the version takes effect then."),
    )

    def clean_effective_at(self) -> Any:
        from django.utils import timezone

        value = self.cleaned_data.get("effective_at")
        if value is not None and value <= timezone.now():
            raise forms.ValidationError(
                _g(
                    "The effective date is in the past. Leave it empty to publish now, "
                    "or pick a later date and time."
                )
            )
        return value


class ApprovalSettingsForm(forms.Form):
    roles = forms.MultipleChoiceField(
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("One approval from each of these roles"),
        choices=[("hr", _("HR")), ("legal", _("Legal")), ("communications", _("Communications")),
                 ("admin", _("Administrator")), ("manager", _("Manager"))],
    )
    group = forms.MultipleChoiceField(
        required=False, widget=forms.CheckboxSelectMultiple, label=_("Approval group")
    )
    group_required = forms.IntegerField(
        min_value=0, max_value=50, initial=0, label=_("Approvals needed from the group")
    )

    def __init__(self, *args: Any, people: list[tuple[int, str]] | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["group"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = [(str(pk), name) for pk, name in (people or [])]


# --------------------------------------------------------------------------- editor


def _lines(value: str) -> list[str]:
    out: list[str] = []
    for line in (value or "").splitlines():
        item = line.strip().lstrip("-•").strip()
        if item and item not in out:
            out.append(item)
    return out


def _text(value: str | None) -> str:
    return (value or "").replace("\r\n", "\n").strip()


def document_from_post(
    base: dict[str, Any], data: QueryDict
) -> tuple[dict[str, Any], dict[str, str]]:
    """Apply the editor's inputs to a copy of `base`. Returns (document, {input: error}).

    Keys the editor does not show (regions, languages, unknown sections) are kept as they are.
    """
    doc = copy.deepcopy(base)
    errors: dict[str, str] = {}
    title = _text(data.get("title"))
    if title:
        doc["title"] = title
    else:
        doc.pop("title", None)
    if "preset" in data:
        doc["preset"] = data.get("preset", "")
    org = doc.setdefault("organization", {})
    org["name"] = _text(data.get("org_name"))
    for key in ("aliases", "products"):
        org[key] = _lines(data.get(f"org_{key}", ""))
        if not org[key]:
            org.pop(key)
    ticker = _text(data.get("org_ticker"))
    if ticker:
        org["ticker"] = ticker
    else:
        org.pop("ticker", None)
    doc["entities"] = {k: _lines(data.get(f"ent_{k}", "")) for k in ENTITY_KEYS}
    doc["allowlist"] = _lines(data.get("allowlist", ""))
    disclosure = doc.setdefault("disclosure", {})
    hashtags = _lines(data.get("disc_hashtags", ""))
    if hashtags:
        disclosure["hashtags"] = hashtags
    else:
        disclosure.pop("hashtags", None)
    disclosure["phrases"] = _lines(data.get("disc_phrases", ""))
    required = data.get("disc_required", "")
    if required in ("yes", "no"):
        disclosure["required_for_advocacy"] = required == "yes"
    else:
        disclosure.pop("required_for_advocacy", None)
    disclaimer = _text(data.get("disc_disclaimer"))
    if disclaimer:
        disclosure["disclaimer"] = disclaimer
    else:
        disclosure.pop("disclaimer", None)
    thresholds = {}
    for key in ("block", "warn"):
        value = data.get(f"thr_{key}", "")
        if value:
            thresholds[key] = value
    doc["thresholds"] = thresholds
    for i, rule in enumerate(doc.get("rules", [])):
        prefix = f"rule-{i}-"
        if f"{prefix}present" not in data:
            continue
        rule["enabled"] = data.get(f"{prefix}enabled") == "on"
        severity = data.get(f"{prefix}severity", "")
        if severity:
            rule["severity"] = severity
        for key in ("title", "text", "rationale"):
            value = _text(data.get(f"{prefix}{key}"))
            if value:
                rule[key] = value
            elif key == "rationale":
                rule.pop(key, None)
            else:
                errors[f"{prefix}{key}"] = (
                    _g("Write the rule's title.")
                    if key == "title"
                    else _g("Write what employees should do, or switch the rule off.")
                )
        raw = data.get(f"{prefix}params", "")
        if raw is not None and f"{prefix}params" in data:
            if raw.strip():
                try:
                    params = yaml.safe_load(raw)
                except yaml.YAMLError as exc:
                    mark = getattr(exc, "problem_mark", None)
                    errors[f"{prefix}params"] = (
                        _g("Parameters are not valid YAML (line %(line)s).")
                        % {"line": mark.line + 1}
                        if mark is not None
                        else _g("Parameters are not valid YAML.")
                    )
                    params = rule.get("params")
                if params is not None and not isinstance(params, dict):
                    errors[f"{prefix}params"] = _g("Parameters must be “key: value” lines.")
                elif params is not None:
                    rule["params"] = params
            else:
                rule.pop("params", None)
    sections = doc.setdefault("sections", {})
    for key in list(sections):
        name = f"section-{key}"
        if name in data:
            sections[key] = _text(data.get(name))
    new_key = re.sub(r"[^a-z0-9_]+", "_", _text(data.get("new_section_key")).lower()).strip("_")
    new_text = _text(data.get("new_section_text"))
    if new_key and new_text:
        sections[new_key] = new_text
    elif new_text and not new_key:
        errors["new_section_key"] = _g("Give the new section a heading.")
    doc["sections"] = {k: v for k, v in sections.items() if v}
    return doc, errors


_PATH_TO_INPUT = [
    (re.compile(r"^rules\[(\d+)\]\.(\w+)"), lambda m: f"rule-{m.group(1)}-{m.group(2)}"),
    (re.compile(r"^organization\.(\w+)"), lambda m: f"org_{m.group(1)}"),
    (re.compile(r"^entities\.(\w+)"), lambda m: f"ent_{m.group(1)}"),
    (re.compile(r"^disclosure\.(hashtags|phrases|disclaimer)"), lambda m: f"disc_{m.group(1)}"),
    (re.compile(r"^disclosure\.required_for_advocacy"), lambda m: "disc_required"),
    (re.compile(r"^thresholds\.(\w+)"), lambda m: f"thr_{m.group(1)}"),
    (re.compile(r"^sections\.(\w+)"), lambda m: f"section-{m.group(1)}"),
    (re.compile(r"^(title|preset|allowlist)"), lambda m: m.group(1)),
]


def input_for_path(path: str | None) -> str:
    """The editor input that shows a document path's error ("" for the form as a whole)."""
    for pattern, name in _PATH_TO_INPUT:
        match = pattern.match(path or "")
        if match:
            return name(match)
    return ""


def editor_context(document: dict[str, Any]) -> dict[str, Any]:
    """Values for the editor template, derived from a document."""
    org = document.get("organization", {})
    disclosure = document.get("disclosure", {})
    required = disclosure.get("required_for_advocacy")
    rules = []
    for i, rule in enumerate(document.get("rules", [])):
        params = rule.get("params")
        rules.append(
            {
                "index": i,
                "id": rule.get("id"),
                "category": rule.get("category", ""),
                "enabled": rule.get("enabled", True),
                "severity": rule.get("severity", ""),
                "title": rule.get("title", ""),
                "text": rule.get("text", ""),
                "rows": min(8, max(2, len(rule.get("text", "")) // 75 + 1)),
                "rationale": rule.get("rationale", ""),
                "params": yaml.safe_dump(params, sort_keys=False, allow_unicode=True).strip()
                if params
                else "",
            }
        )
    return {
        "title": document.get("title", ""),
        "preset": document.get("preset", "balanced"),
        "presets": PRESETS,
        "severities": SEVERITIES,
        "org_name": org.get("name", ""),
        "org_aliases": "\n".join(org.get("aliases", [])),
        "org_products": "\n".join(org.get("products", [])),
        "org_ticker": org.get("ticker", ""),
        "entities": [(k, "\n".join(document.get("entities", {}).get(k, []))) for k in ENTITY_KEYS],
        "allowlist": "\n".join(document.get("allowlist", [])),
        "disc_hashtags": "\n".join(disclosure.get("hashtags", []) or []),
        "disc_phrases": "\n".join(disclosure.get("phrases", [])),
        "disc_required": "" if required is None else ("yes" if required else "no"),
        "disc_disclaimer": disclosure.get("disclaimer", ""),
        "thr_block": document.get("thresholds", {}).get("block", ""),
        "thr_warn": document.get("thresholds", {}).get("warn", ""),
        "rules": rules,
        "sections": sorted(
            document.get("sections", {}).items(), key=lambda kv: section_sort_key(kv[0])
        ),
    }
