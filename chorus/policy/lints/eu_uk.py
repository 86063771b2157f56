"""EU and UK lints: GDPR and the WP29 opinion on data processing at work, Bărbulescu, the
German works council, the EU AI Act and the UK ACAS Code.

Research: shared/research/domain-legal.md §0.5 and §(b) B.5.
"""

from __future__ import annotations

from chorus.policy.lints.base import (
    ERROR,
    NOTICE,
    Lint,
    LintContext,
    Source,
    document_trigger,
    mentions_monitoring,
    text_trigger,
)

WP29 = Source(
    "Article 29 Working Party, Opinion 2/2017 on data processing at work (WP 249)",
    "https://gdpr-text.com/guidelines/dataprocessingatwork/",
)
GDPR = Source("Regulation (EU) 2016/679 (GDPR)", "https://eur-lex.europa.eu/eli/reg/2016/679/oj")
BARBULESCU = Source(
    "Bărbulescu v. Romania, ECHR Grand Chamber (2017)",
    "http://mondaq.com/x/634046/employee+rights+labour+relations/Is+The+Monitoring+Of+Employees+Still+Possible+In+The+Light+Of+The+ECHR+Barbulescu+vs+Romania+Case+And+The+GDPR",
)
ICO = Source(
    "ICO, Monitoring workers guidance (2023)",
    "https://ico.org.uk/about-the-ico/monitoring-workers-guidance-summary-of-responses/",
)
AI_ACT = Source(
    "EU AI Act, Regulation (EU) 2024/1689", "https://confir.eu/annex-iii/employee-monitoring-ai"
)
EU_UK = ("EU", "UK")


def _monitoring_without_transparency(ctx: LintContext) -> bool:
    return mentions_monitoring(ctx) and not ctx.mentions(NOTICE)


def _monitoring_without_works_council(ctx: LintContext) -> bool:
    return mentions_monitoring(ctx) and not ctx.mentions(
        r"\b(works council|betriebsrat|"
        r"betriebsvereinbarung)\b"
    )


def _discipline_without_acas_steps(ctx: LintContext) -> bool:
    return ctx.mentions(r"\b(disciplin\w*|dismiss\w*|terminat\w*|sanction\w*)\b") and not (
        ctx.mentions(r"\bappeal\w*\b")
        and ctx.mentions(r"\b(accompan\w*|companion|representative)\b")
    )


TITLE = "EU and UK: data protection, labour and AI"

LINTS = [
    Lint(
        id="L-GDPR-01",
        name="generalized_screening",
        title="Screening all employees' personal accounts",
        severity=ERROR,
        jurisdictions=EU_UK,
        explanation=(
            "Continuously scanning every employee's personal social media, or screening "
            "candidates' profiles without a job-specific need and notice, is not necessary or "
            "proportionate. A public profile is not by itself a lawful basis."
        ),
        sources=(WP29, GDPR),
        suggestion=(
            "We do not watch employees' personal accounts. We only look at public posts that "
            "mention {org} when someone reports them or when you share through Chorus."
        ),
        check=text_trigger(
            any_of=(
                r"\b(monitor|scan|screen|review|track|watch)\w*\b[^.]{0,60}\b(all|every|each)\b"
                r"[^.]{0,30}\b(employees?|staff|workers?|colleagues?|"
                r"personal (?:accounts|profiles))\b",
                r"\bcontinuous(?:ly)? (?:monitor|scan|screen|track)\w*\b",
                r"\b(screen|check|review)\w*\b[^.]{0,30}\b(candidates?|applicants?)\b[^.]{0,40}"
                r"\b(social media|profiles?|accounts?)\b",
            ),
            unless=(r"\b(do not|don't|never|we only)\b",),
        ),
    ),
    Lint(
        id="L-GDPR-02",
        name="special_category_inference",
        title="Inferring political views, religion, union membership, health or sexuality",
        severity=ERROR,
        jurisdictions=EU_UK,
        explanation=(
            "Political opinions, religious beliefs, trade-union membership, health and sex "
            "life or orientation are special-category data. A rule or classifier that infers "
            "or labels them needs an Article 9 exception, which employee monitoring does not "
            "have."
        ),
        sources=(GDPR,),
        suggestion=(
            "Chorus never infers or records employees' political views, religion, union "
            "membership, health or sexuality."
        ),
        check=text_trigger(
            any_of=(
                r"\b(identif\w*|flag\w*|detect\w*|track\w*|monitor\w*|infer\w*|label\w*|"
                r"record\w*|categori[sz]\w*|profil\w*)\b[^.]{0,60}\b(political (?:opinions?|"
                r"views|affiliation)|religio\w*|union (?:membership|members|supporters|"
                r"activity)|health|sexual orientation|sexuality)\b",
            ),
            unless=(r"\b(never|do not|don't|not)\b",),
        ),
    ),
    Lint(
        id="L-GDPR-05",
        name="no_prior_transparency",
        title="Monitoring without prior information to staff",
        severity=ERROR,
        jurisdictions=EU_UK,
        explanation=(
            "Employees must be told, before it starts, about the possibility, nature, scope, "
            "purpose and retention of any monitoring; secret or unannounced monitoring breached "
            "Article 8 ECHR in Bărbulescu."
        ),
        sources=(BARBULESCU, WP29, ICO),
        suggestion=(
            "Before any monitoring starts we tell you in writing what is reviewed (only public "
            "posts that mention {org}), why, who sees the results and how long they are kept."
        ),
        check=document_trigger(
            _monitoring_without_transparency,
            path="sections.monitoring",
            label="Section “Monitoring”",
        ),
        fix="append",
        section="monitoring",
    ),
    Lint(
        id="L-DE-01",
        name="works_council",
        title="Germany: monitoring without the works council",
        severity=ERROR,
        jurisdictions=("DE",),
        explanation=(
            "In Germany the works council co-determines any technical system able to monitor "
            "employees' conduct or performance, including an employer's social-media presence "
            "where visitors can comment on named staff. Record the works-council agreement."
        ),
        sources=(
            Source(
                "BetrVG § 87(1) no. 6; BAG 13.12.2016, 1 ABR 7/15",
                "https://blogs.dlapiper.com/employmentgermany/2016/12/21/co-determination-of-the-works-council-concerning-facebook-presence-of-the-employer/",
            ),
        ),
        suggestion=(
            "In Germany, monitoring runs only as agreed with the works council "
            "(Betriebsvereinbarung)."
        ),
        check=document_trigger(
            _monitoring_without_works_council,
            path="sections.monitoring",
            label="Section “Monitoring”",
        ),
        fix="append",
        section="monitoring",
    ),
    Lint(
        id="L-AIA-02",
        name="emotion_recognition",
        title="Emotion or sentiment recognition of employees",
        severity=ERROR,
        jurisdictions=("EU",),
        explanation=(
            "Inferring the emotions of people in the workplace is prohibited by the EU AI Act "
            "since 2 February 2025. Scoring employees' posts for sentiment to feed HR decisions "
            "is also a high-risk use."
        ),
        sources=(AI_ACT, Source("EU AI Act Art. 5(1)(f); Annex III point 4(b)")),
        suggestion="Chorus never infers employees' emotions or mood.",
        check=text_trigger(
            any_of=(
                r"\b(emotion\w*|sentiment|mood|feelings?)\b[^.]{0,30}\b(analy\w*|recogni\w*|"
                r"detect\w*|scor\w*|track\w*|monitor\w*|infer\w*)\b",
                r"\b(analy\w*|recogni\w*|detect\w*|scor\w*|track\w*|monitor\w*|infer\w*)\b"
                r"[^.]{0,30}\b(emotions?|sentiment|mood)\b",
            ),
            unless=(r"\b(never|do not|don't|not)\b",),
        ),
    ),
    Lint(
        id="L-UK-01",
        name="acas_steps_missing",
        title="UK: discipline without the ACAS steps",
        severity=ERROR,
        jurisdictions=("UK",),
        explanation=(
            "The policy mentions discipline but not the ACAS Code's steps: the allegation in "
            "writing, a meeting where the employee may be accompanied, and an appeal. Failing "
            "to follow the Code can change tribunal awards by up to 25%."
        ),
        sources=(
            Source(
                "ACAS Code of Practice on disciplinary and grievance procedures",
                "https://workingfamilies.org.uk/articles/the-acas-code/",
            ),
        ),
        suggestion=(
            "Any disciplinary step follows our disciplinary procedure: we establish the facts, "
            "tell you the allegation in writing, meet with you (you may bring a colleague or "
            "union representative) and you can appeal the outcome."
        ),
        check=document_trigger(
            _discipline_without_acas_steps,
            path="sections.enforcement",
            label="Section “If something goes wrong”",
        ),
        fix="append",
        section="enforcement",
    ),
]
