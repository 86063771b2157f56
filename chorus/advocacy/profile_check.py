"""The profile check (issue 19): does an employee's public profile carry the disclaimer the
policy asks for, does it claim to speak for the organization, and does it state the
affiliation where advocacy requires it?

Pure functions (no database): `chorus.advocacy.services.profile_checks` fetches the profile
through the connectors and stores the result.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from django.utils.translation import gettext_noop

from chorus.advocacy.presence import DEFAULT_DISCLAIMERS

# Common ways of saying "I speak for myself", in the languages of the profile kit.
_DISCLAIMER_RX = re.compile(
    r"\b(views (are )?my own|opinions (are )?my own|my own (views|opinions)|personal (views|"
    r"opinions?)|not speaking (for|on behalf)|(don'?t|do not) (speak for|represent)|"
    r"(meine )?(eigene )?meinung|privat hier|opiniones (son )?m[ií]as|mis opiniones|"
    r"opinions? (sont )?personnelles?|mes opinions|opini[oõ]es (s[aã]o )?minhas|"
    r"rt\s*(!=|≠)\s*endorsement)\b"
)
_OFFICIAL_WORDS = ("official", "offiziell", "oficial", "officiel", "officielle")
_SPOKES_WORDS = (
    "spokesperson",
    "spokesman",
    "spokeswoman",
    "speaking for",
    "speak for",
    "on behalf of",
    "sprecher",
    "portavoz",
    "porte-parole",
    "porta-voz",
)


def _norm(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


@dataclass(frozen=True)
class ProfileFacts:
    display_name: str
    bio: str
    fields: tuple[tuple[str, str], ...] = ()

    @property
    def text(self) -> str:
        parts = [self.display_name, self.bio]
        parts += [f"{name}: {value}" for name, value in self.fields]
        return "\n".join(p for p in parts if p)


@dataclass(frozen=True)
class ProfileRules:
    organization_names: tuple[str, ...]
    disclaimer: str  # the policy's wording; "" when the policy asks for none
    disclaimer_required: bool
    affiliation_required: bool
    hashtags: tuple[str, ...] = ()


@dataclass(frozen=True)
class Assessment:
    has_disclaimer: bool
    claims_official: bool
    states_affiliation: bool
    # Message ids (gettext_noop) of what should change, shown translated.
    problems: tuple[str, ...] = field(default=())

    @property
    def compliant(self) -> bool:
        return not self.problems


MISSING_DISCLAIMER = gettext_noop(
    "Your profile does not include the disclaimer our policy asks for (for example "
    "\u201cViews are my own\u201d)."
)
CLAIMS_OFFICIAL = gettext_noop(
    "Your profile reads as if the account speaks for the organization (an \u201cofficial\u201d "
    "or spokesperson claim). Only the organization's own accounts do that."
)
MISSING_AFFILIATION = gettext_noop(
    "You share the organization's content from this account, but the profile does not say "
    "that you work there. Mention the organization in your bio."
)


def has_disclaimer(text: str, disclaimer: str) -> bool:
    norm = _norm(text)
    wanted = [disclaimer, *DEFAULT_DISCLAIMERS.values()]
    if any(_norm(w).rstrip(".") in norm for w in wanted if w.strip()):
        return True
    return bool(_DISCLAIMER_RX.search(norm))


def states_affiliation(text: str, rules: ProfileRules) -> bool:
    norm = _norm(text)
    names = [n for n in rules.organization_names if n.strip()]
    if any(re.search(r"(?<![\w])" + re.escape(_norm(n)) + r"(?![\w])", norm) for n in names):
        return True
    return any(re.search(re.escape(_norm(t)) + r"(?![\w])", norm) for t in rules.hashtags if t)


def claims_official(facts: ProfileFacts, rules: ProfileRules) -> bool:
    """An "official" account of the organization or a spokesperson claim, unless negated by a
    disclaimer ("not an official account")."""
    norm = _norm(facts.text)
    names = [re.escape(_norm(n)) for n in rules.organization_names if n.strip()]
    if not names:
        return False
    org = "(?:" + "|".join(sorted(names, key=len, reverse=True)) + ")"
    official = "(?:" + "|".join(_OFFICIAL_WORDS) + ")"
    spokes = "(?:" + "|".join(re.escape(w) for w in _SPOKES_WORDS) + ")"
    negated = re.search(r"\b(not|no|kein\w*|pas|n[aã]o)\s+(an?\s+|the\s+)?" + official, norm)
    if (
        negated
        or re.search(r"\bnot\s+" + spokes, norm)
        or re.search(r"\b(don'?t|do not) (speak|represent)", norm)
    ):
        return False
    if re.search(official + r"\s+(account\s+of\s+|account\s+for\s+)?" + org + r"\b", norm):
        return True
    if re.search(org + r"(?:'s)?\s+" + official + r"\b", norm):
        return True
    if re.search(spokes + r"\s+(?:of\s+|for\s+|at\s+)?(?:the\s+)?" + org, norm):
        return True
    if re.search(org + r"(?:'s)?\s+" + spokes, norm):
        return True
    # The display name is the organization's name alone: people read it as the official one.
    return _norm(facts.display_name) in {_norm(n) for n in rules.organization_names if n}


def assess(facts: ProfileFacts, rules: ProfileRules) -> Assessment:
    text = facts.text
    disclaimer = has_disclaimer(text, rules.disclaimer)
    official = claims_official(facts, rules)
    affiliation = states_affiliation(text, rules)
    problems = []
    if rules.disclaimer_required and not disclaimer:
        problems.append(MISSING_DISCLAIMER)
    if official:
        problems.append(CLAIMS_OFFICIAL)
    if rules.affiliation_required and not affiliation:
        problems.append(MISSING_AFFILIATION)
    return Assessment(
        has_disclaimer=disclaimer,
        claims_official=official,
        states_affiliation=affiliation,
        problems=tuple(problems),
    )
