"""US state-law lints: password privacy, off-duty and political activity, California's
disclosure sentence, and notice of electronic monitoring.

Research: shared/research/domain-legal.md §0.4 and §(b) B.2.
"""

from __future__ import annotations

from chorus.policy.lints.base import (
    BAN,
    ERROR,
    INFO,
    NOTICE,
    WARNING,
    Lint,
    LintContext,
    Source,
    document_trigger,
    mentions_monitoring,
    text_trigger,
)

# States with social-media password-privacy statutes (XpertHR chart, Frost Brown Todd, NY 2024).
PASSWORD_PRIVACY_STATES = tuple(
    f"US-{s}"
    for s in (
        [
            "AR",
            "CA",
            "CO",
            "CT",
            "DE",
            "IL",
            "LA",
            "ME",
            "MD",
            "MI",
            "MT",
            "NE",
            "NV",
            "NH",
            "NJ",
            "NM",
            "NY",
            "OK",
            "OR",
            "RI",
            "TN",
            "UT",
            "VT",
            "VA",
            "WA",
            "WI",
        ]
    )
)
OFF_DUTY_STATES = tuple(f"US-{s}" for s in ["CA", "CO", "NY", "CT", "ND", "MT"])
MONITORING_NOTICE_STATES = ("US-NY", "US-CT", "US-DE")

CA_SENTENCE = (
    "Nothing in this policy prevents you from discussing or disclosing information about "
    "unlawful acts in the workplace, such as harassment or discrimination or any other conduct "
    "that you have reason to believe is unlawful."
)


def _ca_sentence_missing(ctx: LintContext) -> bool:
    restricts = ctx.mentions(
        r"\b(disparag\w*|non-?disparagement|negative (?:remarks|comments|statements|posts)|"
        r"confidential\w*)\b"
    )
    return restricts and not ctx.mentions(r"unlawful acts in the workplace")


def _monitoring_without_notice(ctx: LintContext) -> bool:
    return mentions_monitoring(ctx) and not ctx.mentions(NOTICE)


TITLE = "United States: state laws"

LINTS = [
    Lint(
        id="L-ST-01",
        name="credential_or_access_request",
        title="Asking for passwords or access to personal accounts",
        severity=WARNING,
        jurisdictions=("US",),
        escalate_in=PASSWORD_PRIVACY_STATES,
        explanation=(
            "About 27 states forbid employers to ask for a personal account's username or "
            "password, to make employees open their account in front of them, to be added as a "
            "friend or contact, or to change privacy settings, and forbid retaliation for "
            "refusing. It is an error in those states and poor practice everywhere."
        ),
        sources=(
            Source("Cal. Labor Code § 980", "https://self-law.org/code/ca/labor-code/980"),
            Source(
                "Wash. RCW 49.44.200",
                "https://lawserver.com/law/state/washington/wa-code/washington_code_49-44-200",
            ),
            Source(
                "N.Y. Labor Law § 201-i (2024)",
                "https://www.nysenate.gov/legislation/laws/LAB/201-I",
            ),
        ),
        suggestion=(
            "We never ask for your passwords or for access to your personal accounts, to be "
            "added as a friend or contact, or for you to change your privacy settings."
        ),
        check=text_trigger(
            any_of=(
                r"\b(provide|give|share|disclose|hand over|tell|submit|surrender)\w*\b[^.]{0,40}"
                r"\b(passwords?|log-?ins?|credentials?|user ?names?|access)\b[^.]{0,60}"
                r"\b(to|with)\s+(?:us|the company|{org}|your (?:manager|supervisor)|hr|"
                r"management|it|"
                r"security|a manager)\b",
                r"\b(must|required to|will be asked to|shall|agree to)\b[^.]{0,40}"
                r"\b(passwords?|log-?in details|credentials)\b",
                r"\b(show|open|log into)\b[^.]{0,30}\b(your )?(personal )?(accounts?|profiles?)\b"
                r"[^.]{0,40}\b(to|for|in front of)\b",
                r"\badd\b[^.]{0,40}\b(hr|the company|{org}|your manager|us|management)\b[^.]{0,20}"
                r"\bas (?:a )?(?:friend|contact|connection|follower)s?\b",
                r"\b(make|set|keep)\b[^.]{0,20}\b(profiles?|accounts?)\b[^.]{0,10}\bpublic\b",
                r"\bchange\b[^.]{0,20}\bprivacy settings\b",
            ),
            unless=(
                r"\b(never ask|not ask|never require|not require|won't ask|will not ask|"
                r"never need|we never)\b",
            ),
        ),
    ),
    Lint(
        id="L-ST-02",
        name="off_duty_or_political_without_nexus",
        title="Rules on lawful off-duty conduct or political activity",
        severity=WARNING,
        jurisdictions=("US",),
        escalate_in=OFF_DUTY_STATES,
        explanation=(
            "Colorado protects any lawful off-duty activity, New York protects political and "
            "recreational activity outside work, and California forbids policies that control "
            "employees' political activity. Rules about lawful conduct in employees' own time "
            "need a documented link to the job (a bona fide occupational requirement, a "
            "conflict of interest or real harm to the workplace)."
        ),
        sources=(
            Source(
                "Colo. Rev. Stat. § 24-34-402.5",
                "http://www.jdsupra.com/legalnews/overview-of-the-colorado-lawful-off-67660/",
            ),
            Source("N.Y. Labor Law § 201-d", "https://pjcihon.expressions.syr.edu/?p=173"),
            Source(
                "Cal. Labor Code §§ 1101–1102",
                "https://casetext.com/analysis/employers-politics-and-free-speech",
            ),
        ),
        suggestion=(
            "What you do lawfully in your own time is your business. This policy applies to "
            "posts that identify you with {org} or concern your colleagues, customers or our "
            "confidential information."
        ),
        check=text_trigger(
            any_of=(
                r"\b(off-?duty|outside (?:of )?(?:work|working hours|business hours)|in your "
                r"(?:free|personal|spare|own) time|private life|personal life|alcohol|drinking|"
                r"cannabis|marijuana|partying|political (?:activit\w*|views|affiliation|party|"
                r"parties|candidates?|causes?))\b",
            ),
            all_of=(BAN,),
            unless=(
                r"\b(conflict of interest|occupational requirement|unlawful|illegal|"
                r"your business|do not present)\b",
            ),
        ),
    ),
    Lint(
        id="L-ST-03",
        name="ca_12964_5_language_missing",
        title="California: the unlawful-acts sentence is missing",
        severity=ERROR,
        jurisdictions=("US-CA",),
        explanation=(
            "Employees acknowledge this policy. In California, any non-disparagement or "
            "workplace-confidentiality restriction that employees agree to must include the "
            "statutory sentence saying that nothing prevents them from discussing unlawful "
            "acts in the workplace."
        ),
        sources=(
            Source(
                "Cal. Gov. Code § 12964.5 (SB 331)",
                "https://self-law.org/code/ca/government-code/12964-5",
            ),
        ),
        suggestion=CA_SENTENCE,
        check=document_trigger(
            _ca_sentence_missing, path="sections.your_rights", label="Section “Your rights”"
        ),
        fix="append",
        section="your_rights",
    ),
    Lint(
        id="L-ST-04",
        name="monitoring_notice_missing",
        title="Monitoring without notice",
        severity=INFO,
        jurisdictions=("US",),
        escalate_in=MONITORING_NOTICE_STATES,
        explanation=(
            "The policy says employees' posts or accounts are monitored but not how employees "
            "are told. New York requires written notice on hiring, acknowledged by the "
            "employee, and a posted notice; Connecticut and Delaware require prior notice. "
            "Say what is monitored, that employees are told before it starts, and ask for an "
            "acknowledgment."
        ),
        sources=(
            Source(
                "N.Y. Civil Rights Law § 52-c (2022)",
                "https://mofo.com/resources/insights/211115-new-york-enacts-employee-monitoring-notification-law",
            ),
            Source(
                "19 Del. C. § 705; Conn. Gen. Stat. § 31-48d",
                "https://www.ropesdataphiles.com/2021/12/new-york-law-will-require-employee-notice-and-acknowledgement-prior-to-electronic-monitoring-by-employer/",
            ),
        ),
        suggestion=(
            "Before any monitoring starts we give you written notice of what is reviewed (only "
            "public posts that mention {org}), why, who sees the results and how long they are "
            "kept, and we ask you to acknowledge that notice."
        ),
        check=document_trigger(
            _monitoring_without_notice, path="sections.monitoring", label="Section “Monitoring”"
        ),
        fix="append",
        section="monitoring",
    ),
]
