"""Demo data for reports: Northwind's routing rules, a post reported three times (merged), and
an anonymous report. Built through the services, like real use."""

from __future__ import annotations

from typing import Any

from chorus.reports.models import Category
from chorus.reports.services import (
    report_ask,
    report_submit,
    report_transition,
    routing_rule_save,
)

# category: (team keys, lead key, SLA hours)
RULES = {
    Category.HARASSMENT: (["hr", "legal"], "hr", 24),
    Category.LEAK: (["legal", "hr"], "legal", 8),
    Category.IMPERSONATION: (["comms", "legal"], "comms", 24),
    Category.CRISIS: (["comms", "hr"], "comms", 4),
    Category.SECURITY: (["admin", "legal"], "admin", 4),
    Category.OTHER: (["hr"], "hr", 72),
}


def seed(ctx: Any) -> None:
    org, users = ctx.organization, ctx.users
    for category, (team, lead, hours) in RULES.items():
        routing_rule_save(
            organization=org,
            actor=users["admin"],
            category=category,
            team=[users[k] for k in team],
            lead=users[lead],
            sla_hours=hours,
        )

    url = "https://x.com/northwind_leaks/status/1893311120045"
    first = report_submit(
        organization=org,
        reporter=users["employee"],
        url=url,
        category=Category.IMPERSONATION,
        description="This account uses our logo and the CEO's photo and offers 'refunds' to "
        "customers who DM their card details.",
        post_text="Northwind Support here! DM us your card number for a fast refund.",
    )
    report_submit(
        organization=org,
        reporter=users["employee2"],
        url=url + "?s=20&utm_source=share",
        category=Category.IMPERSONATION,
        description="Fake support account; two customers asked me about it today.",
    )
    report_submit(
        organization=org,
        reporter=users["manager"],
        url="https://twitter.com/northwind_leaks/status/1893311120045/",
        category=Category.SECURITY,
        description="Looks like a phishing account using our name.",
    )
    report_transition(report=first.report, actor=users["comms"], to="triaging", reason="")
    report_ask(
        report=first.report,
        submission=first.submission,
        actor=users["comms"],
        question="Did any customer tell you they sent card details?",
    )

    report_submit(
        organization=org,
        reporter=users["employee2"],
        anonymous=True,
        url="https://www.linkedin.com/posts/someone_roadmap-activity-7301/",
        category=Category.LEAK,
        description="Someone posted photos of the unreleased R7 roadmap slides from the all-hands.",
    )
