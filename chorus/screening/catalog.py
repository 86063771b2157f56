"""The rule catalog: every rule the screening engine knows, with its presets.

Each :class:`RuleSpec` carries the employee-facing clause (``text``), the reason and legal source
(``rationale``, ``source_ids`` pointing at ``shared/research/domain-legal.md``), and, per preset,
whether the rule is on and at which severity. A policy document only *overrides* these defaults
(see :meth:`chorus.screening.policy.Policy.effective_rules`).

Design guarantees:

- Strictness changes coverage and severities, never adds overbroad prohibitions: no preset turns
  on a rule against discussing pay, hours, working conditions, organizing or employer criticism
  (NLRA Section 7, *Stericycle*). Those topics only ever appear as guidance or as the
  ``protected_activity`` signal that lowers conduct findings.
- Under ``balanced`` the verdicts reproduce the screening-dev labelling: secret, pii, mnpi and
  confidential block; threats and slurs block, insults warn; every other category warns.

This module is pure data plus one function; it never imports Django.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

from chorus.screening.types import RuleSetting

PRESETS: Final = ("strict", "balanced", "loose")

#: Ordered from least to most severe; research mapping S0..S4.
SEVERITIES: Final = ("info", "low", "medium", "high", "critical")
SEVERITY_RANK: Final = {name: rank for rank, name in enumerate(SEVERITIES)}

#: The 11 categories fixed by ``shared/contracts/screening.md``.
CATEGORIES: Final = (
    "harassment",
    "profanity",
    "customer_negative",
    "competitor_negative",
    "confidential",
    "mnpi",
    "pii",
    "secret",
    "undisclosed_endorsement",
    "spokesperson",
    "regulated_claim",
)

#: Pseudo-category of human-only rules: shown to employees, never machine-checked.
GUIDANCE: Final = "guidance"
RULE_CATEGORIES: Final = (*CATEGORIES, GUIDANCE)

Severity = Literal["info", "low", "medium", "high", "critical"]

#: Default verdict thresholds per preset: a finding at or above ``block`` blocks, at or above
#: ``warn`` warns. Strict lowers the block line; loose blocks only critical findings.
PRESET_THRESHOLDS: Final = {
    "strict": {"block": "medium", "warn": "low"},
    "balanced": {"block": "high", "warn": "low"},
    "loose": {"block": "critical", "warn": "medium"},
}


@dataclass(frozen=True)
class PresetDefault:
    """Whether a rule is on under one preset, and at which severity."""

    enabled: bool
    severity: str


@dataclass(frozen=True)
class RuleSpec:
    """One catalog rule: what employees read, why it exists, and its per-preset defaults."""

    id: str
    category: str
    title: str
    text: str
    rationale: str
    source_ids: tuple[str, ...]
    strict: PresetDefault
    balanced: PresetDefault
    loose: PresetDefault
    params: tuple[tuple[str, object], ...] = ()

    def default_for(self, preset: str) -> PresetDefault:
        """The preset default; raises ``KeyError`` for an unknown preset."""
        if preset not in PRESETS:
            raise KeyError(preset)
        value: PresetDefault = getattr(self, preset)
        return value


def _p(enabled: bool, severity: str) -> PresetDefault:
    return PresetDefault(enabled=enabled, severity=severity)


_ON_INFO = _p(True, "info")

RULES: Final[tuple[RuleSpec, ...]] = (
    RuleSpec(
        id="conduct.threats",
        category="harassment",
        title="No threats of violence",
        text="Do not threaten anyone with violence or harm, colleagues included.",
        rationale=(
            "Threats and incitement are unlawful everywhere and never protected activity "
            "(CONT-02, S4; protected context does not lower them)."
        ),
        source_ids=("CONT-02",),
        strict=_p(True, "critical"),
        balanced=_p(True, "critical"),
        loose=_p(True, "critical"),
    ),
    RuleSpec(
        id="conduct.harassment",
        category="harassment",
        title="No harassment, slurs or demeaning attacks",
        text=(
            "Do not post slurs, sexual content about, or demeaning attacks on a person or group, "
            "colleagues and customers included."
        ),
        rationale=(
            "Harassment of co-workers or customers is unlawful and expected to be prohibited "
            "(CONT-01, EEOC 2024; defined by examples as OM 12-59 requires). Insults of a person "
            "rank one step below slurs; protected activity lowers insults to coaching "
            "(Lion Elastomers / Pier Sixty)."
        ),
        source_ids=("CONT-01",),
        strict=_p(True, "high"),
        balanced=_p(True, "high"),
        loose=_p(True, "high"),
        params=(("insult_severity", {"strict": "medium", "balanced": "medium", "loose": "low"}),),
    ),
    RuleSpec(
        id="conduct.profanity",
        category="profanity",
        title="Keep strong profanity out of posts tied to work",
        text="Strong profanity in posts that identify you with the company is worth a second look.",
        rationale=(
            "Tone alone is coaching only (CONT-08): in the US never escalate tone by itself "
            "(Triple Play, Knauz, Pier Sixty). Mild words such as 'damn' are never flagged."
        ),
        source_ids=("CONT-08",),
        strict=_p(True, "low"),
        balanced=_p(True, "low"),
        loose=_ON_INFO,
    ),
    RuleSpec(
        id="customer.negative",
        category="customer_negative",
        title="No disparaging remarks about customers",
        text="Do not insult or mock our customers or their people by name.",
        rationale=(
            "Insults of customers are a contract and harassment matter (CONT-05, S2). Complaints "
            "about customer behavior as a working condition stay protected (PAS)."
        ),
        source_ids=("CONT-05",),
        strict=_p(True, "medium"),
        balanced=_p(True, "medium"),
        loose=_p(True, "low"),
    ),
    RuleSpec(
        id="competitor.negative",
        category="competitor_negative",
        title="No disparaging remarks about competitors",
        text="Do not slam the competition: no mocking or unsubstantiated claims about competitors.",
        rationale=(
            "False or unsubstantiated claims about competitors raise Lanham Act and FTC "
            "substantiation issues (CONT-06, S2; Intel 'don't slam the competition')."
        ),
        source_ids=("CONT-06",),
        strict=_p(True, "medium"),
        balanced=_p(True, "medium"),
        loose=_p(True, "low"),
    ),
    RuleSpec(
        id="confidential.information",
        category="confidential",
        title="Keep confidential business information private",
        text=(
            "Do not share codenames, unreleased products or dates, internal metrics, roadmaps or "
            "undisclosed incidents. This never covers your pay, hours or working conditions."
        ),
        rationale=(
            "Trade secrets and proprietary business information defined by example are lawful to "
            "protect (CONF-01, S3; OM 12-59); pay and working conditions are never included "
            "(Stericycle; CA Lab. Code 232.5)."
        ),
        source_ids=("CONF-01", "CONF-05"),
        strict=_p(True, "high"),
        balanced=_p(True, "high"),
        loose=_p(True, "high"),
    ),
    RuleSpec(
        id="securities.mnpi",
        category="mnpi",
        title="No material non-public information or trading tips",
        text=(
            "Do not share unreleased results, guidance, deals or other material non-public "
            "information, and never suggest trading on it."
        ),
        rationale=(
            "Securities law and Reg FD (CONF-02, S4). Tied to material non-public information, "
            "not to 'any topic related to financial performance' (GM ALJ)."
        ),
        source_ids=("CONF-02",),
        strict=_p(True, "critical"),
        balanced=_p(True, "critical"),
        loose=_p(True, "critical"),
    ),
    RuleSpec(
        id="privacy.personal_data",
        category="pii",
        title="Do not post other people's personal data",
        text=(
            "Do not post anyone else's phone number, personal e-mail, home address, ID or card "
            "numbers, or health details."
        ),
        rationale=(
            "Customer and co-worker personal data is protected by GDPR, HIPAA and GLBA "
            "(CONF-03, S3/S4); posting home addresses is doxxing (CONT-02)."
        ),
        source_ids=("CONF-03", "CONT-02"),
        strict=_p(True, "high"),
        balanced=_p(True, "high"),
        loose=_p(True, "high"),
    ),
    RuleSpec(
        id="security.credentials",
        category="secret",
        title="Never post credentials",
        text="Never post passwords, API keys, tokens or private keys, even expired ones.",
        rationale="Credentials are security-sensitive information (CONF-05); leaks are immediate.",
        source_ids=("CONF-05",),
        strict=_p(True, "critical"),
        balanced=_p(True, "critical"),
        loose=_p(True, "critical"),
    ),
    RuleSpec(
        id="disclosure.employment",
        category="undisclosed_endorsement",
        title="Say that you work here when you promote our products",
        text=(
            "When you praise or recommend our products, say in the post that you work here "
            "(for example #NorthwindEmployee or 'I work at Northwind')."
        ),
        rationale=(
            "FTC Endorsement Guides: a material connection must be disclosed in the post "
            "(DISC-01, S1; AMP-01). A bio-only disclosure does not count."
        ),
        source_ids=("DISC-01", "AMP-01"),
        strict=_p(True, "medium"),
        balanced=_p(True, "low"),
        loose=_p(True, "low"),
    ),
    RuleSpec(
        id="disclosure.views_own",
        category="spokesperson",
        title="Add 'views are my own' when commenting on the company",
        text="When you comment on the company's strategy, products or news, consider adding "
        "'views are my own'.",
        rationale=(
            "Coaching only (DISC-04, S0; OM 12-59). Never enforced against working-conditions "
            "talk, and never a requirement to identify yourself in order to complain."
        ),
        source_ids=("DISC-04",),
        strict=_ON_INFO,
        balanced=_ON_INFO,
        loose=_ON_INFO,
    ),
    RuleSpec(
        id="identity.spokesperson",
        category="spokesperson",
        title="Only authorized people speak on behalf of the company",
        text=(
            "Do not present your post as the company's official statement unless you are "
            "authorized. You may always speak for yourself, including to the media."
        ),
        rationale=(
            "Lawful when limited to speaking on behalf of the company (DISC-05, S2); a ban on "
            "talking to the media at all is unlawful (Knauz; University Hospitals ALJ 2024)."
        ),
        source_ids=("DISC-05",),
        strict=_p(True, "medium"),
        balanced=_p(True, "medium"),
        loose=_p(True, "low"),
    ),
    RuleSpec(
        id="claims.regulated",
        category="regulated_claim",
        title="No guaranteed-return or health-cure claims",
        text=(
            "Do not promise guaranteed returns or results, 'risk-free' investments, or cures "
            "and absolute health claims."
        ),
        rationale=(
            "FTC substantiation for endorser claims (CONT-07, S2) and FINRA 2210 / SEC rules on "
            "promissory claims (FIN-03)."
        ),
        source_ids=("CONT-07", "FIN-03"),
        strict=_p(True, "medium"),
        balanced=_p(True, "medium"),
        loose=_p(False, "low"),
    ),
    RuleSpec(
        id="guidance.working_conditions",
        category=GUIDANCE,
        title="Your right to discuss work",
        text=(
            "Nothing in this policy restricts you from discussing pay, hours or working "
            "conditions, organizing, or contacting a government agency."
        ),
        rationale=(
            "NLRA Section 7 savings clause (Stericycle). A savings clause does not cure an "
            "overbroad rule (L-NLRA-15), so the engine also never flags these topics."
        ),
        source_ids=("L-NLRA-01", "L-NLRA-09", "L-NLRA-15"),
        strict=_ON_INFO,
        balanced=_ON_INFO,
        loose=_ON_INFO,
    ),
    RuleSpec(
        id="guidance.personal_accounts",
        category=GUIDANCE,
        title="Your personal accounts are yours",
        text=(
            "We never ask for access to your personal accounts, to friend or follow anyone, or to "
            "change your privacy settings."
        ),
        rationale="State social-media privacy laws and WP29 (PROF rules: never implement).",
        source_ids=("PROF-01",),
        strict=_ON_INFO,
        balanced=_ON_INFO,
        loose=_ON_INFO,
    ),
    RuleSpec(
        id="guidance.reporting",
        category=GUIDANCE,
        title="Reporting concerns is optional",
        text=(
            "You may report harassment, threats or leaks you see; you are never asked to report "
            "on colleagues' views, organizing or complaints."
        ),
        rationale="Surveillance limits (National Captioning 2019; escalation section I).",
        source_ids=("L-NLRA-12",),
        strict=_ON_INFO,
        balanced=_ON_INFO,
        loose=_ON_INFO,
    ),
)

RULES_BY_ID: Final = {spec.id: spec for spec in RULES}


def rule_spec(rule_id: str) -> RuleSpec | None:
    """The catalog entry for ``rule_id``, or ``None`` for a custom rule."""
    return RULES_BY_ID.get(rule_id)


def preset_params(spec: RuleSpec, preset: str) -> dict[str, object]:
    """A rule's default params for ``preset``; per-preset values are resolved here."""
    params: dict[str, object] = {}
    for key, value in spec.params:
        if isinstance(value, dict) and set(value) == set(PRESETS):
            params[key] = value[preset]
        else:
            params[key] = value
    return params


def preset_rules(preset: str) -> tuple[RuleSetting, ...]:
    """Every catalog rule as a fully resolved :class:`RuleSetting` for ``preset``.

    Raises ``ValueError`` for an unknown preset. The order is the catalog order.
    """
    if preset not in PRESETS:
        raise ValueError(f"unknown preset {preset!r}; expected one of {', '.join(PRESETS)}")
    settings = []
    for spec in RULES:
        default = spec.default_for(preset)
        settings.append(
            RuleSetting(
                id=spec.id,
                category=spec.category,
                enabled=default.enabled,
                severity=default.severity,
                title=spec.title,
                text=spec.text,
                rationale=spec.rationale,
                params=preset_params(spec, preset),
            )
        )
    return tuple(settings)
