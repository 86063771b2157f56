"""Opening incidents by hand, from a report or from a monitoring alert."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from chorus.common.errors import InvalidInput
from chorus.incidents.models import Evidence, Incident, IncidentEvent
from chorus.incidents.services.base import _audit, _event, _require_role
from chorus.incidents.services.evidence import _add_text_evidence
from chorus.incidents.services.gates import incident_run_screen
from chorus.incidents.services.matrix import matrix_current
from chorus.people.models import Organization, Person, User
from chorus.people.roles import Role


def _open(
    *, organization: Organization, actor: User | None, subject: Person | None, source: str,
    source_ref: str, title: str, summary: str, category: str, rule_ids: list[str],
    text: str = "", url: str = "", network: str = "",
) -> Incident:
    if subject is not None and subject.organization_id != organization.pk:
        raise InvalidInput("That person is not in your organization.", field="subject")
    if source_ref:
        existing = Incident.objects.filter(organization=organization, source=source,
                                           source_ref=source_ref).first()
        if existing:
            return existing
    title = " ".join(title.split())[:200]
    if not title:
        raise InvalidInput("Give the incident a short title.", field="title")
    try:
        with transaction.atomic():
            incident = Incident.objects.create(
                organization=organization, subject=subject, source=source, source_ref=source_ref,
                title=title, summary=summary.strip(), category=category.strip()[:40],
                rule_ids=list(dict.fromkeys(r for r in rule_ids if r)), owner=actor,
                opened_at=timezone.now(), matrix=matrix_current(organization=organization),
            )
    except IntegrityError:
        # Two requests opened the same source at once; the other one won.
        return Incident.objects.get(organization=organization, source=source,
                                    source_ref=source_ref)
    _event(incident, actor, IncidentEvent.Kind.OPENED,
           f"Opened from {incident.get_source_display().lower()}"
           + (f" {source_ref}" if source_ref else ""), note=summary.strip()[:2000])
    _audit(incident, actor, "incident.opened", source=source, source_ref=source_ref,
           subject=subject.pk if subject else None)
    if text.strip() or url.strip():
        _add_text_evidence(incident=incident, actor=actor,
                           kind=Evidence.Kind.POST if text.strip() else Evidence.Kind.LINK,
                           text=text, url=url, network=network, note="Captured when opened")
    incident_run_screen(incident=incident)
    return incident


@transaction.atomic
def incident_open_manual(
    *, organization: Organization, actor: User, subject: Person | None, title: str,
    summary: str = "", category: str = "", rule_ids: list[str] | None = None, text: str = "",
    url: str = "", network: str = "",
) -> Incident:
    """HR opens an incident by hand, optionally with the post text or link as first evidence."""
    _require_role(actor, Role.HR, doing="open incidents")
    return _open(organization=organization, actor=actor, subject=subject,
                 source=Incident.Source.MANUAL, source_ref="", title=title, summary=summary,
                 category=category, rule_ids=rule_ids or [], text=text, url=url, network=network)


@transaction.atomic
def incident_open_from_report(*, report: Any, actor: User) -> Incident:
    """Open (or return the already opened) incident for a report from the reports app.

    Uses only `report.pk`, `.organization`, `.url`, `.network`, `.category`, `.description`
    and, when present, `.subject` (a Person or None), so this app never imports reports.
    """
    _require_role(actor, Role.HR, doing="open incidents")
    category = str(getattr(report, "category", "") or "")
    description = str(getattr(report, "description", "") or "")
    label = str(getattr(report, "get_category_display", lambda: category)() or "")
    title = ("Reported post" if category in ("", "other")
             else f"Reported post: {label[:1].lower()}{label[1:]}")
    return _open(
        organization=report.organization, actor=actor, subject=getattr(report, "subject", None),
        source=Incident.Source.REPORT, source_ref=str(report.pk), title=title,
        summary=description, category=category, rule_ids=[], url=str(report.url or ""),
        network=str(getattr(report, "network", "") or ""),
    )


@transaction.atomic
def incident_open_from_speakup(*, concern: Any, subject: Person | None, actor: User,
                               title: str = "") -> Incident:
    """Open (or return) the incident that follows a speak-up report.

    Uses only `concern.pk`, `.organization`, `.category`, `.category_label` and
    `.description` (already redacted by the channel), so this app never imports speakup. The
    reporter's identity and the conversation never reach the incident.
    """
    _require_role(actor, Role.HR, doing="open incidents")
    label = str(getattr(concern, "category_label", "") or "")
    return _open(
        organization=concern.organization, actor=actor, subject=subject,
        source=Incident.Source.SPEAKUP, source_ref=str(concern.pk),
        title=title.strip() or f"Speak-up report: {label[:1].lower()}{label[1:]}",
        summary=str(getattr(concern, "description", "") or ""),
        category=str(getattr(concern, "category", "") or ""), rule_ids=[],
    )


@transaction.atomic
def incident_open_from_monitoring(
    *, alert_id: Any, organization: Organization, subject: Person | None, actor: User | None,
    text: str, url: str, network: str, findings: list[dict[str, Any]],
) -> Incident:
    """Open (or return) the incident for a monitoring alert; findings suggest the rules and
    category, but severity stays a human assessment."""
    rule_ids = [str(f.get("rule_id") or f.get("rule") or "") for f in findings or []]
    categories = [str(f.get("category") or "") for f in findings or [] if f.get("category")]
    category = categories[0] if categories else ""
    title = (f"Monitoring: {category.replace('_', ' ')}" if category else "Monitoring finding")
    return _open(
        organization=organization, actor=actor, subject=subject,
        source=Incident.Source.MONITORING, source_ref=str(alert_id), title=title,
        summary=f"{len(findings or [])} finding(s) from monitoring alert {alert_id}.",
        category=category, rule_ids=rule_ids, text=text, url=url, network=network,
    )
