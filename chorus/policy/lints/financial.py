"""Financial-services lints: FINRA broker-dealers and SEC issuers.

Gated on the pseudo-jurisdictions `FINRA` (the organization employs registered persons; add it
to the organization's jurisdictions) and `SEC` (a public issuer; added automatically when the
policy names a ticker). Research: shared/research/domain-legal.md §0.3 and §(b) B.4.
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

RN_11_39 = Source(
    "FINRA Regulatory Notice 11-39",
    "https://www.lexology.com/library/detail.aspx?g=dbaa0616-5f97-44d0-ac5f-caf9caf864bb",
)
RN_17_18 = Source(
    "FINRA Regulatory Notice 17-18", "https://docslib.org/doc/5496926/regulatory-notice-17-18"
)
RULE_2210 = Source(
    "FINRA Rule 2210; Regulatory Notice 10-06",
    "https://www.lexology.com/library/detail.aspx?g=56b0ba2a-95f3-41bf-afa8-94ee9785ae2a",
)
SEC_17A4 = Source(
    "SEC Rules 17a-4(b)(4) and 204-2(a)(7); off-channel enforcement sweep",
    "https://mayerbrown.com/zh-hans/insights/publications/2024/02/whatsapp-all-over-again-the-sec-brings-more-recordkeeping-charges-against-broker-dealers-and-investment-advisers-for-off-channel-communications",
)
NETFLIX = Source(
    "SEC Netflix § 21(a) Report, Release 34-69279 (2013)",
    "https://sec.gov/litigation/investreport/34-69279.htm",
)


def _no_static_preapproval(ctx: LintContext) -> bool:
    return not ctx.mentions(
        r"\b(pre-?approv\w*|principal approv\w*|approved by (?:a )?(?:principal|compliance))\b"
    )


def _no_annual_certification(ctx: LintContext) -> bool:
    return not (
        ctx.mentions(
            r"\b(annual\w*|every year|each year)\b[^.]{0,60}\b(certif\w*|attest\w*|acknowledg\w*)"
        )
        or ctx.mentions(
            r"\b(certif\w*|attest\w*|acknowledg\w*)\b[^.]{0,60}\b(annual\w*|every year|each year)\b"
        )
    )


def _supervision_off(ctx: LintContext) -> Iterator[Hit]:
    rule = ctx.rule("claims.regulated")
    if rule is not None and not rule.enabled:
        yield switched_off_hit(ctx, rule, "regulated-claims")


def _mnpi_off_or_no_channel_notice(ctx: LintContext) -> Iterator[Hit]:
    rule = ctx.rule("securities.mnpi")
    if rule is not None and not rule.enabled:
        yield switched_off_hit(ctx, rule, "material non-public information")
    if ctx.policy.entities.executives and not ctx.mentions(
        r"\b(reg(?:ulation)?\.? fd|disclosure channels?)\b"
    ):
        yield Hit(
            "sections.disclosure_channels",
            "Section “Disclosure channels”",
            "Executives are listed but the policy names no disclosure channels.",
            apply={"kind": "append", "section": "disclosure_channels", "text": _CHANNEL_NOTICE},
        )


_CHANNEL_NOTICE = (
    "Company results and other material information are published first through our investor "
    "relations website and press releases. Executives' personal accounts are not a disclosure "
    "channel for company metrics (Regulation FD)."
)

TITLE = "Financial services (FINRA, SEC issuers)"

LINTS = [
    Lint(
        id="L-FIN-01",
        name="channel_without_capture",
        title="Business messages on channels that are not archived",
        severity=ERROR,
        jurisdictions=("FINRA",),
        explanation=(
            "Business communications with clients must be retained. Allowing client or trade "
            "conversations on WhatsApp, text messages or personal direct messages that are not "
            "captured led to more than $3B in SEC and CFTC penalties (the off-channel sweep)."
        ),
        sources=(SEC_17A4, RN_17_18),
        suggestion=(
            "Discuss client business only on channels the firm archives. Never move a client "
            "conversation to WhatsApp, text messages or personal direct messages."
        ),
        check=text_trigger(
            any_of=(
                r"\b(whatsapp|signal|telegram|wechat|text messages?|sms|imessage|direct "
                r"messages?|dms?)\b",
            ),
            all_of=(r"\b(clients?|customers?|trades?|business|accounts?|investors?)\b",),
            unless=(r"\b(never|do not|don't|must not|may not|only on channels)\b",),
        ),
    ),
    Lint(
        id="L-FIN-02",
        name="static_content_no_preapproval",
        title="No pre-approval for profiles and static content",
        severity=ERROR,
        jurisdictions=("FINRA",),
        explanation=(
            "Static content that mentions the firm's products or services (a bio, an “about” "
            "section, a profile) is a retail communication and needs principal approval before "
            "use."
        ),
        sources=(RULE_2210, RN_11_39),
        suggestion=(
            "If you are a registered representative, a principal must approve any profile, bio "
            "or page that mentions the firm's products or services before you publish it, and "
            "again whenever you change it."
        ),
        check=document_trigger(
            _no_static_preapproval,
            path="sections.registered_representatives",
            label="Section “Registered representatives”",
        ),
        fix="append",
        section="registered_representatives",
    ),
    Lint(
        id="L-FIN-03",
        name="interactive_supervision_absent",
        title="No screening of interactive posts for regulated claims",
        severity=WARNING,
        jurisdictions=("FINRA",),
        explanation=(
            "Interactive posts by registered persons are supervised like correspondence: a "
            "risk-based review with a lexicon. Switching off the regulated-claims rule removes "
            "that review."
        ),
        sources=(RULE_2210, RN_11_39, Source("FINRA Rule 3110 (supervision)")),
        suggestion="Switch the regulated-claims rule back on.",
        check=_supervision_off,
    ),
    Lint(
        id="L-FIN-05",
        name="annual_certification_absent",
        title="No annual certification for registered persons",
        severity=INFO,
        jurisdictions=("FINRA",),
        explanation=(
            "Firms commonly require registered persons to certify every year that they follow "
            "the social-media policy; Chorus attestation campaigns can run it."
        ),
        sources=(RN_11_39,),
        suggestion=(
            "Registered representatives certify every year that they have read and follow "
            "this policy."
        ),
        check=document_trigger(
            _no_annual_certification,
            path="sections.registered_representatives",
            label="Section “Registered representatives”",
        ),
        fix="append",
        section="registered_representatives",
    ),
    Lint(
        id="L-SEC-01",
        name="mnpi_and_disclosure_channels",
        title="Listed company: MNPI rule off or no disclosure channels named",
        severity=WARNING,
        jurisdictions=("SEC",),
        explanation=(
            "A public company's policy must keep material non-public information out of "
            "employees' posts, and executives may use personal accounts to disclose company "
            "metrics only if investors were told in advance which channels are used (the "
            "Netflix report)."
        ),
        sources=(NETFLIX, Source("Regulation FD, 17 CFR 243")),
        suggestion="",
        check=_mnpi_off_or_no_channel_notice,
    ),
]
