"""NLRA Section 7 lints (United States, private employers). Current Board law: Stericycle.

A rule is presumptively unlawful when it has a reasonable tendency to chill employees'
protected concerted activity (talking about pay, hours and working conditions, organizing),
read from the view of an economically dependent employee (Stericycle, 372 NLRB No. 113, 2023).
Research: shared/research/domain-legal.md §0.1, §0.2 and §(b) B.1.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from chorus.policy.lints.base import (
    BAN,
    ERROR,
    WARNING,
    Hit,
    Lint,
    LintContext,
    Source,
    has_savings_clause,
    text_trigger,
)

STERICYCLE = Source(
    "Stericycle, Inc., 372 NLRB No. 113 (2023)",
    "https://bipc.com/nlrb-adopts-new-standard-for-evaluating-the-legality-of-work-rules",
)
OM_12_59 = Source(
    "NLRB Acting General Counsel, OM 12-59 (May 30, 2012)",
    "https://fr.slideshare.net/krishnade/2012-05-30-report-of-the-acting-general-counsel-concerning-social-media-cases",
)
TRIPLE_PLAY = Source(
    "Three D, LLC (Triple Play) v. NLRB, 629 F. App'x 33 (2d Cir. 2015)",
    "https://www.courtlistener.com/api/rest/v3/opinions/3133423/",
)
COSTCO = Source(
    "Costco Wholesale Corp. (NLRB, Sept. 7, 2012)",
    "https://www.genovaburns.com/publications/labor-law/2012-09-20-as-predicted-nlrb-issues-first-social-media-decision-consistent-with-recent-gc-memos-2",
)
GM_ALJ = Source(
    "General Motors LLC, ALJ JD-27-12 (2012)",
    "https://print.casetext.com/admin-law/general-motors-llc-1",
)
KNAUZ = Source(
    "Karl Knauz Motors, ALJ (2011)",
    "https://casetext.com/analysis/the-nlrb-gives-all-employers-cause-for-concern",
)
GC_26_03 = Source(
    "NLRB General Counsel memo GC 26-03 (Feb. 27, 2026)",
    "https://www.mondaq.com/unitedstates/employee-rights-labour-relations/1755440/no-harm-no-foul-nlrb-and-dol-simultaneously-issue-directives-to-relax-scrutiny-in-certain-agency-investigations",
)
CA_232 = Source(
    "Cal. Labor Code §§ 232, 232.5",
    "https://ca.codecond.com/codes/lab/division-2-employment-regulation-and-supervision/part-1-compensation/chapter-1-payment-of-wages/article-1-general-occupations/section-232.5",
)
GC_LIST = Source(
    "NLRB Acting GC social-media reports 2011–2012 (unlawful-rule list)",
    "https://howardmavity.com/2012/11/30/part-1-what-rules-can-i-enforce-about-social-media/",
)
UNIV_HOSP = Source(
    "University Hospitals Cleveland, ALJ JD-75-24 (2024)",
    "https://online.flippingbook.com/view/889924822/40",
)
FIRST_TRANSIT = Source(
    "First Transit, Inc., 360 NLRB No. 72 (2014)",
    "https://casetext.com/admin-law/first-transit-inc-24",
)
NAT_CAPTIONING = Source(
    "National Captioning Institute (NLRB, 2019)",
    "https://www.vigilant.org/employment-law-blog/employer-unlawfully-surveilled-workers-pro-union-facebook-page",
)
ADVANCEPIERRE = Source(
    "AdvancePierre Foods, 366 NLRB No. 133 (2018)",
    "https://content.next.westlaw.com/practical-law/document/Ia9900d548e9911e8a5b3e3d9e23d7429/Supervisor-Engaged-in-Unlawful-Surveillance-on-Facebook-NLRB",
)
MORGAN_LEWIS_12_59 = Source(
    "OM 12-59 on internal-channel rules (Morgan Lewis summary)",
    "http://www.morganlewis.com/index.cfm/fuseaction/publication.detail/publicationID/01be49d6-2347-41e9-93b7-9c08fdeef135",
)

US = ("US",)
# Where a carve-out for protected topics already sits in the same rule, the rule is narrowed.
CARVE_OUT = r"\b(working conditions|know(?:ingly)? to be false|knowingly false|malicious\w*)\b"
TARGETS = (
    r"\b(company|employer|{org}|management|managers?|supervisors?|leadership|executives?|bosses|"
    r"co-?workers?|colleagues?|fellow|customers?|clients?|employees|organi[sz]ation|business|"
    r"brand|products?|services?|us|our)\b"
)

NEGATIVE_RE = (
    r"\b(disparag\w*|negative|derogatory|detrimental|defamatory|embarrass\w*|criticiz\w*|"
    r"criticis\w*|bad-?mouth\w*|unflattering)\b",
    r"\b(damag\w*|harm\w*|hurt\w*|tarnish\w*|injur\w*)\b[^.]{0,40}\breputation",
)

PAY_TERMS = (
    r"\b(wages?|salar(?:y|ies)|pay|paycheck|compensation|bonus(?:es)?|benefits|raises?|"
    r"schedules?|staffing|disciplin\w*|employee information|"
    r"personnel (?:information|matters|files)|"
    r"working conditions|hours)\b"
)
SECRECY = (
    r"\b(confidential\w*|private|secret|non-public|nonpublic|proprietary|do not (?:share|disclose|"
    r"discuss|post|talk about)|don't (?:share|disclose|discuss|post|talk about)|must not (?:share|"
    r"disclose|discuss|post)|never (?:share|disclose|discuss|post))\b"
)
CARVE_OUT_PAY = (
    r"\b(never (?:covers?|includes?|applies|restricts?)|does not (?:cover|include|apply|restrict)|"
    r"doesn't (?:cover|include|apply)|nothing in|(?:is|are) not confidential|free to|"
    r"you (?:may|can) (?:always )?(?:discuss|share|talk))\b"
)


def _monitoring_keywords(ctx: LintContext) -> Iterator[Hit]:
    """Entity lists or rule parameters that would make the engine watch protected activity."""
    pattern = re.compile(
        r"\b(unions?|unioni[sz]\w*|organi[sz](?:e|ing|er)s?|strikes?|walk-?outs?|petitions?|"
        r"wages?|salar(?:y|ies)|pay|nlrb|collective bargaining|teamsters|sindicato|gewerkschaft)\b",
        re.IGNORECASE,
    )
    ent = ctx.policy.entities
    for key in ("customers", "competitors", "codenames", "unreleased", "executives"):
        for i, term in enumerate(getattr(ent, key)):
            if pattern.search(term):
                yield Hit(
                    f"entities.{key}[{i}]",
                    f"Entity list “{key}”",
                    term,
                    suggestion=f"Remove “{term}” from the {key} list.",
                )
    for rule in ctx.policy.rules:
        for value in _strings(rule.params or {}):
            if pattern.search(value):
                path = f"{ctx.rule_paths.get(rule.id, rule.id)}.params"
                yield Hit(
                    path,
                    f"Rule “{rule.title or rule.id}” parameters",
                    value,
                    rule_id=rule.id,
                    suggestion=f"Remove “{value}” from this rule's parameters.",
                )


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _strings(item)


NLRA_TEXT_LINTS = {f"L-NLRA-{n:02d}" for n in range(1, 15)}


def _savings_reliance(ctx: LintContext) -> Iterator[Hit]:
    if ctx.fired & NLRA_TEXT_LINTS and has_savings_clause(ctx):
        fired = ", ".join(sorted(ctx.fired & NLRA_TEXT_LINTS))
        yield Hit(
            "sections",
            "The policy as a whole",
            f"The policy has a savings clause and still triggers {fired}.",
        )


TITLE = "United States: NLRA Section 7 (Stericycle)"

LINTS = [
    Lint(
        id="L-NLRA-01",
        name="broad_disparagement",
        title="Broad ban on negative or disparaging remarks",
        severity=ERROR,
        jurisdictions=US,
        explanation=(
            "A ban on negative, disparaging or reputation-damaging statements about the "
            "company, management, colleagues or customers, with no carve-out for pay, hours and "
            "working conditions, is presumptively unlawful under the current NLRB standard: an "
            "employee would read it as forbidding complaints about work. Limit it to statements "
            "the employee knows to be false or that are malicious, and give examples."
        ),
        sources=(STERICYCLE, COSTCO, TRIPLE_PLAY, OM_12_59),
        suggestion=(
            "Do not post statements about {org}, its people, customers or competitors that you "
            "know to be false or that are malicious, such as a made-up quote or an invented "
            "product defect. You are free to criticize the company and to discuss pay, hours "
            "and working conditions."
        ),
        check=text_trigger(any_of=NEGATIVE_RE, all_of=(BAN, TARGETS), unless_field=(CARVE_OUT,)),
    ),
    Lint(
        id="L-NLRA-02",
        name="pay_terms_confidentiality",
        title="Confidentiality that covers pay or working conditions",
        severity=ERROR,
        jurisdictions=US,
        explanation=(
            "Treating wages, benefits, schedules, staffing, discipline or other terms of "
            "employment as confidential is facially unlawful and remains an NLRB enforcement "
            "priority; in California employees may also disclose wages and working conditions "
            "by statute. Define confidential information by examples of business secrets and "
            "say that it never covers pay or working conditions."
        ),
        sources=(STERICYCLE, GC_26_03, CA_232),
        suggestion=(
            "Keep confidential business information private, such as trade secrets, unreleased "
            "products, source code and customer data. This never covers your own or your "
            "colleagues' pay, benefits, hours, schedules or other working conditions, which "
            "you are free to discuss."
        ),
        check=text_trigger(any_of=(SECRECY,), all_of=(PAY_TERMS,), unless=(CARVE_OUT_PAY,)),
    ),
    Lint(
        id="L-NLRA-03",
        name="undefined_confidential",
        title="“Confidential” with no definition or examples",
        severity=WARNING,
        jurisdictions=US,
        explanation=(
            "An undefined ban on “confidential”, “non-public”, “proprietary” or “internal” "
            "information was found unlawful because employees cannot tell whether it covers "
            "their own terms of employment. Define it by example (trade secrets, unreleased "
            "products, customer data) and exclude employee terms."
        ),
        sources=(OM_12_59, GM_ALJ, STERICYCLE),
        suggestion=(
            "Keep confidential business information private, such as trade secrets, unreleased "
            "products, source code and customer data. This never covers your pay, hours or "
            "working conditions."
        ),
        check=text_trigger(
            any_of=(
                r"\b(confidential|non-?public|proprietary|internal)\b[^.]{0,20}\b(information|"
                r"data|matters|business|details|material)\b",
            ),
            unless=(
                r"\b(such as|for example|e\.g\.|including|like|for instance)\b",
                r",[^,]+,",
                CARVE_OUT_PAY,
            ),
        ),
    ),
    Lint(
        id="L-NLRA-04",
        name="civility_tone",
        title="Civility or tone rule",
        severity=WARNING,
        jurisdictions=US,
        explanation=(
            "Rules requiring posts to be respectful, courteous or professional, or banning "
            "“inappropriate” or “offensive” remarks, lost their safe harbor under Stericycle: "
            "heated criticism of management can be protected. Limit the rule to harassment, "
            "threats and discrimination, defined with examples, and never discipline tone alone."
        ),
        sources=(STERICYCLE, TRIPLE_PLAY, KNAUZ, OM_12_59),
        suggestion=(
            "Do not harass, threaten or discriminate against colleagues, customers or anyone "
            "else, for example with slurs, sexual comments or threats of violence."
        ),
        check=text_trigger(
            any_of=(
                r"\b(respectful|disrespectful|courteous|discourteous|professional(?:ly)?|"
                r"unprofessional|inappropriate|offensive|polite|impolite|pick fights?|civil|"
                r"uncivil)\b",
            ),
            unless=(r"\bnever\b[^.]{0,40}\b(reason|ground|basis)\b",),
        ),
    ),
    Lint(
        id="L-NLRA-05",
        name="accuracy_requirement",
        title="Duty to be accurate or not misleading",
        severity=WARNING,
        jurisdictions=US,
        explanation=(
            "Requiring employees' personal posts to be “completely accurate”, “truthful” or "
            "“not misleading” was found unlawful: opinions and complaints about work are rarely "
            "provably accurate. The lawful version is narrower: do not post what you know to be "
            "false."
        ),
        sources=(GM_ALJ, OM_12_59, STERICYCLE),
        suggestion="Do not post information about {org} or its people that you know to be false.",
        check=text_trigger(
            any_of=(r"\b(accurate|truthful|not misleading|non-misleading)\b",),
            unless=(r"\bknow(?:ingly)?\b[^.]{0,20}\bfalse\b",),
        ),
    ),
    Lint(
        id="L-NLRA-06",
        name="logo_blanket_ban",
        title="Blanket ban on the logo, trademarks or company name",
        severity=ERROR,
        jurisdictions=US,
        explanation=(
            "Employees may use the company's name and logo in protected activity, for example "
            "on a protest sign or a union flyer. A lawful rule is limited to commercial use or "
            "use that implies the company endorses something."
        ),
        sources=(GC_LIST, OM_12_59),
        suggestion=(
            "Do not use the {org} logo or trademarks commercially, or in a way that suggests "
            "the company endorses your post or product."
        ),
        check=text_trigger(
            any_of=(r"\b(logos?|trademarks?|brand(?:ing)?|company name|company's name)\b",),
            all_of=(BAN,),
            unless=(r"\b(commercial\w*|sell\w*|endors\w*|advertis\w*|impl(?:y|ies))\b",),
        ),
    ),
    Lint(
        id="L-NLRA-07",
        name="photo_recording_ban",
        title="Blanket ban on workplace photos or recordings",
        severity=WARNING,
        jurisdictions=US,
        explanation=(
            "A blanket ban on photos, video or recordings at work can chill employees "
            "documenting unsafe conditions or protests (the Stericycle decision used a "
            "no-camera rule as its example). Narrow it to what is actually sensitive."
        ),
        sources=(STERICYCLE, GC_LIST),
        suggestion=(
            "Do not post photos or videos that show customer data, screens with confidential "
            "information, security badges or restricted areas."
        ),
        check=text_trigger(
            any_of=(
                r"\b(photos?|photograph\w*|pictures?|videos?|recordings?|record|cameras?|"
                r"selfies?)\b",
            ),
            all_of=(
                BAN,
                r"\b(workplace|at work|premises|office|facilit\w*|on[- ]?site|work ?site|"
                r"plant|factory|warehouse|store)\b",
            ),
            unless=(
                r"\b(patients?|customer data|personal data|trade secrets?|secure areas?|"
                r"restricted areas?|badges?|screens?|confidential)\b",
            ),
        ),
    ),
    Lint(
        id="L-NLRA-08",
        name="media_contact_ban",
        title="Ban on talking to the media",
        severity=ERROR,
        jurisdictions=US,
        explanation=(
            "Employees may talk to reporters about their working conditions. A lawful rule "
            "only reserves speaking on behalf of the company to authorized spokespeople; a ban "
            "on any contact with the press, or on sharing “any information relative to” the "
            "company, is unlawful."
        ),
        sources=(UNIV_HOSP, KNAUZ, STERICYCLE),
        suggestion=(
            "Only authorized spokespeople speak on behalf of {org}. You may always speak for "
            "yourself, including to the media about your working conditions."
        ),
        check=text_trigger(
            any_of=(
                r"\b(media|press|reporters?|journalists?|news outlets?|newspapers?)\b",
                r"\bany information (?:relative|related|relating) to\b",
            ),
            all_of=(BAN,),
            unless=(
                r"\b(on behalf of|official (?:statement|position|spokes\w*)|for yourself|"
                r"speak for (?:the company|{org}))\b",
            ),
        ),
    ),
    Lint(
        id="L-NLRA-09",
        name="legal_matters_agencies",
        title="Ban on discussing legal matters or contacting agencies",
        severity=ERROR,
        jurisdictions=US,
        explanation=(
            "Employees may discuss claims and lawsuits against the employer and contact "
            "government agencies (NLRB, EEOC, SEC, OSHA). A ban on “legal matters” was unlawful "
            "even with a savings clause; only privileged legal advice can be protected."
        ),
        sources=(
            Source(
                "G4S Secure Solutions, ALJ (2012)",
                "https://casetext.com/analysis/the-nlrb-gives-all-employers-cause-for-concern",
            ),
            GC_LIST,
            Source(
                "SEC Rule 21F-17 (KBR, 2015)",
                "https://dorsey.com/newsresources/publications/client-alerts/2015/04/sec-fines-kbr-130000-for-using-employee-confiden__",
            ),
        ),
        suggestion=(
            "Do not disclose privileged legal advice from the company's lawyers. You may always "
            "discuss claims against the company and contact government agencies such as the "
            "NLRB, EEOC, SEC or OSHA."
        ),
        check=text_trigger(
            any_of=(
                r"\b(legal (?:matters|issues|proceedings|disputes)|claims against|lawsuits?|"
                r"litigation|government agenc\w*|regulators?|nlrb|eeoc|osha|labor board)\b",
            ),
            all_of=(BAN,),
            unless=(r"\bprivileged\b", r"\byou may (?:always )?(?:discuss|contact)\b"),
        ),
    ),
    Lint(
        id="L-NLRA-10",
        name="prior_approval",
        title="Approval required before posting",
        severity=ERROR,
        jurisdictions=US,
        explanation=(
            "Requiring approval before posting about the company, “when in doubt, don't post”, "
            "or approval to create or join groups of co-workers chills protected activity. "
            "Pre-approval is fine for official company accounts and regulated business use."
        ),
        sources=(
            GM_ALJ,
            Source(
                "NLRB ALJ decisions applying Stericycle, 2024–25 (co-worker groups)",
                "https://online.flippingbook.com/view/889924822/40",
            ),
            STERICYCLE,
        ),
        suggestion=(
            "Posts on official {org} accounts are approved by Communications. On your personal "
            "accounts you do not need anyone's approval; if you are unsure about something, "
            "the contacts below are happy to help."
        ),
        check=text_trigger(
            any_of=(
                r"\b(get|obtain|seek|request|need|require[sd]?|must have|without)\b[^.]{0,40}"
                r"\b(approval|permission|sign-?off|clearance|authori[sz]ation)\b",
                r"\bwhen in doubt\b",
                r"\bcheck with\b[^.]{0,40}\bbefore\b",
                r"\b(post\w*|publish\w*|shar\w*)\b[^.]{0,40}\b(approv\w*|permission)\b",
            ),
            unless=(
                r"\bofficial (?:company |{org} )?accounts?\b",
                r"\bcompany (?:accounts?|channels?|handles?)\b",
                r"\bdo not need\b",
            ),
        ),
    ),
    Lint(
        id="L-NLRA-11",
        name="internal_channel_first",
        title="Concerns must go internally instead of online",
        severity=WARNING,
        jurisdictions=US,
        explanation=(
            "A policy may encourage internal channels, but must not require employees to raise "
            "concerns internally instead of posting about them."
        ),
        sources=(MORGAN_LEWIS_12_59, OM_12_59),
        suggestion=(
            "You are welcome to raise concerns with your manager, HR or the contacts below. "
            "This is an option, never a requirement, and it does not limit what you may say "
            "elsewhere."
        ),
        check=text_trigger(
            any_of=(
                r"\b(concerns?|complaints?|issues?|problems?|grievances?)\b[^.]{0,80}"
                r"\b(instead of|rather than|before (?:posting|going))\b",
                r"\binstead of (?:posting|going public|social media)\b",
                r"\b(?:not|never) (?:air|vent|post)\w* (?:your )?"
                r"(?:complaints|grievances|concerns)\b",
            ),
            unless=(r"\bnever a requirement\b",),
        ),
    ),
    Lint(
        id="L-NLRA-12",
        name="duty_to_report_coworkers",
        title="Duty to report co-workers' posts",
        severity=ERROR,
        jurisdictions=US,
        explanation=(
            "Mandatory reporting of co-workers' social-media activity (beyond harassment, "
            "threats or legal duties) risks unlawful surveillance of protected activity; "
            "soliciting reports about a co-workers' Facebook group was unlawful."
        ),
        sources=(NAT_CAPTIONING, GC_LIST),
        suggestion=(
            "You may report harassment, threats or leaks of confidential information that you "
            "see. Reporting is always optional, and we never ask you to report on colleagues' "
            "views, organizing or complaints."
        ),
        check=text_trigger(
            any_of=(
                r"\b(must|shall|are required to|are expected to|have a duty to|obligated to|"
                r"need to|should)\b[^.]{0,30}\b(report|notify|inform|tell)\b[^.]{0,80}"
                r"\b(co-?workers?|colleagues?|other employees|fellow|violations?|"
                r"inappropriate|unusual|anyone|activity)\b",
            ),
            unless=(r"\bmay report\b", r"\bnever ask\b"),
        ),
    ),
    Lint(
        id="L-NLRA-13",
        name="friending_restriction",
        title="Restriction on friending or following co-workers",
        severity=WARNING,
        jurisdictions=US,
        explanation=(
            "Telling employees not to friend or follow co-workers (or to “think carefully” "
            "about it) was on the NLRB General Counsel's unlawful list. Limit it to managers "
            "pressuring their reports, or to conflicts of interest."
        ),
        sources=(GC_LIST,),
        suggestion=(
            "Managers should not pressure people who report to them to connect on personal "
            "social media."
        ),
        check=text_trigger(
            any_of=(
                r"\b(friend\w*|follow\w*|connect\w*)\b[^.]{0,40}\b(co-?workers?|colleagues?|"
                r"other employees|team ?mates|team members)\b",
            ),
            all_of=(
                r"\b(do not|don't|should not|shouldn't|avoid|think carefully|refrain|"
                r"must not|not allowed|discouraged|prohibited)\b",
            ),
            unless=(r"\bwe never ask\b",),
        ),
    ),
    Lint(
        id="L-NLRA-14",
        name="topic_bans",
        title="Ban on topics such as politics or religion",
        severity=WARNING,
        jurisdictions=US,
        escalate_in=("US-CA", "US-CO", "US-NY", "US-CT"),
        explanation=(
            "Bans on “objectionable or inflammatory topics such as politics and religion” were "
            "found overbroad under the NLRA, and several states protect employees' political "
            "activity (California Labor Code §§ 1101–1102, Colorado, New York § 201-d). It is an "
            "error where those statutes apply."
        ),
        sources=(
            GC_LIST,
            Source(
                "Cal. Labor Code §§ 1101–1102; Volokh survey of state laws",
                "https://reason.com/volokh/2020/07/25/laws-protecting-private-employees-speech-and-political-activity-against-employer-retaliation-broad-protection-for-off-duty-lawful-activity",
            ),
        ),
        suggestion=(
            "Your political and religious views are your own. If you post about them, do not "
            "present them as the views of {org}."
        ),
        check=text_trigger(
            any_of=(r"\b(politic\w*|religio\w*|controversial|divisive|hot-button|inflammatory)\b",),
            all_of=(BAN,),
            unless=(r"\bdo not present\b", r"\bwe never\b"),
        ),
    ),
    Lint(
        id="L-NLRA-16",
        name="monitoring_keywords",
        title="Screening keyed to unions, organizing or pay",
        severity=ERROR,
        jurisdictions=US,
        explanation=(
            "Configuring the engine to look for union, organizing, strike, petition or pay "
            "terms is surveillance of protected activity, which is itself an unfair labor "
            "practice. Chorus already recognizes these topics as protected and never flags "
            "them; remove them from entity lists and rule parameters."
        ),
        sources=(ADVANCEPIERRE, NAT_CAPTIONING),
        suggestion="Remove the term from the list.",
        check=_monitoring_keywords,
        fix="",
    ),
    Lint(
        id="L-NLRA-15",
        name="savings_clause_reliance",
        title="A savings clause does not cure an overbroad rule",
        severity=WARNING,
        jurisdictions=US,
        explanation=(
            "The policy says nothing in it restricts protected activity, but specific rules "
            "above are still overbroad. Generic savings clauses did not rescue overbroad rules "
            "(First Transit; G4S; GM), and their effect under Stericycle is unresolved. Keep "
            "the clause and fix each rule."
        ),
        sources=(FIRST_TRANSIT, GM_ALJ, STERICYCLE),
        suggestion="Fix each rule flagged above; keep the savings clause as well.",
        check=_savings_reliance,
        fix="",
    ),
]
