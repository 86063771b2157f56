"""Routing a case to its handlers (by category, the least loaded, never someone it names)
and the routing rules HR configures."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import transaction
from django.db.models import Count

from chorus.audit.services import audit_record
from chorus.common.errors import InvalidInput
from chorus.people.models import Organization, User
from chorus.reports.models import Category, Report, ReportEvent, RoutingRule

# Roles that handle reports; routing teams and leads are limited to them.
STAFF_ROLES = ("admin", "communications", "hr", "legal")


def _name_patterns(user: User) -> list[re.Pattern[str]]:
    """How a text can name this user: full name, e-mail, or the e-mail's local part as @handle."""
    patterns = [re.compile(re.escape(user.email), re.I)]
    local = user.email.split("@")[0]
    if len(local) >= 3:
        patterns.append(re.compile(r"(?<![\w@.])@" + re.escape(local) + r"\b", re.I))
    name = " ".join(user.full_name.split())
    if len(name.split()) >= 2:  # a lone first name is too common to route on
        patterns.append(re.compile(r"\b" + re.escape(name).replace(r"\ ", r"\s+") + r"\b", re.I))
    return patterns


def _named_in(user: User, haystack: str) -> bool:
    return any(p.search(haystack) for p in _name_patterns(user))


def _fallback_handlers(organization_id: int) -> list[User]:
    """HR, then legal (then administrators): who handles a report the team cannot."""
    users = list(
        User.objects.filter(
            organization_id=organization_id,
            is_active=True,
            groups__name__in=["hr", "legal", "admin"],
        )
        .distinct()
        .prefetch_related("groups")
    )
    order = {"hr": 0, "legal": 1, "admin": 2}
    return sorted(users, key=lambda u: (min(order.get(g.name, 9) for g in u.groups.all()), u.pk))


def _least_loaded(
    users: Sequence[User], *, category: str, lead_id: int | None
) -> tuple[User | None, int]:
    """The team member with the fewest open reports *of this category*, the lead first on a tie.

    Counting every category's work (as routing once did) sent a harassment report to legal
    because HR had just been given an unrelated leak report, and ties went to the lowest
    database id, not to the rule's lead (issue 17). Returns (user, their open count).
    """
    if not users:
        return None, 0
    loads = dict(
        Report.objects.filter(
            assignee__in=users,
            category=category,
            status__in=[Report.Status.NEW, Report.Status.TRIAGING],
        )
        .values_list("assignee")
        .annotate(n=Count("pk"))
    )
    best = min(users, key=lambda u: (loads.get(u.pk, 0), u.pk != lead_id, u.pk))
    return best, loads.get(best.pk, 0)


def _route(*, report: Report, texts: Iterable[str], actor: Any) -> None:
    """Assign the report to its category's team, around anyone the report names.

    Named people (the subject, or a handler whose name, e-mail or @handle appears in the
    description, post text or URL) are excluded from the report entirely. Preference: a team
    member (least open work), then the lead, then HR or legal outside the team.
    """
    haystack = "\n".join(t for t in texts if t)
    rule = report.rule
    candidates: list[User] = []
    if rule is not None:
        candidates = list(rule.team.filter(is_active=True).order_by("pk"))
        if rule.lead and rule.lead not in candidates:
            candidates.append(rule.lead)
    for user in _fallback_handlers(report.organization_id):
        if user not in candidates:
            candidates.append(user)
    named = {u for u in candidates if _named_in(u, haystack)}
    if report.subject is not None and report.subject.user is not None:
        named.add(report.subject.user)
    new_exclusions = [u for u in named if not report.excluded_users.filter(pk=u.pk).exists()]
    if new_exclusions:
        report.excluded_users.add(*new_exclusions)
    excluded = set(report.excluded_users.values_list("pk", flat=True))
    if report.assignee_id and report.assignee_id not in excluded:
        return  # already with someone who is not named: keep it there
    team = [
        u for u in (list(rule.team.filter(is_active=True)) if rule else []) if u.pk not in excluded
    ]
    assignee, open_count = _least_loaded(
        team, category=report.category, lead_id=rule.lead_id if rule else None
    )
    how = "team"
    if (
        assignee is None
        and rule
        and rule.lead
        and rule.lead_id not in excluded
        and rule.lead.is_active
    ):
        assignee, how = rule.lead, "lead"
    if assignee is None:
        fallback = [u for u in _fallback_handlers(report.organization_id) if u.pk not in excluded]
        assignee, how = (fallback[0] if fallback else None), "fallback"
    previous = report.assignee
    report.assignee = assignee
    rule_name = f"the routing rule for “{report.get_category_display()}”"
    named_names = ", ".join(sorted(u.full_name or u.email for u in report.excluded_users.all()))
    if assignee is None:
        report.routing_note = (
            "Everyone who could handle this report is named in it. An "
            "administrator must assign it by hand."
        )
    elif how == "team" and rule is not None and assignee.pk == rule.lead_id:
        report.routing_note = (
            f"Lead of {rule_name}"
            + (f", with the fewest open reports in that category ({open_count})"
               if len(team) > 1 else "")
            + "."
        )
    elif how == "team":
        report.routing_note = (
            f"Team member of {rule_name} with the fewest open reports in that category "
            f"({open_count})"
            + (f"; the lead, {rule.lead}, has more" if rule and rule.lead
               and rule.lead_id not in excluded and rule.lead in team else "")
            + "."
        )
    elif how == "lead":
        report.routing_note = f"Lead of {rule_name} (no team member could take it)."
    elif rule is None:
        report.routing_note = "No routing rule for this category: sent to HR."
    else:
        report.routing_note = "Nobody on the routing rule could take it: sent to HR/legal."
    if excluded and assignee is not None:
        who = "person" if len(excluded) == 1 else "people"
        report.routing_note = (
            f"Routed around {len(excluded)} named {who}"
            + (f" ({named_names})" if named_names else "")
            + f". {report.routing_note}"
        )
    report.save(update_fields=["assignee", "routing_note", "updated_at"])
    if assignee != previous and assignee is not None:
        _notify_assigned(report=report, assignee=assignee)
    if assignee != previous:
        ReportEvent.objects.create(
            organization_id=report.organization_id,
            report=report,
            actor=None,
            kind=ReportEvent.Kind.ROUTED,
            note=(f"Assigned to {assignee}" if assignee else "Left unassigned")
            + (f" ({report.routing_note})" if report.routing_note else "."),
        )


def _notify_assigned(*, report: Report, assignee: User) -> None:
    from functools import partial

    from django.urls import reverse

    from chorus.reports.services.base import _notify

    transaction.on_commit(partial(
        _notify, "reports.assigned", report, [assignee],
        f"Report {report.reference} is assigned to you: {report.get_category_display()}",
        f"{report.get_category_display()} on {report.get_network_display()}, due "
        f"{report.due_at:%Y-%m-%d %H:%M} UTC.",
        reverse("reports:detail", args=[report.pk]), f"assigned:{report.pk}:{assignee.pk}",
    ))  # fmt: skip


@transaction.atomic
def routing_rule_save(
    *,
    organization: Organization,
    actor: User | None,
    category: str,
    team: Iterable[User],
    lead: User | None,
    sla_hours: int,
) -> RoutingRule:
    """Create or replace the routing rule for one category."""
    if category not in Category.values:
        raise InvalidInput("Choose a report category.", field="category")
    if not 1 <= int(sla_hours) <= 24 * 30:
        raise InvalidInput(
            "The SLA must be between 1 hour and 30 days (720 hours).", field="sla_hours"
        )
    team = list(team)
    people = [*team, *([lead] if lead else [])]
    if any(u.organization_id != organization.pk for u in people):
        raise InvalidInput(
            "Team members and the lead must belong to this organization.", field="team"
        )
    if not team and lead is None:
        raise InvalidInput("Add at least one team member or a lead.", field="team")
    not_staff = [
        u for u in people if not any(u.has_role(r) for r in STAFF_ROLES)
    ]
    if not_staff:
        names = ", ".join(sorted({u.full_name or u.email for u in not_staff}))
        raise InvalidInput(
            f"{names} cannot handle reports: a routing team or lead needs the administrator, "
            "communications, HR or legal role.", field="team")
    rule, _created = RoutingRule.objects.update_or_create(
        organization=organization,
        category=category,
        defaults={"lead": lead, "sla_hours": int(sla_hours)},
    )
    rule.team.set(team)
    audit_record(
        organization=organization,
        actor=actor,
        action="reports.routing_rule_saved",
        target=rule,
        data={
            "category": category,
            "team": sorted(u.pk for u in team),
            "lead": lead.pk if lead else None,
            "sla_hours": int(sla_hours),
        },
    )
    return rule


def can_configure(user: User) -> bool:
    return user.has_role("admin") or user.has_role("hr")
