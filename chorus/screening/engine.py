"""The screening engine: compile a policy once, check posts against it.

Guarantees (tested in ``chorus/screening/tests``):

- ``Screener.check`` never raises for any ``str`` up to :data:`MAX_TEXT_CHARS` (control
  characters and lone surrogates included); longer text raises :class:`InputTooLarge`.
- Every finding's ``excerpt == post.text[start:end]``; findings are sorted by position.
- Results are deterministic for a given policy and text.
- The policy decides everything: which rules run (``enabled``), their severities, and the
  verdict thresholds. Allowlisted terms are never flagged. Guidance rules are never checked.
- ``protected_activity`` is a signal only: it never raises a severity, and it lowers conduct
  findings (profanity, and insults short of threats and slurs) in the same post to ``info``.

Pure Python; never imports Django.
"""

from __future__ import annotations

import dataclasses
import re
import threading
from collections.abc import Iterable, Iterator
from typing import Any

import ahocorasick

from chorus.screening.catalog import SEVERITIES, SEVERITY_RANK
from chorus.screening.compiled import Compiled
from chorus.screening.detectors.context import Context
from chorus.screening.learned.model import Heads, default_heads
from chorus.screening.learned.tier import learned_emits
from chorus.screening.policy import Policy
from chorus.screening.text import NormText, collapse, fold, normalize, run_pattern
from chorus.screening.types import (
    MAX_TEXT_CHARS,
    Emit,
    Finding,
    Hit,
    InputTooLarge,
    Post,
    Result,
    RuleSetting,
)

# Re-exported: other apps import these shared types from here (they live in ``types.py``).
__all__ = [
    "MAX_TEXT_CHARS",
    "Compiled",
    "Emit",
    "Finding",
    "Hit",
    "InputTooLarge",
    "Post",
    "Result",
    "RuleSetting",
    "Screener",
    "compile_policy",
    "screener_for",
]

# Words that may follow a single-word entity name without making it a different proper noun
# ("Bluebird Beta" is the codename, "Kestrel Ridge" is a trail).
_NAME_FOLLOWERS = frozenset(
    [
        "inc",
        "corp",
        "corporation",
        "co",
        "ltd",
        "llc",
        "gmbh",
        "ag",
        "sa",
        "plc",
        "labs",
        "lab",
        "group",
        "team",
        "teams",
        "beta",
        "alpha",
        "pilot",
        "launch",
        "project",
        "program",
        "update",
        "release",
        "rollout",
        "v1",
        "v2",
        "v3",
        "v4",
        "app",
        "platform",
        "os",
        "api",
        "numbers",
        "fleet",
        "demo",
        "suit",
        "suits",
        "robotics",
        "systems",
        "technologies",
        "dynamics",
        "software",
        "hq",
        "engineers",
        "engineering",
        "sales",
        "support",
        "customers",
        "staff",
        "leadership",
        "board",
        # product-line suffixes: "Tern Lite", "Skylift Pro" are still our products
        "lite",
        "pro",
        "max",
        "mini",
        "plus",
        "ultra",
        "go",
        "air",
        "next",
        "gen",
        "x",
        "s",
        "one",
        "edge",
        "cloud",
    ]
)
_NAME_PREFIXES = ("project ", "operation ", "codename ", "code name ", "programme ", "program ")


def _entity_variants(name: str) -> list[tuple[str, str]]:
    """(surface form, flag) pairs for one entity name.

    Flags: ``caps`` needs a capital initial, ``exact`` needs the exact upper-case form,
    ``head`` is a derived short form with stricter proper-noun checks, ``free`` any case.
    """
    out: list[tuple[str, str]] = []
    words = name.split()
    if len(words) == 1:
        if name.isupper() and len(name) <= 5:
            out.append((name, "exact"))
        else:
            out.append((name, "caps"))
        return out
    out.append((name, "free"))
    lowered = name.lower()
    for prefix in _NAME_PREFIXES:
        if lowered.startswith(prefix):
            out.append((name[len(prefix) :], "caps"))
            out.append(("".join(words), "caps"))  # #ProjectKestrel
            return out
    head = words[0]
    if len(head) >= 5 and head[0].isupper():
        out.append((head, "head"))
    # "Wide World Importers" -> "WWI": acronyms only from three or more words.
    if len(words) >= 3:
        out.append(("".join(w[0] for w in words if w[0].isalpha()).upper(), "exact"))
    # "Harbor OS" and friends may be written without the space.
    out.append(("".join(words), "caps"))
    return out


def compile_policy(policy: Policy) -> Compiled:
    """Build matchers for ``policy`` (one automaton for all entities and lexicons)."""
    from chorus.screening import lexicon as lx

    rules = {r.id: r for r in policy.effective_rules() if r.enabled and r.category != "guidance"}
    thresholds = policy.effective_thresholds()
    allowlist = tuple(fold(t) for t in policy.allowlist)
    allow_set = set(allowlist)
    prefix_keys: set[str] = set()

    plain: dict[str, list[tuple[str, str, str]]] = {}
    skel: dict[str, list[tuple[str, str, str, Any]]] = {}

    def add(term: str, kind: str, value: str, flag: str = "", skeleton: bool = False) -> None:
        key = fold(term).strip()
        if not key or key in allow_set:
            return
        plain.setdefault(key, []).append((kind, value, flag))
        if skeleton:
            ckey = collapse(term).strip()
            if ckey:
                skel.setdefault(ckey, []).append((kind, value, flag, run_pattern(term)))

    org = policy.organization
    entity_groups = {
        "org": (org.name, *org.aliases),
        "product": org.products,
        "customer": policy.entities.customers,
        "competitor": policy.entities.competitors,
        "codename": policy.entities.codenames,
        "unreleased": policy.entities.unreleased,
        "executive": policy.entities.executives,
    }
    for kind, names in entity_groups.items():
        for name in names:
            for surface, flag in _entity_variants(name):
                add(surface, kind, name, flag, skeleton=len(surface) >= 5)
    if org.ticker:
        add(org.ticker, "ticker", org.ticker, "exact")
        add("$" + org.ticker, "ticker", org.ticker, "free")

    for term in lx.PROFANITY:
        add(term, "profanity", term, "", skeleton=True)
    for term in lx.INSULTS:
        add(term, "insult", term, "", skeleton=len(term) >= 3)
    for term in lx.PROFANITY_PREFIXES:
        prefix_keys.add(fold(term))
    for term in lx.SLURS:
        add(term, "slur", term, "", skeleton=True)
    for term in lx.TARGET_WORDS:
        add(term, "target", term)
    for term in lx.THREAT_TRIGGERS:
        add(term, "threat_trigger", term)
    for term in lx.PROTECTED_STRONG:
        add(term, "protected", term)
    for term in lx.CONCERTED:
        add(term, "concerted", term)
    for term, valence in lx.NEGATIVE_EXTRA.items():
        add(term, "valence", term, str(valence))
    for term, valence in lx.POSITIVE_EXTRA.items():
        add(term, "valence", term, str(valence))
    for term in lx.NEGATORS:
        add(term, "negator", term)
    for term in allowlist:
        plain.setdefault(term, []).append(("allow", term, ""))
    for rule in rules.values():
        terms = (rule.params or {}).get("terms")
        if isinstance(terms, list):
            for term in terms:
                if isinstance(term, str):
                    add(term, "custom", rule.id, "")

    # Masked spellings ("f*ck", "sh**") are matched against single-word conduct terms.
    masked: dict[int, list[tuple[str, str]]] = {}
    for kind, terms in (("slur", lx.SLURS), ("profanity", lx.PROFANITY), ("insult", lx.INSULTS)):
        for term in terms:
            key = fold(term)
            if key.isalpha() and key not in allow_set:
                masked.setdefault(len(key), []).append((key, kind))

    for key in prefix_keys:
        # Last, so collect_hits finds it with one look at the end of the tag tuple.
        plain.setdefault(key, []).append(("profanity", key, "prefix"))
    automaton = ahocorasick.Automaton()
    for key, tags in plain.items():
        automaton.add_word(key, (len(key), tuple(tags)))
    automaton.make_automaton()
    skeleton_automaton = ahocorasick.Automaton()
    for key, stags in skel.items():
        skeleton_automaton.add_word(key, (len(key), tuple(stags)))
    if len(skeleton_automaton):
        skeleton_automaton.make_automaton()

    org_names = tuple(dict.fromkeys(fold(n) for n in (org.name, *org.aliases)))
    hashtags = tuple(fold(t) for t in policy.effective_hashtags())
    phrases = tuple(fold(p) for p in policy.disclosure.phrases)
    if policy.disclosure.disclaimer:
        phrases += (fold(policy.disclosure.disclaimer),)
    return Compiled(
        policy=policy,
        rules=rules,
        block_rank=SEVERITY_RANK[thresholds.block or "high"],
        warn_rank=SEVERITY_RANK[thresholds.warn or "low"],
        automaton=automaton,
        skeleton_automaton=skeleton_automaton,
        org_names=org_names,
        products=tuple(fold(p) for p in org.products),
        hashtags=hashtags,
        disclosure_phrases=phrases,
        allowlist=allowlist,
        regions=org.effective_regions(),
        extra={"masked": masked},
    )


def _is_word(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def _accept_entity(nt: NormText, start: int, end: int, flag: str) -> bool:
    """Capitalization and proper-noun checks that keep common words from firing."""
    o_start, o_end = nt.to_original(start, end)
    surface = nt.original[o_start:o_end]
    if not surface:
        return False
    if flag == "free":
        return True
    if flag == "exact":
        return surface.isupper() or surface.startswith("$")
    before = nt.original[:o_start]
    hashtag = before.endswith(("#", "@"))
    if not (surface[0].isupper() or hashtag):
        return False
    if hashtag:
        return True
    # "Kestrel Ridge", "Tailspin Airlines": followed by another capitalized word -> other name.
    after = nt.original[o_end:]
    if after.startswith("-") and flag != "head":
        return True  # a compound: "Northwind-Aktien", "Skylift-Demo"
    if after.startswith((" ", "-")):
        rest = after[1:]
        word = rest.split(" ", 1)[0].strip(".,;:!?)'\"")
        if word and word[0].isupper() and word.lower() not in _NAME_FOLLOWERS:
            return False
    if flag == "head":
        # A derived short form at the start of a sentence is too ambiguous ("Umbrella weather").
        prev = before.rstrip()
        if not prev or prev.endswith((".", "!", "?", ":", "\n")):
            return after.startswith(("'s", "’s"))
        prev_word = prev.split()[-1] if prev.split() else ""
        if prev_word[:1].isupper() and prev_word.lower() not in ("the", "at", "with"):
            return False
    return True


def collect_hits(compiled: Compiled, nt: NormText) -> list[Hit]:
    """All lexicon and entity hits on word boundaries, in text order."""
    norm = nt.norm
    size = len(norm)
    hits: list[Hit] = []
    seen: set[tuple[int, int, str, str]] = set()
    for end_index, (length, tags) in compiled.automaton.iter(norm):
        start = end_index - length + 1
        end = end_index + 1
        first, last = norm[start], norm[end_index]
        if _is_word(first) and start > 0 and _is_word(norm[start - 1]):
            continue
        if _is_word(last) and end < size and _is_word(norm[end]):
            if tags[-1][2] != "prefix":
                continue
            tags = tags[-1:]  # a swear prefix glued to a noun: "scheisstag"
        for kind, value, flag in tags:
            if flag in ("caps", "exact", "head") and not _accept_entity(nt, start, end, flag):
                continue
            key = (start, end, kind, value)
            if key not in seen:
                seen.add(key)
                hits.append(Hit(start, end, kind, value, flag or None))
    if len(compiled.skeleton_automaton) and nt.looks_obfuscated():
        hits.extend(_skeleton_hits(compiled, nt, seen))
    if "*" in norm or "#" in norm:
        hits.extend(_masked_hits(compiled, nt))
    hits.sort(key=lambda h: (h.start, h.end))
    return hits


def _skeleton_hits(
    compiled: Compiled, nt: NormText, seen: set[tuple[int, int, str, str]]
) -> list[Hit]:
    from chorus.screening.text import letters_of

    skel, index, runs = nt.skeleton()
    size = len(skel)
    out: list[Hit] = []
    for end_index, (length, tags) in compiled.skeleton_automaton.iter(skel):
        start = end_index - length + 1
        end = end_index + 1
        if skel[start].isalnum() and start > 0 and skel[start - 1].isalnum():
            continue
        if skel[end_index].isalnum() and end < size and skel[end].isalnum():
            continue
        norm_start = index[start]
        norm_end = index[end_index] + runs[end_index]
        o_start, o_end = nt.to_original(norm_start, norm_end)
        letters = letters_of(nt.original[o_start:o_end])
        for kind, value, flag, pattern in tags:
            if not pattern.fullmatch(letters):
                continue
            if flag in ("caps", "exact", "head") and not nt.original[o_start:o_end][:1].isupper():
                continue
            key = (norm_start, norm_end, kind, value)
            if key in seen:
                continue
            seen.add(key)
            out.append(Hit(norm_start, norm_end, kind, value, ("orig", o_start, o_end, flag)))
    return out


_MASKED = re.compile(r"(?<![\w*#])[^\W\d_]+(?:[*#]+[^\W\d_]*)+(?![\w*#])")


def _masked_hits(compiled: Compiled, nt: NormText) -> list[Hit]:
    """Words with letters replaced by * or # ("f*ck", "b**ch") matched by length."""
    out: list[Hit] = []
    candidates: dict[int, list[tuple[str, str]]] = compiled.extra.get("masked", {})
    for match in _MASKED.finditer(nt.norm):
        word = match.group(0)
        if word.startswith("#") or sum(ch.isalpha() for ch in word) < 1:
            continue
        pattern = re.compile("".join("[a-z]" if ch in "*#" else re.escape(ch) for ch in word))
        for term, kind in candidates.get(len(word), ()):
            if pattern.fullmatch(term):
                out.append(Hit(match.start(), match.end(), kind, term, None))
                break
    return out


class Screener:
    """A policy compiled once; ``check`` and ``check_many`` are safe to call from threads."""

    def __init__(
        self, policy: Policy, heads: Heads | None = None, *, learned: bool | None = None
    ) -> None:
        """``heads``: the learned tier's model (an organization's active one). The learned
        tier runs when ``heads`` are given or ``learned=True`` (then ``None`` means the shipped
        :func:`~chorus.screening.learned.model.default_heads`); by default the rules run
        alone, because the shipped model still flags clean posts the rules allow (issue 18:
        it is opt-in until its held-out precision meets the goal)."""
        self.policy = policy
        self.compiled = compile_policy(policy)
        use = heads is not None if learned is None else learned
        self.heads: Heads | None = (heads or default_heads()) if use else None

    def check(self, post: Post) -> Result:
        """Screen one post. Raises :class:`InputTooLarge` above :data:`MAX_TEXT_CHARS`."""
        from chorus.screening.detectors import run_detectors

        text = post.text
        if not isinstance(text, str):
            raise TypeError("post.text must be a str")
        if len(text) > MAX_TEXT_CHARS:
            raise InputTooLarge(len(text))
        if not text.strip():
            return Result(id=post.id, verdict="allow", categories=(), signals=(), findings=())
        nt = normalize(text)
        hits = collect_hits(self.compiled, nt)
        by_kind: dict[str, list[Hit]] = {}
        for hit in hits:
            by_kind.setdefault(hit.kind, []).append(hit)
        ctx = Context(post=post, nt=nt, compiled=self.compiled, hits=hits, by_kind=by_kind)
        emits, signals = run_detectors(ctx)
        emits, signals = self._learned(ctx, emits, signals)
        return self._result(post, ctx, emits, signals)

    def _learned(
        self, ctx: Context, emits: list[Emit], signals: list[str]
    ) -> tuple[list[Emit], list[str]]:
        """The rule emits plus the learned tier's, judged under this screener's policy
        (``ctx`` may come from a policy with the same entities, see ``compare``)."""
        if self.heads is None:
            return emits, signals
        if ctx.compiled is not self.compiled:
            ctx = dataclasses.replace(ctx, compiled=self.compiled)
        signals = list(signals)
        return [*emits, *learned_emits(ctx, self.heads, emits, signals)], signals

    def check_many(self, posts: Iterable[Post]) -> Iterator[Result]:
        """Screen posts lazily, one at a time, in input order (memory does not grow)."""
        for post in posts:
            yield self.check(post)

    def _result(self, post: Post, ctx: Context, emits: list[Emit], signals: list[str]) -> Result:
        text = post.text
        allowed = [ctx.span(h) for h in ctx.of("allow")]
        best: dict[tuple[str, int, int], Finding] = {}
        for emit in emits:
            rule = self.compiled.rules.get(emit.rule_id)
            if rule is None:
                continue
            start = max(0, min(emit.start, len(text)))
            end = max(start, min(emit.end, len(text)))
            if any(a < end and start < b for a, b in allowed):
                continue
            severity = emit.severity or rule.severity or "medium"
            if emit.lowerable and "protected_activity" in signals:
                severity = "info"
            title = rule.title or rule.id
            why = emit.why.format(**emit.why_params) if emit.why_params else emit.why
            message = f"{why} Policy: \u201c{title}\u201d"
            if rule.text:
                message += f" \u2014 {rule.text}"
            finding = Finding(
                rule_id=rule.id,
                category=rule.category or "guidance",
                severity=severity,
                start=start,
                end=end,
                excerpt=text[start:end],
                message=message,
                suggestion=emit.suggestion,
                why=emit.why,
                why_params=emit.why_params,
            )
            key = (rule.id, start, end)
            old = best.get(key)
            if old is None or SEVERITY_RANK[severity] > SEVERITY_RANK[old.severity]:
                best[key] = finding
        findings = _drop_inside_credentials(_merge_overlaps(best.values()))
        top = max((SEVERITY_RANK[f.severity] for f in findings), default=-1)
        # An info finding is a note for the writer, never a violation, whatever the thresholds.
        if top <= SEVERITY_RANK["info"]:
            verdict = "allow"
        elif top >= self.compiled.block_rank:
            verdict = "block"
        elif top >= self.compiled.warn_rank:
            verdict = "warn"
        else:
            verdict = "allow"
        categories = sorted({f.category for f in findings if f.severity != SEVERITIES[0]})
        return Result(
            id=post.id,
            verdict=verdict,
            categories=tuple(categories),
            signals=tuple(sorted(set(signals))),
            findings=tuple(findings),
        )


def _merge_overlaps(findings: Iterable[Finding]) -> list[Finding]:
    """One finding per mention: overlapping findings of the same rule collapse into the
    longest span ("Project Kestrel" absorbs "Kestrel"), at the highest severity among them.
    Sorted by position."""
    by_rule: dict[str, list[Finding]] = {}
    for finding in findings:
        by_rule.setdefault(finding.rule_id, []).append(finding)
    merged: list[Finding] = []
    for group in by_rule.values():
        group.sort(key=lambda f: (f.start, -f.end))
        cluster: list[Finding] = []
        cluster_end = -1
        for finding in group:
            if cluster and finding.start >= cluster_end:
                merged.append(_longest(cluster))
                cluster = []
            cluster.append(finding)
            cluster_end = max(cluster_end, finding.end) if len(cluster) > 1 else finding.end
        if cluster:
            merged.append(_longest(cluster))
    merged.sort(key=lambda f: (f.start, f.end, f.rule_id))
    return merged


def _drop_inside_credentials(findings: list[Finding]) -> list[Finding]:
    """A credential is one finding: digits inside a token ("7412589630:AAH…") are not also
    someone's phone number, so personal-data findings within a secret's span are dropped."""
    secrets = [(f.start, f.end) for f in findings if f.category == "secret"]
    if not secrets:
        return findings
    return [
        f for f in findings
        if not (f.category == "pii" and any(a <= f.start and f.end <= b for a, b in secrets))
    ]


def _longest(cluster: list[Finding]) -> Finding:
    best = max(cluster, key=lambda f: (f.end - f.start, -f.start))
    top = max(cluster, key=lambda f: SEVERITY_RANK[f.severity]).severity
    if top == best.severity:
        return best
    return Finding(
        rule_id=best.rule_id,
        category=best.category,
        severity=top,
        start=best.start,
        end=best.end,
        excerpt=best.excerpt,
        message=best.message,
        suggestion=best.suggestion,
        why=best.why,
        why_params=best.why_params,
    )


_CACHE: dict[str, Screener] = {}
_CACHE_LOCK = threading.Lock()
_CACHE_SIZE = 32


def screener_for(policy: Policy, heads: Heads | None = None) -> Screener:
    """A shared Screener for ``policy`` (and ``heads``, default the shipped model), keyed by
    the policy's canonical hash and the heads' version (compiled once)."""
    key = f"{policy.canonical_hash()}:{heads.version if heads is not None else ''}"
    screener = _CACHE.get(key)
    if screener is not None:
        return screener
    screener = Screener(policy, heads=heads)
    with _CACHE_LOCK:
        if len(_CACHE) >= _CACHE_SIZE:
            _CACHE.pop(next(iter(_CACHE)))
        _CACHE.setdefault(key, screener)
        return _CACHE[key]
