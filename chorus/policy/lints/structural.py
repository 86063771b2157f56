"""Structural lints: how the policy is built rather than one statute. Automatic discipline,
escalating tone alone, rules without examples, phrases copied from famous problem policies and
a missing savings clause.

Research: shared/research/domain-legal.md §(b) B.6 and §0.1 ("a savings clause is necessary
hygiene but never cures a lint").
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from chorus.policy.lints.base import (
    BAN,
    ERROR,
    INFO,
    WARNING,
    Hit,
    Lint,
    LintContext,
    Source,
    has_savings_clause,
    rule_path,
    sentences,
    text_trigger,
)
from chorus.screening.catalog import SEVERITY_RANK

SAVINGS_CLAUSE = (
    "Nothing in this policy restricts your right to discuss pay, hours or working conditions, "
    "to organize, or to contact a government agency."
)

# Known problem phrases (GC 2012 reports, GM ALJ, Coca-Cola/IBM/adidas texts) and the fix.
FAMOUS_PHRASES: tuple[tuple[str, str, str], ...] = (
    (
        r"completely accurate|accurate and not misleading",
        "L-NLRA-05",
        "Do not post information about {org} or its people that you know to be false.",
    ),
    (
        r"when in doubt",
        "L-NLRA-10",
        "If you are unsure about a post, the contacts below are happy to help; you do not need "
        "anyone's approval for your personal accounts.",
    ),
    (
        r"politics and religion|religion and politics",
        "L-NLRA-14",
        "Your political and religious views are your own. If you post about them, do not present "
        "them as the views of {org}.",
    ),
    (
        r"legal matters",
        "L-NLRA-09",
        "Do not disclose privileged legal advice from the company's lawyers.",
    ),
    (
        r"pick fights",
        "L-NLRA-04",
        "Do not harass, threaten or discriminate against anyone, for example with slurs or "
        "threats of violence.",
    ),
    (
        r"inappropriate discussions",
        "L-NLRA-04",
        "Do not harass, threaten or discriminate against anyone, for example with slurs or "
        "threats of violence.",
    ),
)


def _famous_phrases(ctx: LintContext) -> Iterator[Hit]:
    for tf in ctx.texts:
        for start, end, sentence in sentences(tf.text):
            for pattern, _related, fix in FAMOUS_PHRASES:
                if re.search(pattern, sentence, re.IGNORECASE):
                    yield Hit(tf.path, tf.label, sentence, start, end, tf.rule_id, suggestion=fix)
                    break


def _tone_escalated(ctx: LintContext) -> Iterator[Hit]:
    for rule in ctx.rules:
        if (
            rule.category == "profanity"
            and rule.enabled
            and rule.severity
            and SEVERITY_RANK[rule.severity] >= SEVERITY_RANK["medium"]
        ):
            yield Hit(
                rule_path(ctx, rule.id, "severity"),
                f"Rule “{rule.title}”",
                f"Severity is {rule.severity}.",
                rule_id=rule.id,
                suggestion="Lower the severity to low so tone alone stays a coaching note.",
                apply={"kind": "set", "rule_id": rule.id, "attr": "severity", "value": "low"},
            )


def _missing_examples(ctx: LintContext) -> Iterator[Hit]:
    prohibitive = re.compile(BAN, re.IGNORECASE)
    has_examples = re.compile(
        r"\b(such as|for example|e\.g\.|including|like|for instance)\b|,", re.IGNORECASE
    )
    for tf in ctx.texts:
        if tf.rule_id is None:
            continue
        rule = ctx.rule(tf.rule_id)
        if rule is None or rule.category == "guidance":
            continue
        words = tf.text.split()
        if len(words) < 12 and prohibitive.search(tf.text) and not has_examples.search(tf.text):
            yield Hit(tf.path, tf.label, tf.text, rule_id=tf.rule_id)


def _savings_missing(ctx: LintContext) -> Iterator[Hit]:
    if not has_savings_clause(ctx):
        yield Hit(
            "sections.your_rights",
            "Section “Your rights”",
            "The policy does not say that it never restricts protected activity.",
        )


TITLE = "Structure of the policy (everywhere)"

LINTS = [
    Lint(
        id="L-RSP-01",
        name="automatic_discipline",
        title="Automatic discipline",
        severity=ERROR,
        jurisdictions=(),
        explanation=(
            "Discipline that follows automatically from a post, with no person reviewing the "
            "facts and no chance for the employee to respond, breaks just-cause practice and "
            "the ACAS Code, is a solely automated decision under GDPR Article 22, and cannot "
            "catch protected activity or context."
        ),
        sources=(
            Source(
                "GDPR Art. 22; ICO Monitoring workers (2023)",
                "https://ico.org.uk/about-the-ico/monitoring-workers-guidance-summary-of-responses/",
            ),
            Source(
                "SHRM, progressive discipline",
                "https://shrm.org/topics-tools/tools/how-to-guides/how-to-administer-progressive-discipline-policy",
            ),
            Source(
                "Lion Elastomers II, 372 NLRB No. 83 (2023)",
                "https://www.sgrlaw.com/client-alerts/nlrb-ruling-limits-employers-ability-to-discipline-in-response-to-abusive-conduct/",
            ),
        ),
        suggestion=(
            "A person reviews any possible breach before anything happens. We establish the "
            "facts, hear your side and choose a proportionate response, usually coaching first. "
            "Protected activity, such as discussing pay or working conditions, is never a "
            "reason for discipline."
        ),
        check=text_trigger(
            any_of=(
                r"\b(automatic\w*|immediate\w*|instant\w*|summary|summarily|zero[- ]tolerance|"
                r"without (?:a |any )?(?:warning|review|hearing|investigation))\b[^.]{0,60}"
                r"\b(disciplin\w*|terminat\w*|dismiss\w*|fired|firing|suspen\w*|sanction\w*)\b",
                r"\b(disciplin\w*|terminat\w*|dismiss\w*|fired|suspen\w*)\b[^.]{0,40}"
                r"\b(automatic\w*|immediate\w*|without (?:a |any )?(?:warning|review))\b",
                r"\b(will|shall)\s+(?:result in|lead to|be grounds for)\s+(?:immediate\s+)?"
                r"(?:termination|dismissal|firing)\b",
                r"\bzero[- ]tolerance\b",
            ),
            unless=(
                r"\bnever\b[^.]{0,30}\b(automatic\w*|reason)\b",
                r"\breviews?\b[^.]{0,40}\bbefore\b",
            ),
        ),
    ),
    Lint(
        id="L-RSP-04",
        name="tone_only_escalation",
        title="Tone or profanity escalated above coaching",
        severity=ERROR,
        jurisdictions=("US",),
        explanation=(
            "Profanity and “unprofessional” tone alone must stay coaching in the US: heated or "
            "vulgar posts about work were protected (Triple Play, Pier Sixty). A profanity rule "
            "at medium severity or above would block or escalate tone by itself."
        ),
        sources=(
            Source(
                "NLRB v. Pier Sixty, 855 F.3d 115 (2d Cir. 2017)",
                "https://law.justia.com/cases/federal/appellate-courts/ca2/15-1841/15-1841-2017-04-21.html",
            ),
            Source(
                "Three D (Triple Play) v. NLRB (2d Cir. 2015)",
                "https://www.courtlistener.com/api/rest/v3/opinions/3133423/",
            ),
        ),
        suggestion="Lower the profanity rule's severity to low.",
        check=_tone_escalated,
    ),
    Lint(
        id="L-POL-01",
        name="missing_definitions_examples",
        title="Prohibition with no examples",
        severity=INFO,
        jurisdictions=(),
        explanation=(
            "Lawful rules “clarify and restrict their scope by including examples” of what "
            "they cover; a short prohibition with no examples reads broader than intended."
        ),
        sources=(
            Source(
                "NLRB Acting GC, OM 12-59 (2012)",
                "https://fr.slideshare.net/krishnade/2012-05-30-report-of-the-acting-general-counsel-concerning-social-media-cases",
            ),
        ),
        suggestion="Add two or three concrete examples of what the rule covers (“such as …”).",
        check=_missing_examples,
        fix="",
    ),
    Lint(
        id="L-POL-02",
        name="famous_problem_phrase",
        title="Phrase from a policy the NLRB found unlawful",
        severity=WARNING,
        jurisdictions=(),
        explanation=(
            "This wording comes from well-known corporate policies (“completely accurate and "
            "not misleading”, “when in doubt, don't post”, “politics and religion”, “legal "
            "matters”, “don't pick fights”) that the NLRB General Counsel or an ALJ later "
            "found unlawful."
        ),
        sources=(
            Source(
                "General Motors LLC, ALJ JD-27-12 (2012)",
                "https://print.casetext.com/admin-law/general-motors-llc-1",
            ),
            Source(
                "NLRB Acting GC social-media reports 2011–2012",
                "https://howardmavity.com/2012/11/30/part-1-what-rules-can-i-enforce-about-social-media/",
            ),
        ),
        suggestion="",
        check=_famous_phrases,
    ),
    Lint(
        id="L-POL-03",
        name="savings_clause_missing",
        title="No statement of employees' rights",
        severity=WARNING,
        jurisdictions=("US",),
        explanation=(
            "Say plainly that nothing in the policy restricts discussing pay, hours or working "
            "conditions, organizing, or contacting a government agency. It is necessary "
            "hygiene, although it never cures an overbroad rule on its own."
        ),
        sources=(
            Source(
                "Stericycle, Inc., 372 NLRB No. 113 (2023); Kaplan dissent on disclaimers",
                "https://hrbuzz.com/can-you-provide-sample-language-for-our-stericycle-disclaimer/",
            ),
        ),
        suggestion=SAVINGS_CLAUSE,
        check=_savings_missing,
        fix="append",
        section="your_rights",
    ),
]
