"""The policy document: parse, validate, canonicalize and dump it.

A policy is YAML (or the equivalent dict) with the keys described in ``docs`` and the module
README of ``chorus.screening``. Guarantees:

- Every validation error is a :class:`PolicyError` naming the dotted field (``rules[3].severity``)
  and, when parsed from YAML, the 1-based line of the offending key or value.
- Unknown keys and duplicate keys are errors (a typo must never silently disable a rule).
- ``Policy.from_dict(p.to_dict()) == p`` and ``parse_policy_yaml(dump_policy_yaml(p)) == p``.
- The document is stored as written (``None`` means "use the default"); the ``effective_*``
  methods resolve preset defaults, so a catalog update reaches every policy that did not
  override a value.

Pure Python: never imports Django.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from chorus.screening.catalog import (
    CATEGORIES,
    PRESET_THRESHOLDS,
    PRESETS,
    RULE_CATEGORIES,
    RULES_BY_ID,
    SEVERITIES,
    SEVERITY_RANK,
    preset_rules,
)
from chorus.screening.types import RuleSetting

__all__ = [
    "DEFAULT_REGIONS",
    "Disclosure",
    "EntitySpec",
    "OrganizationSpec",
    "Policy",
    "PolicyError",
    "RuleSetting",
    "Thresholds",
    "dump_policy_yaml",
    "load_policy_file",
    "parse_policy_yaml",
]

#: Regions tried when parsing phone numbers written without a +country prefix.
DEFAULT_REGIONS: tuple[str, ...] = (
    "US", "GB", "DE", "FR", "ES", "PT", "IT", "NL", "BE", "IE", "CA", "AU", "BR", "MX", "CH", "AT",
)  # fmt: skip

_TOP_KEYS = (
    "schema", "title", "organization", "preset", "entities", "allowlist", "disclosure",
    "languages", "thresholds", "rules", "sections",
)  # fmt: skip
_ORG_KEYS = ("name", "aliases", "products", "ticker", "regions", "jurisdictions")
_ENTITY_KEYS = ("customers", "competitors", "codenames", "unreleased", "executives")
_DISCLOSURE_KEYS = ("hashtags", "phrases", "required_for_advocacy", "disclaimer")
_THRESHOLD_KEYS = ("block", "warn")
_RULE_KEYS = ("id", "category", "enabled", "severity", "title", "text", "rationale", "params")
_LANGUAGES = ("en", "de", "es", "fr", "pt")


class PolicyError(Exception):
    """A policy document that cannot be used, with the field and line at fault.

    ``str(err)`` reads ``policy.yaml:12: rules[3].severity: 'huge' is not one of ...``.
    """

    def __init__(
        self, message: str, *, field: str = "", line: int | None = None, source: str = "<policy>"
    ) -> None:
        self.message = message
        self.field = field
        self.line = line
        self.source = source
        super().__init__(self.__str__())

    def __str__(self) -> str:
        where = self.source if self.line is None else f"{self.source}:{self.line}"
        return (
            f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"
        )


# --------------------------------------------------------------------------- dataclasses


@dataclass(frozen=True)
class OrganizationSpec:
    """Who the employer is. ``regions``/``jurisdictions`` ``None`` means the defaults."""

    name: str
    aliases: tuple[str, ...] = ()
    products: tuple[str, ...] = ()
    ticker: str | None = None
    regions: tuple[str, ...] | None = None
    jurisdictions: tuple[str, ...] | None = None

    def effective_regions(self) -> tuple[str, ...]:
        """Regions used for phone parsing: the document's, else :data:`DEFAULT_REGIONS`."""
        return self.regions if self.regions else DEFAULT_REGIONS


@dataclass(frozen=True)
class EntitySpec:
    """Named things the engine looks for: customers, competitors, codenames and so on."""

    customers: tuple[str, ...] = ()
    competitors: tuple[str, ...] = ()
    codenames: tuple[str, ...] = ()
    unreleased: tuple[str, ...] = ()
    executives: tuple[str, ...] = ()


@dataclass(frozen=True)
class Disclosure:
    """How employees disclose the relationship; ``None`` fields take the defaults."""

    hashtags: tuple[str, ...] | None = None
    phrases: tuple[str, ...] = ()
    required_for_advocacy: bool | None = None
    disclaimer: str | None = None


@dataclass(frozen=True)
class Thresholds:
    """Severity at or above which the verdict is block / warn; ``None`` = preset default."""

    block: str | None = None
    warn: str | None = None


@dataclass(frozen=True)
class Policy:
    """A validated policy document. Build it with :func:`parse_policy_yaml` or ``from_dict``."""

    organization: OrganizationSpec
    preset: str
    schema: int = 1
    title: str | None = None
    entities: EntitySpec = field(default_factory=EntitySpec)
    allowlist: tuple[str, ...] = ()
    disclosure: Disclosure = field(default_factory=Disclosure)
    languages: tuple[str, ...] | None = None
    thresholds: Thresholds = field(default_factory=Thresholds)
    rules: tuple[RuleSetting, ...] = ()
    sections: dict[str, str] = field(default_factory=dict)

    # ---------------------------------------------------------------- construction

    @classmethod
    def from_dict(cls, data: Any, *, source: str = "<policy>") -> Policy:
        """Validate ``data`` (as loaded from YAML or JSON) into a Policy; raises PolicyError."""
        return _Builder(source, {}).policy(data)

    def to_dict(self) -> dict[str, Any]:
        """The canonical document: stable key order, defaults left out, lossless."""
        out: dict[str, Any] = {"schema": self.schema}
        if self.title is not None:
            out["title"] = self.title
        org: dict[str, Any] = {"name": self.organization.name}
        for key in ("aliases", "products"):
            if getattr(self.organization, key):
                org[key] = list(getattr(self.organization, key))
        if self.organization.ticker is not None:
            org["ticker"] = self.organization.ticker
        for key in ("regions", "jurisdictions"):
            if getattr(self.organization, key) is not None:
                org[key] = list(getattr(self.organization, key))
        out["organization"] = org
        out["preset"] = self.preset
        entities = {k: list(getattr(self.entities, k)) for k in _ENTITY_KEYS}
        entities = {k: v for k, v in entities.items() if v}
        if entities:
            out["entities"] = entities
        if self.allowlist:
            out["allowlist"] = list(self.allowlist)
        disclosure: dict[str, Any] = {}
        if self.disclosure.hashtags is not None:
            disclosure["hashtags"] = list(self.disclosure.hashtags)
        if self.disclosure.phrases:
            disclosure["phrases"] = list(self.disclosure.phrases)
        if self.disclosure.required_for_advocacy is not None:
            disclosure["required_for_advocacy"] = self.disclosure.required_for_advocacy
        if self.disclosure.disclaimer is not None:
            disclosure["disclaimer"] = self.disclosure.disclaimer
        if disclosure:
            out["disclosure"] = disclosure
        if self.languages is not None:
            out["languages"] = list(self.languages)
        thresholds = {k: getattr(self.thresholds, k) for k in _THRESHOLD_KEYS}
        thresholds = {k: v for k, v in thresholds.items() if v is not None}
        if thresholds:
            out["thresholds"] = thresholds
        if self.rules:
            rules = []
            for rule in self.rules:
                item: dict[str, Any] = {"id": rule.id}
                for key in _RULE_KEYS[1:]:
                    value = getattr(rule, key)
                    if value is not None:
                        item[key] = _plain(value)
                rules.append(item)
            out["rules"] = rules
        if self.sections:
            out["sections"] = dict(self.sections)
        return out

    # ---------------------------------------------------------------- resolution

    def canonical_hash(self) -> str:
        """SHA-256 of the canonical JSON of :meth:`to_dict`; equal policies hash equal."""
        blob = json.dumps(self.to_dict(), sort_keys=True, ensure_ascii=False, default=str)
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()

    def effective_rules(self) -> tuple[RuleSetting, ...]:
        """Preset defaults merged with the document's overrides (matched by id).

        Catalog rules keep catalog order; custom rules (ids not in the catalog) follow in
        document order. Every returned field is resolved (no ``None``).
        """
        overrides = {rule.id: rule for rule in self.rules}
        merged: list[RuleSetting] = []
        for base in preset_rules(self.preset):
            override = overrides.pop(base.id, None)
            if override is None:
                merged.append(base)
                continue
            params = dict(base.params or {})
            params.update(override.params or {})
            merged.append(
                RuleSetting(
                    id=base.id,
                    category=base.category,
                    enabled=base.enabled if override.enabled is None else override.enabled,
                    severity=base.severity if override.severity is None else override.severity,
                    title=base.title if override.title is None else override.title,
                    text=base.text if override.text is None else override.text,
                    rationale=base.rationale if override.rationale is None else override.rationale,
                    params=params,
                )
            )
        for custom in overrides.values():
            merged.append(
                RuleSetting(
                    id=custom.id,
                    category=custom.category or "guidance",
                    enabled=True if custom.enabled is None else custom.enabled,
                    severity=custom.severity or "medium",
                    title=custom.title or custom.id,
                    text=custom.text or "",
                    rationale=custom.rationale or "",
                    params=dict(custom.params or {}),
                )
            )
        return tuple(merged)

    def effective_thresholds(self) -> Thresholds:
        """Block/warn severities with preset defaults filled in."""
        default = PRESET_THRESHOLDS[self.preset]
        return Thresholds(
            block=self.thresholds.block or default["block"],
            warn=self.thresholds.warn or default["warn"],
        )

    def effective_hashtags(self) -> tuple[str, ...]:
        """Accepted disclosure hashtags: the document's, else derived from the org name."""
        if self.disclosure.hashtags is not None:
            return self.disclosure.hashtags
        names = [self.organization.name, *self.organization.aliases]
        tags: list[str] = []
        for name in names:
            compact = "".join(ch for ch in name if ch.isalnum())
            if not compact:
                continue
            for tag in (f"#{compact}Employee", f"#IAm{compact}", f"#{compact}Team",
                        f"#{compact}Life", f"#Proud{compact}Employee"):  # fmt: skip
                if tag not in tags:
                    tags.append(tag)
        return tuple(tags)

    def effective_languages(self) -> tuple[str, ...]:
        """Languages checked; all supported ones unless the document narrows them."""
        return self.languages if self.languages else _LANGUAGES


# --------------------------------------------------------------------------- YAML


#: Limits checked on the YAML event stream, before any node is composed or converted, so a
#: small hostile document (alias "billion laughs", 5000 nested brackets) costs no more than
#: reading it once. Real policies are a few KB, under 10 levels deep and a few thousand nodes.
MAX_POLICY_CHARS = 512 * 1024
MAX_POLICY_DEPTH = 32
MAX_POLICY_NODES = 100_000


def _check_yaml_shape(text: str, source: str) -> None:
    """Refuse anchors and aliases, and bound nesting depth and node count, by streaming the
    parser's events (iterative: no recursion, nothing expanded)."""
    if len(text) > MAX_POLICY_CHARS:
        raise PolicyError(
            f"the policy is {len(text):,} characters; the limit is {MAX_POLICY_CHARS:,}. "
            "Remove unused entries or split long texts.",
            source=source,
        )
    depth = nodes = 0
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        line = event.start_mark.line + 1 if event.start_mark is not None else None
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise PolicyError(
                "YAML anchors and aliases are not allowed in a policy (&name, *name, "
                "<<: *name); write the values out in full.",
                line=line,
                source=source,
            )
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > MAX_POLICY_DEPTH:
                raise PolicyError(
                    f"the document is nested more than {MAX_POLICY_DEPTH} levels deep; "
                    "a policy needs only a few levels.",
                    line=line,
                    source=source,
                )
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1
        if isinstance(event, yaml.NodeEvent):
            nodes += 1
            if nodes > MAX_POLICY_NODES:
                raise PolicyError(
                    f"the document has more than {MAX_POLICY_NODES:,} values; "
                    "a policy needs far fewer.",
                    line=line,
                    source=source,
                )


def parse_policy_yaml(text: str, *, source: str = "<policy>") -> Policy:
    """Parse and validate a YAML policy. Errors carry the line of the offending key or value.

    Anchors/aliases, documents over ``MAX_POLICY_CHARS`` characters, deeper than
    ``MAX_POLICY_DEPTH`` or with more than ``MAX_POLICY_NODES`` values are refused with a
    ``PolicyError`` before anything is built, so parsing time and memory stay linear in the
    size of the text."""
    try:
        _check_yaml_shape(text, source)
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        raise PolicyError(f"invalid YAML: {exc.problem or exc}", line=line, source=source) from exc
    except yaml.YAMLError as exc:
        raise PolicyError(f"invalid YAML: {exc}", source=source) from exc
    if node is None:
        raise PolicyError("the policy is empty", source=source)
    lines: dict[str, int] = {}
    data = _node_to_python(node, "", lines, source)
    return _Builder(source, lines).policy(data)


def load_policy_file(path: str | Path) -> Policy:
    """Read and validate a policy file (UTF-8 YAML). Unreadable files raise PolicyError."""
    source = str(path)
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise PolicyError(
            f"cannot read the policy file: {exc.strerror or exc}", source=source
        ) from exc
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise PolicyError("the policy file is not valid UTF-8", line=line, source=source) from exc
    return parse_policy_yaml(text, source=source)


def dump_policy_yaml(policy: Policy) -> str:
    """Readable YAML in canonical key order; ``parse_policy_yaml`` of it equals ``policy``."""
    return yaml.safe_dump(
        policy.to_dict(), sort_keys=False, allow_unicode=True, default_flow_style=False, width=100
    )


_SCALAR_CONSTRUCTOR = yaml.SafeLoader("")


def _node_to_python(node: yaml.Node, path: str, lines: dict[str, int], source: str) -> Any:
    """Build Python values from compose nodes, recording the line of every path."""
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = _construct(key_node, path, source)
            if not isinstance(key, str):
                raise PolicyError(
                    f"keys must be strings, got {key!r}",
                    field=path or "<root>",
                    line=key_node.start_mark.line + 1,
                    source=source,
                )
            child = f"{path}.{key}" if path else key
            if key in out:
                raise PolicyError(
                    f"duplicate key {key!r}",
                    field=child,
                    line=key_node.start_mark.line + 1,
                    source=source,
                )
            lines[child] = key_node.start_mark.line + 1
            out[key] = _node_to_python(value_node, child, lines, source)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [
            _node_to_python(item, f"{path}[{i}]", lines, source)
            for i, item in enumerate(node.value)
        ]
    return _construct(node, path, source)


def _construct(node: yaml.Node, path: str, source: str) -> Any:
    # A timestamp like 2026-13-45 or a huge float raises ValueError/OverflowError, not YAMLError.
    try:
        return _SCALAR_CONSTRUCTOR.construct_object(node, deep=True)
    except (yaml.YAMLError, ValueError, OverflowError, TypeError) as exc:
        raise PolicyError(
            f"invalid value: {exc}",
            field=path or "<root>",
            line=node.start_mark.line + 1,
            source=source,
        ) from exc


# --------------------------------------------------------------------------- validation


def _parent_path(path: str) -> str:
    """``rules[3].severity`` -> ``rules[3]`` -> ``rules`` -> ``""``."""
    if path.endswith("]"):
        return path[: path.rindex("[")]
    return path.rsplit(".", 1)[0] if "." in path else ""


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _type_name(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    return {
        bool: "a boolean", int: "a number", float: "a number", str: "a string",
        list: "a list", tuple: "a list", dict: "a mapping",
    }.get(type(value), type(value).__name__)  # fmt: skip


class _Builder:
    """Turns loaded data into a Policy, raising PolicyError with field and line."""

    def __init__(self, source: str, lines: dict[str, int]) -> None:
        self.source = source
        self.lines = lines

    def fail(self, path: str, message: str) -> PolicyError:
        """An error for ``path``; a missing key points at the nearest enclosing line."""
        probe = path
        line = self.lines.get(probe)
        while line is None and probe:
            probe = _parent_path(probe)
            line = self.lines.get(probe)
        return PolicyError(message, field=path, line=line, source=self.source)

    # ---------------------------------------------------------------- primitives

    def mapping(self, value: Any, path: str, allowed: Sequence[str]) -> Mapping[str, Any]:
        if not isinstance(value, Mapping):
            raise self.fail(path, f"expected a mapping, got {_type_name(value)}")
        for key in value:
            if not isinstance(key, str):
                raise self.fail(path, f"keys must be strings, got {key!r}")
            if key not in allowed:
                child = f"{path}.{key}" if path else key
                raise self.fail(child, f"unknown key {key!r}; expected one of {', '.join(allowed)}")
        return value

    def string(self, value: Any, path: str, *, allow_empty: bool = False) -> str:
        if not isinstance(value, str):
            raise self.fail(path, f"expected a string, got {_type_name(value)}")
        if not allow_empty and not value.strip():
            raise self.fail(path, "must not be empty")
        return value

    def strings(self, value: Any, path: str) -> tuple[str, ...]:
        if not isinstance(value, list):
            raise self.fail(path, f"expected a list of strings, got {_type_name(value)}")
        out: list[str] = []
        for i, item in enumerate(value):
            text = self.string(item, f"{path}[{i}]")
            if text in out:
                raise self.fail(f"{path}[{i}]", f"{text!r} is listed twice")
            out.append(text)
        return tuple(out)

    def boolean(self, value: Any, path: str) -> bool:
        if not isinstance(value, bool):
            raise self.fail(path, f"expected true or false, got {_type_name(value)}")
        return value

    def choice(self, value: Any, path: str, options: Sequence[str]) -> str:
        if not isinstance(value, str) or value not in options:
            raise self.fail(path, f"{value!r} is not one of {', '.join(options)}")
        return value

    # ---------------------------------------------------------------- sections

    def policy(self, data: Any) -> Policy:
        doc = self.mapping(data, "", _TOP_KEYS)
        schema = doc.get("schema", 1)
        if isinstance(schema, bool) or not isinstance(schema, int):
            raise self.fail("schema", f"expected a number, got {_type_name(schema)}")
        if schema != 1:
            raise self.fail("schema", f"unsupported schema version {schema}; this engine reads 1")
        title = doc.get("title")
        if title is not None:
            title = self.string(title, "title")
        if "organization" not in doc:
            raise self.fail("organization", "is required (at least organization.name)")
        organization = self.organization(doc["organization"])
        if "preset" not in doc:
            raise self.fail("preset", f"is required: one of {', '.join(PRESETS)}")
        preset = self.choice(doc["preset"], "preset", PRESETS)
        entities = self.entities(doc.get("entities", {}))
        allowlist = self.strings(doc.get("allowlist", []), "allowlist")
        disclosure = self.disclosure(doc.get("disclosure", {}))
        languages = None
        if doc.get("languages") is not None:
            languages = self.strings(doc["languages"], "languages")
            for i, lang in enumerate(languages):
                self.choice(lang, f"languages[{i}]", _LANGUAGES)
        thresholds = self.thresholds(doc.get("thresholds", {}), preset)
        rules = self.rules(doc.get("rules", []))
        sections = self.sections(doc.get("sections", {}))
        return Policy(
            organization=organization,
            preset=preset,
            schema=schema,
            title=title,
            entities=entities,
            allowlist=allowlist,
            disclosure=disclosure,
            languages=languages,
            thresholds=thresholds,
            rules=rules,
            sections=sections,
        )

    def organization(self, value: Any) -> OrganizationSpec:
        org = self.mapping(value, "organization", _ORG_KEYS)
        if "name" not in org:
            raise self.fail("organization.name", "is required")
        name = self.string(org["name"], "organization.name")
        ticker = org.get("ticker")
        if ticker is not None:
            ticker = self.string(ticker, "organization.ticker").lstrip("$")
        regions = None
        if org.get("regions") is not None:
            regions = self.strings(org["regions"], "organization.regions")
            for i, region in enumerate(regions):
                if len(region) != 2 or not region.isascii() or not region.isupper():
                    raise self.fail(
                        f"organization.regions[{i}]",
                        f"{region!r} is not an ISO 3166 alpha-2 code such as US or DE",
                    )
        jurisdictions = None
        if org.get("jurisdictions") is not None:
            jurisdictions = self.strings(org["jurisdictions"], "organization.jurisdictions")
        return OrganizationSpec(
            name=name,
            aliases=self.strings(org.get("aliases", []), "organization.aliases"),
            products=self.strings(org.get("products", []), "organization.products"),
            ticker=ticker,
            regions=regions,
            jurisdictions=jurisdictions,
        )

    def entities(self, value: Any) -> EntitySpec:
        ent = self.mapping(value, "entities", _ENTITY_KEYS)
        return EntitySpec(
            **{k: self.strings(ent.get(k, []), f"entities.{k}") for k in _ENTITY_KEYS}
        )

    def disclosure(self, value: Any) -> Disclosure:
        disc = self.mapping(value, "disclosure", _DISCLOSURE_KEYS)
        hashtags = None
        if disc.get("hashtags") is not None:
            hashtags = self.strings(disc["hashtags"], "disclosure.hashtags")
            for i, tag in enumerate(hashtags):
                if not tag.startswith("#") or len(tag) < 2 or any(ch.isspace() for ch in tag):
                    raise self.fail(
                        f"disclosure.hashtags[{i}]", f"{tag!r} must look like #NorthwindEmployee"
                    )
        required = disc.get("required_for_advocacy")
        if required is not None:
            required = self.boolean(required, "disclosure.required_for_advocacy")
        disclaimer = disc.get("disclaimer")
        if disclaimer is not None:
            disclaimer = self.string(disclaimer, "disclosure.disclaimer")
        return Disclosure(
            hashtags=hashtags,
            phrases=self.strings(disc.get("phrases", []), "disclosure.phrases"),
            required_for_advocacy=required,
            disclaimer=disclaimer,
        )

    def thresholds(self, value: Any, preset: str) -> Thresholds:
        thr = self.mapping(value, "thresholds", _THRESHOLD_KEYS)
        block = warn = None
        if thr.get("block") is not None:
            block = self.choice(thr["block"], "thresholds.block", SEVERITIES)
        if thr.get("warn") is not None:
            warn = self.choice(thr["warn"], "thresholds.warn", SEVERITIES)
        eff_block = block or PRESET_THRESHOLDS[preset]["block"]
        eff_warn = warn or PRESET_THRESHOLDS[preset]["warn"]
        if SEVERITY_RANK[eff_warn] > SEVERITY_RANK[eff_block]:
            path = "thresholds.warn" if warn else "thresholds.block"
            raise self.fail(path, f"warn ({eff_warn}) must not be above block ({eff_block})")
        return Thresholds(block=block, warn=warn)

    def rules(self, value: Any) -> tuple[RuleSetting, ...]:
        if not isinstance(value, list):
            raise self.fail("rules", f"expected a list of rules, got {_type_name(value)}")
        out: list[RuleSetting] = []
        seen: set[str] = set()
        for i, item in enumerate(value):
            path = f"rules[{i}]"
            rule = self.mapping(item, path, _RULE_KEYS)
            if "id" not in rule:
                raise self.fail(f"{path}.id", "is required")
            rule_id = self.string(rule["id"], f"{path}.id")
            if rule_id in seen:
                raise self.fail(f"{path}.id", f"rule {rule_id!r} is configured twice")
            seen.add(rule_id)
            spec = RULES_BY_ID.get(rule_id)
            category = rule.get("category")
            if category is not None:
                category = self.choice(category, f"{path}.category", RULE_CATEGORIES)
                if spec is not None and category != spec.category:
                    raise self.fail(
                        f"{path}.category",
                        f"catalog rule {rule_id!r} has category "
                        f"{spec.category!r}, not {category!r}",
                    )
            elif spec is None:
                raise self.fail(
                    f"{path}.category",
                    f"is required for custom rule {rule_id!r}: one of "
                    f"{', '.join(CATEGORIES)}, guidance",
                )
            enabled = rule.get("enabled")
            if enabled is not None:
                enabled = self.boolean(enabled, f"{path}.enabled")
            severity = rule.get("severity")
            if severity is not None:
                severity = self.choice(severity, f"{path}.severity", SEVERITIES)
            texts: dict[str, str | None] = {}
            for key in ("title", "text", "rationale"):
                raw = rule.get(key)
                texts[key] = None if raw is None else self.string(raw, f"{path}.{key}")
            params = rule.get("params")
            if params is not None:
                if not isinstance(params, Mapping):
                    raise self.fail(
                        f"{path}.params", f"expected a mapping, got {_type_name(params)}"
                    )
                for key in params:
                    if not isinstance(key, str):
                        raise self.fail(f"{path}.params", f"keys must be strings, got {key!r}")
                params = _plain(params)
            out.append(
                RuleSetting(
                    id=rule_id,
                    category=category,
                    enabled=enabled,
                    severity=severity,
                    title=texts["title"],
                    text=texts["text"],
                    rationale=texts["rationale"],
                    params=params,
                )
            )
        return tuple(out)

    def sections(self, value: Any) -> dict[str, str]:
        if not isinstance(value, Mapping):
            raise self.fail("sections", f"expected a mapping, got {_type_name(value)}")
        out: dict[str, str] = {}
        for key, text in value.items():
            if not isinstance(key, str):
                raise self.fail("sections", f"keys must be strings, got {key!r}")
            out[key] = self.string(text, f"sections.{key}", allow_empty=True)
        return out
