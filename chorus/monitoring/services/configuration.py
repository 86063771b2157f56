"""Monitoring settings per organization and the checks that say whether it is ready."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext

from chorus.audit.services import audit_record
from chorus.common.errors import PermissionDenied
from chorus.monitoring.models import MonitoringSettings, Network
from chorus.monitoring.services.base import MonitoringError
from chorus.people.models import Organization, User


def settings_get(*, organization: Organization) -> MonitoringSettings:
    """The organization's monitoring settings, created with safe defaults (no network on)."""
    found, _ = MonitoringSettings.objects.get_or_create(organization=organization)
    return found


@transaction.atomic
def settings_update(
    *, organization: Organization, actor: User, enabled_networks: list[str],
    alert_threshold: str, retention_days: int, escalate_after: int,
    dpia_reference: str = "", works_council_reference: str = "",
) -> MonitoringSettings:
    """Change what may be linked and how findings are handled. EU organizations cannot enable
    a network without a DPIA reference, German ones without a works-council agreement."""
    if not actor.has_role("admin"):
        raise PermissionDenied(gettext("Only administrators change monitoring settings."))
    unknown = [n for n in enabled_networks if n not in Network.values]
    if unknown:
        raise MonitoringError(
            gettext("Unknown network %(unknown)s.") % {"unknown": repr(unknown[0])},
            field="enabled_networks",
        )
    if alert_threshold not in MonitoringSettings.Threshold.values:
        raise MonitoringError(
            gettext("Choose low, medium, high or critical."), field="alert_threshold"
        )
    if not 1 <= retention_days <= 365:
        raise MonitoringError(gettext("Keep posts between 1 and 365 days."), field="retention_days")
    if escalate_after < 1:
        raise MonitoringError(gettext("Use 1 or more."), field="escalate_after")
    problems = readiness_problems(organization=organization, dpia_reference=dpia_reference,
                                  works_council_reference=works_council_reference)
    if enabled_networks and problems:
        raise MonitoringError(problems[0][1], field=problems[0][0])
    current = settings_get(organization=organization)
    before = {"networks": current.enabled_networks, "threshold": current.alert_threshold,
              "retention_days": current.retention_days}
    current.enabled_networks = sorted(set(enabled_networks))
    current.alert_threshold = alert_threshold
    current.retention_days = retention_days
    current.escalate_after = escalate_after
    current.dpia_reference = dpia_reference.strip()
    current.works_council_reference = works_council_reference.strip()
    current.save()
    audit_record(
        organization=organization, actor=actor, action="monitoring.settings_changed",
        target=current,
        data={"before": before, "after": {"networks": current.enabled_networks,
                                          "threshold": alert_threshold,
                                          "retention_days": retention_days}},
    )
    return current


def readiness_problems(
    *, organization: Organization, dpia_reference: str | None = None,
    works_council_reference: str | None = None,
) -> list[tuple[str, str]]:
    """What must be recorded before monitoring may start: (field, message) pairs."""
    current = settings_get(organization=organization)
    dpia = current.dpia_reference if dpia_reference is None else dpia_reference
    council = (current.works_council_reference if works_council_reference is None
               else works_council_reference)
    problems = []
    if organization.in_eu and not dpia.strip():
        problems.append(("dpia_reference",
                         "Record the data protection impact assessment (DPIA) before enabling "
                         "monitoring: employee monitoring in the EU needs one (GDPR Art. 35)."))
    codes = {j.split("-")[0] for j in organization.jurisdictions}
    if "DE" in codes and not council.strip():
        problems.append(("works_council_reference",
                         "Record the works-council agreement before enabling monitoring in "
                         "Germany (BetrVG §87(1) no. 6)."))
    return problems
