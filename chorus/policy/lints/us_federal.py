"""US federal cross-cutting lints: trade-secret and whistleblower notices, the Speak Out Act,
FTC endorsement disclosure, and EEOC harassment guidance.

Research: shared/research/domain-legal.md §0.3 and §(b) B.3.
"""

from __future__ import annotations

from collections.abc import Iterator

from chorus.policy.lints.base import (
    ERROR,
    INFO,
    WARNING,
    Hit,
    Lint,
    LintContext,
    Source,
    document_trigger,
    switched_off_hit,
    text_trigger,
)

DTSA_NOTICE = (
    "Under the Defend Trade Secrets Act (18 U.S.C. § 1833(b)) you will not be held liable under "
    "any trade secret law for disclosing a trade secret in confidence to a government official "
    "or an attorney solely to report or investigate a suspected violation of law, or in a "
    "complaint or other document filed under seal in a lawsuit."
)
WHISTLEBLOWER = (
    "Nothing in this policy prevents you from reporting possible violations of law to a "
    "government agency such as the NLRB, EEOC, SEC or OSHA, to a court or to an attorney, or "
    "from taking part in an investigation."
)
FTC_GUIDES = Source(
    "FTC Endorsement Guides, 16 CFR Part 255 (2023)",
    "http://federal.elaws.us/fr/7/26/2023/2023-14795",
)
INTEL = Source(
    "Intel Social Media Guidelines (bio disclosure is not enough)",
    "https://www.intel.com/content/www/us/en/legal/intel-social-media-guidelines.html",
)


def _restricts_confidential(ctx: LintContext) -> bool:
    return bool(ctx.enabled("confidential") or ctx.enabled("mnpi")) or ctx.mentions(
        r"\b(confidential|trade secrets?|non-?disparag\w*)\b"
    )


def _dtsa_missing(ctx: LintContext) -> bool:
    return _restricts_confidential(ctx) and not ctx.mentions(
        r"\b(1833|defend trade secrets act|whistleblower immunity)\b"
    )


def _whistleblower_missing(ctx: LintContext) -> bool:
    return _restricts_confidential(ctx) and not ctx.mentions(
        r"\b(government agenc\w*|regulators?|law enforcement|\bSEC\b|securities and exchange)\b"
    )


def _disclosure_switched_off(ctx: LintContext) -> Iterator[Hit]:
    rule = ctx.rule("disclosure.employment")
    if rule is not None and not rule.enabled:
        yield switched_off_hit(ctx, rule, "employment-disclosure")
    if ctx.policy.disclosure.required_for_advocacy is False:
        yield Hit(
            "disclosure.required_for_advocacy",
            "Disclosure settings",
            "Disclosure is not required for advocacy shares.",
            suggestion="Require disclosure on advocacy shares.",
            apply={"kind": "set_disclosure", "attr": "required_for_advocacy", "value": True},
        )


def _bio_only(ctx: LintContext) -> Iterator[Hit]:
    yield from text_trigger(
        any_of=(r"\b(bio|biography|profile|about section|about page|header)\b",),
        all_of=(
            r"\b(disclos\w*|identify|mention|say|state|list)\w*\b",
            r"\b(enough|sufficient|"
            r"suffices?|satisf\w*|is fine|counts?|only|once|instead)\b"
            r"|\b(in|on) your (bio|profile)\b",
        ),
        unless=(
            r"\b(not enough|isn't enough|is not enough|does not count|doesn't count|not "
            r"sufficient|insufficient|in the post|in each post|in every post)\b",
        ),
    )(ctx)
    yield from _disclosure_switched_off(ctx)


def _harassment_absent(ctx: LintContext) -> Iterator[Hit]:
    if ctx.enabled("harassment"):
        return
    rule = ctx.rule("conduct.harassment")
    if rule is not None:
        yield switched_off_hit(ctx, rule, "harassment")
    else:
        yield Hit("rules", "Rules", "No harassment rule is switched on.")


TITLE = "United States: federal law (FTC, DTSA, SEC, EEOC)"

LINTS = [
    Lint(
        id="L-FED-01",
        name="dtsa_notice_missing",
        title="Trade-secret whistleblower immunity notice missing",
        severity=WARNING,
        jurisdictions=("US",),
        explanation=(
            "A policy or acknowledgment that governs confidential information must include (or "
            "point to) the Defend Trade Secrets Act immunity notice, or the employer loses "
            "exemplary damages and attorney fees in a trade-secret case against an employee."
        ),
        sources=(
            Source(
                "18 U.S.C. § 1833(b) (DTSA)",
                "https://www.lexology.com/library/detail.aspx?g=a6465fde-82cd-4c0d-ba3b-5a49d7cc7430",
            ),
        ),
        suggestion=DTSA_NOTICE,
        check=document_trigger(
            _dtsa_missing, path="sections.your_rights", label="Section “Your rights”"
        ),
        fix="append",
        section="your_rights",
    ),
    Lint(
        id="L-FED-02",
        name="whistleblower_carveout_missing",
        title="No carve-out for reporting to government agencies",
        severity=WARNING,
        jurisdictions=("US",),
        escalate_in=("SEC",),
        explanation=(
            "Confidentiality or non-disparagement wording must not impede reports to "
            "government agencies, courts or attorneys. For SEC registrants and issuers this is "
            "an enforcement matter (Rule 21F-17, KBR); the NLRA and the DTSA point the same way."
        ),
        sources=(
            Source(
                "SEC Rule 21F-17 (In re KBR, 2015)",
                "https://dorsey.com/newsresources/publications/client-alerts/2015/04/sec-fines-kbr-130000-for-using-employee-confiden__",
            ),
            Source(
                "18 U.S.C. § 1833(b) (DTSA)",
                "https://www.lexology.com/library/detail.aspx?g=a6465fde-82cd-4c0d-ba3b-5a49d7cc7430",
            ),
        ),
        suggestion=WHISTLEBLOWER,
        check=document_trigger(
            _whistleblower_missing, path="sections.your_rights", label="Section “Your rights”"
        ),
        fix="append",
        section="your_rights",
    ),
    Lint(
        id="L-FED-03",
        name="speak_out_act",
        title="Silence about harassment or assault",
        severity=WARNING,
        jurisdictions=("US",),
        explanation=(
            "Pre-dispute non-disclosure and non-disparagement clauses are unenforceable for "
            "sexual harassment and sexual assault disputes (Speak Out Act, 2022), and telling "
            "employees not to discuss harassment also chills protected activity."
        ),
        sources=(
            Source(
                "Speak Out Act, 42 U.S.C. § 19403 (2022)",
                "https://www.schwartzlawfirm.net/the-speak-out-act-limiting-non-disclosure-and-non-disparagement-clauses-in-pre-dispute-matters-involving-sexual-assault-and-harassment-claims/",
            ),
        ),
        suggestion=(
            "You may always discuss or report harassment, assault or discrimination, including "
            "publicly. Do not post another person's private details when you do."
        ),
        check=text_trigger(
            any_of=(
                r"\b(discuss\w*|disclos\w*|shar\w*|talk\w* about|post\w* about|publici[sz]\w*)\b"
                r"[^.]{0,60}\b(harass\w*|assault\w*|discriminat\w*|misconduct)\b",
            ),
            all_of=(r"\b(do not|don't|never|must not|may not|keep|confidential|not permitted)\b",),
            unless=(r"\byou may (?:always )?(?:discuss|report)\b",),
        ),
    ),
    Lint(
        id="L-FTC-01",
        name="disclosure_only_in_bio",
        title="Employment disclosure only in the bio, or switched off",
        severity=ERROR,
        jurisdictions=("US",),
        explanation=(
            "When employees promote the company's products they must disclose the employment "
            "relationship clearly and conspicuously in the post itself. A disclosure only in "
            "the bio or profile is not enough, and an advocacy program must not run without a "
            "disclosure step."
        ),
        sources=(
            FTC_GUIDES,
            INTEL,
            Source(
                "FTC Consumer Reviews Rule, 16 CFR 465.5 (2024)",
                "https://govinfo.gov/content/pkg/FR-2024-08-22/html/2024-18519.htm",
            ),
        ),
        suggestion=(
            "When you praise or recommend our products, say in the post itself that you work "
            "at {org}, for example with {hashtag}. A note in your bio is not enough."
        ),
        check=_bio_only,
    ),
    Lint(
        id="L-EEO-01",
        name="harassment_rule_absent",
        title="No social-media harassment rule",
        severity=INFO,
        jurisdictions=(),
        explanation=(
            "Harassment on personal social media outside work can contribute to a hostile work "
            "environment. A clear rule against harassment, with examples and a way to complain, "
            "is expected."
        ),
        sources=(
            Source(
                "EEOC Enforcement Guidance on Harassment (Apr. 29, 2024)",
                "https://cookbrown.com/eeoc-new-guidance-harassment-in-the-workplace",
            ),
        ),
        suggestion="Switch on a harassment rule with examples.",
        check=_harassment_absent,
        fix="",
    ),
]
