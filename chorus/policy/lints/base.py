"""The lint engine: what a lint is, what it reports, and the helpers lint modules are built from.

A lint is data: an id, a default severity, the jurisdictions where it applies, an explanation
with its legal source, a suggested rewrite and a trigger (a function over `LintContext`). The
jurisdiction modules (`us_nlra`, `us_states`, ...) only declare `LINTS = [...]`; this module
knows nothing about any particular law. Pure Python: no Django, no database.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from chorus.screening.policy import Policy, RuleSetting

ERROR, WARNING, INFO = "error", "warning", "info"
LEVELS = (ERROR, WARNING, INFO)
LEVEL_RANK = {INFO: 0, WARNING: 1, ERROR: 2}

EU_CODES = frozenset({
    "EU", "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE",
    "IT", "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE",
})  # fmt: skip


SECTOR_GATES = frozenset({"FINRA", "SEC"})


@dataclass(frozen=True)
class Source:
    """A citation: what the law or decision is, and where to read it."""

    label: str
    url: str = ""


@dataclass(frozen=True)
class TextField:
    """One piece of text employees read, with the document path it came from."""

    path: str  # "rules[3].text", "sections.purpose", "disclosure.disclaimer"
    label: str  # "Rule “No threats of violence”", "Section “Purpose”"
    text: str
    rule_id: str | None = None


@dataclass(frozen=True)
class Hit:
    """Where a trigger matched. `start`/`end` delimit the sentence to rewrite in `path`'s text."""

    path: str
    label: str
    excerpt: str = ""
    start: int | None = None
    end: int | None = None
    rule_id: str | None = None
    suggestion: str | None = None  # overrides the lint's suggestion for this hit
    apply: dict[str, Any] | None = None  # overrides the lint's default fix


@dataclass
class LintContext:
    """Everything a trigger may look at. Build it with `LintContext.build`."""

    policy: Policy
    rules: tuple[RuleSetting, ...]  # effective rules, enabled or not
    rule_paths: dict[str, str]  # rule id -> "rules[i]" in the document, if present there
    texts: list[TextField]
    jurisdictions: frozenset[str] | None  # None: not recorded, every lint runs
    org_name: str
    fired: set[str] = field(default_factory=set)  # lint ids found so far (for meta lints)
    opt_in: frozenset[str] = frozenset()  # sector gates that hold without recorded jurisdictions

    @classmethod
    def build(cls, policy: Policy, jurisdictions: Iterable[str] | None) -> LintContext:
        rule_paths = {rule.id: f"rules[{i}]" for i, rule in enumerate(policy.rules)}
        rules = policy.effective_rules()
        texts: list[TextField] = []
        for rule in rules:
            if rule.enabled and rule.text:
                base = rule_paths.get(rule.id, f"rules[id={rule.id}]")
                texts.append(TextField(f"{base}.text", f"Rule “{rule.title}”", rule.text, rule.id))
        for key, text in policy.sections.items():
            if text.strip():
                texts.append(TextField(f"sections.{key}", f"Section “{section_label(key)}”", text))
        if policy.disclosure.disclaimer:
            texts.append(
                TextField("disclosure.disclaimer", "Disclaimer", policy.disclosure.disclaimer)
            )
        codes = None
        if jurisdictions is not None:
            codes = frozenset(j.strip().upper() for j in jurisdictions if j and j.strip())
            if policy.organization.ticker:
                codes |= {"SEC"}  # a listed company is an SEC issuer
        return cls(
            policy=policy,
            rules=rules,
            rule_paths=rule_paths,
            texts=texts,
            jurisdictions=codes,
            org_name=policy.organization.name,
            opt_in=frozenset({"SEC"} if policy.organization.ticker else ()),
        )

    def rule(self, rule_id: str) -> RuleSetting | None:
        return next((r for r in self.rules if r.id == rule_id), None)

    def enabled(self, category: str) -> list[RuleSetting]:
        return [r for r in self.rules if r.enabled and r.category == category]

    def all_text(self) -> str:
        return "\n".join(t.text for t in self.texts)

    def mentions(self, pattern: str) -> bool:
        return re.search(pattern, self.all_text(), re.IGNORECASE) is not None

    def applies_in(self, gates: Sequence[str]) -> bool:
        """True if any gate matches the recorded jurisdictions (or none are recorded).

        Sector gates (FINRA, SEC) are never assumed: they hold only when recorded, or for SEC
        when the policy names a ticker.
        """
        if not gates:
            return True
        if self.jurisdictions is None:
            return any(g not in SECTOR_GATES or g in self.opt_in for g in gates)
        return any(_gate_matches(gate, self.jurisdictions) for gate in gates)


def _gate_matches(gate: str, codes: frozenset[str]) -> bool:
    gate = gate.upper()
    if gate == "EU":
        return any(code.split("-")[0] in EU_CODES for code in codes)
    if gate == "UK":
        return bool(codes & {"UK", "GB"}) or any(c.startswith(("UK-", "GB-")) for c in codes)
    if "-" in gate:  # a state or region: exact
        return gate in codes
    return any(code == gate or code.startswith(gate + "-") for code in codes)


SECTION_LABELS = {
    "purpose": "Purpose",
    "scope": "Who this applies to",
    "your_rights": "Legal notices about your rights",
    "enforcement": "If something goes wrong",
    "monitoring": "Monitoring",
    "contact": "Who to ask",
}


def section_label(key: str) -> str:
    return SECTION_LABELS.get(key, key.replace("_", " ").capitalize())


@dataclass(frozen=True)
class Lint:
    """One policy lint. `check(ctx)` yields the places where it fires.

    `escalate_in` lists jurisdictions where the severity rises to error (for example a
    state with a password-privacy statute); when no jurisdictions are recorded we assume the
    strictest reading.
    """

    id: str
    name: str
    title: str
    severity: str
    jurisdictions: tuple[str, ...]
    explanation: str
    sources: tuple[Source, ...]
    suggestion: str
    check: Callable[[LintContext], Iterable[Hit]]
    escalate_in: tuple[str, ...] = ()
    # How "Apply suggestion" fixes a hit: "rewrite" replaces the matched sentence, "append"
    # adds the suggestion to a section, "" means the author has to edit by hand.
    fix: str = "rewrite"
    section: str = ""

    def severity_for(self, ctx: LintContext) -> str:
        if self.escalate_in and (ctx.jurisdictions is None or ctx.applies_in(self.escalate_in)):
            return ERROR
        return self.severity


@dataclass(frozen=True)
class LintFinding:
    """A lint that fired on a document, ready to show or serialize."""

    lint_id: str
    name: str
    title: str
    severity: str
    path: str
    label: str
    excerpt: str
    explanation: str
    sources: tuple[Source, ...]
    suggestion: str
    apply: dict[str, Any] | None
    rule_id: str | None = None
    jurisdictions: tuple[str, ...] = field(default=())

    @property
    def key(self) -> str:
        """Stable handle used by "Apply suggestion": lint id plus the path it fired on."""
        return f"{self.lint_id}@{self.path}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "lint_id": self.lint_id,
            "name": self.name,
            "title": self.title,
            "severity": self.severity,
            "field": self.path,
            "rule_id": self.rule_id,
            "label": self.label,
            "excerpt": self.excerpt,
            "explanation": self.explanation,
            "sources": [{"label": s.label, "url": s.url} for s in self.sources],
            "suggestion": self.suggestion,
            "can_apply": self.apply is not None,
            "jurisdictions": list(self.jurisdictions),
        }


# --------------------------------------------------------------------------- trigger helpers

FLAGS = re.IGNORECASE
BAN = (
    r"\b(do not|don't|dont|never|must not|mustn't|may not|shall not|should not|shouldn't|cannot|"
    r"can't|not (?:be )?(?:allowed|permitted)|prohibit\w*|forbid\w*|refrain|avoid|no|banned)\b"
)
_SENTENCE = re.compile(r"[^.!?;\n]+[.!?;]*", re.MULTILINE)


def sentences(text: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, sentence) for each sentence; offsets index into `text`."""
    for match in _SENTENCE.finditer(text):
        raw = match.group(0)
        lead = len(raw) - len(raw.lstrip())
        body = raw.strip()
        if body:
            start = match.start() + lead
            yield start, start + len(body), body


def _compile(patterns: Sequence[str], org: str) -> tuple[re.Pattern[str], ...]:
    return _compile_cached(tuple(patterns), org)


@functools.lru_cache(maxsize=512)
def _compile_cached(patterns: tuple[str, ...], org: str) -> tuple[re.Pattern[str], ...]:
    # Live lint runs on every keystroke pause: compile each (pattern, organization) once.
    org_alt = re.escape(org) if org else "(?!x)x"
    return tuple(re.compile(p.replace("{org}", org_alt), FLAGS) for p in patterns)


def text_trigger(
    *,
    any_of: Sequence[str],
    all_of: Sequence[str] = (),
    unless: Sequence[str] = (),
    unless_field: Sequence[str] = (),
    rules_only: bool = False,
) -> Callable[[LintContext], Iterator[Hit]]:
    """A trigger over each sentence of each text employees read.

    Fires on a sentence matching any `any_of` pattern and every `all_of` pattern, unless the
    sentence matches an `unless` pattern or its whole field matches an `unless_field` pattern
    (a carve-out elsewhere in the same rule). `{org}` in a pattern stands for the org name.
    """

    def check(ctx: LintContext) -> Iterator[Hit]:
        anys, alls = _compile(any_of, ctx.org_name), _compile(all_of, ctx.org_name)
        unl, unl_f = _compile(unless, ctx.org_name), _compile(unless_field, ctx.org_name)
        for tf in ctx.texts:
            if rules_only and tf.rule_id is None:
                continue
            if any(p.search(tf.text) for p in unl_f):
                continue
            for start, end, sentence in sentences(tf.text):
                if not any(p.search(sentence) for p in anys):
                    continue
                if not all(p.search(sentence) for p in alls):
                    continue
                if any(p.search(sentence) for p in unl):
                    continue
                yield Hit(tf.path, tf.label, sentence, start, end, tf.rule_id)

    return check


def document_trigger(
    condition: Callable[[LintContext], bool], *, path: str, label: str
) -> Callable[[LintContext], Iterator[Hit]]:
    """A trigger on the document as a whole (something missing, a switch in the wrong place)."""

    def check(ctx: LintContext) -> Iterator[Hit]:
        if condition(ctx):
            yield Hit(path, label)

    return check


def rule_path(ctx: LintContext, rule_id: str, attr: str) -> str:
    return f"{ctx.rule_paths.get(rule_id, f'rules[id={rule_id}]')}.{attr}"


def switched_off_hit(ctx: LintContext, rule: Any, what: str) -> Hit:
    """The finding for a protective rule that the author switched off, with a one-click fix."""
    return Hit(
        rule_path(ctx, rule.id, "enabled"),
        f"Rule “{rule.title}”",
        "The rule is switched off.",
        rule_id=rule.id,
        suggestion=f"Switch the {what} rule back on.",
        apply={"kind": "set", "rule_id": rule.id, "attr": "enabled", "value": True},
    )


def has_savings_clause(ctx: LintContext) -> bool:
    """A generic "nothing here restricts your right to discuss working conditions" clause."""
    rule = ctx.rule("guidance.working_conditions")
    if rule is not None and rule.enabled and rule.text:
        return True
    return ctx.mentions(
        r"\b(nothing in|never restricts?|does not restrict|free to discuss|section 7)\b"
        r"[^.]{0,120}\b(working conditions|pay|wages)\b"
    )


MONITORING = (
    r"\b(we|the company|{org}|management|hr|your manager|it)\b[^.]{0,40}\b(monitor|track|scan|"
    r"watch|screen|archive|capture|review)\w*\b[^.]{0,80}\b(social media|posts?|accounts?|"
    r"profiles?|online activity|internet activity)\b"
)
NOTICE = r"\b(notice|notif\w*|inform(?:ed)?|acknowledg\w*|tell you|told)\b"


def mentions_monitoring(ctx: LintContext) -> bool:
    return ctx.mentions(MONITORING.replace("{org}", re.escape(ctx.org_name) or "(?!x)x"))
