"""Reads for incidents. Permission scoping for incidents lives here and only here.

Who sees what: HR, legal and administrators see every incident of their organization; the
employee sees their own incidents once they have been told about them; a manager sees an
incident only while HR shares it with them. Anything else is a 404, never a 403.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from importlib.util import find_spec
from typing import Any

from django.apps import apps
from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from chorus.common.errors import NotFound
from chorus.incidents.models import (
    Evidence,
    Incident,
    IncidentShare,
    Outcome,
    ResponseMatrix,
)
from chorus.people.models import Organization, User
from chorus.people.roles import Role


def sees_all_incidents(user: User) -> bool:
    return user.has_role(Role.HR) or user.has_role(Role.LEGAL)


def incident_list_for(*, user: User, status: str | None = None,
                      subject_id: int | None = None) -> QuerySet[Incident]:
    """Incidents this user may see, newest first, ready for the list page."""
    incidents = (Incident.objects.filter(organization=user.organization)
                 .select_related("subject", "subject__department", "owner", "matrix")
                 .order_by("-opened_at", "-pk"))
    if not sees_all_incidents(user):
        shared = IncidentShare.objects.filter(incident=OuterRef("pk"), user=user)
        incidents = incidents.filter(
            Q(subject__user=user, notified_at__isnull=False) | Q(Exists(shared)))
    if status:
        incidents = incidents.filter(status=status)
    if subject_id:
        incidents = incidents.filter(subject_id=subject_id)
    return incidents


def incident_get(*, user: User, incident_id: int) -> Incident:
    incident = incident_list_for(user=user).filter(pk=incident_id).first()
    if incident is None:
        raise NotFound("No such incident, or it is not shared with you.")
    return incident


def incident_detail_for(*, user: User, incident_id: int) -> Incident:
    """One incident with everything its page shows, in a fixed number of queries."""
    incident = (incident_list_for(user=user).filter(pk=incident_id)
                .prefetch_related("evidence__added_by", "events__actor", "reviews__reviewer",
                                  "shares__user").first())
    if incident is None:
        raise NotFound("No such incident, or it is not shared with you.")
    return incident


def evidence_get(*, user: User, incident_id: int, evidence_id: int) -> Evidence:
    incident = incident_get(user=user, incident_id=incident_id)
    evidence = Evidence.objects.filter(incident=incident, pk=evidence_id).first()
    if evidence is None:
        raise NotFound("No such evidence on this incident.")
    evidence.incident = incident
    return evidence


def is_subject(user: User, incident: Incident) -> bool:
    return incident.subject is not None and incident.subject.user_id == user.pk


def matrix_versions(*, organization: Organization) -> QuerySet[ResponseMatrix]:
    return (ResponseMatrix.objects.filter(organization=organization)
            .select_related("published_by").annotate(assessed=Count("incidents"))
            .order_by("-number"))


def matrix_get(*, user: User, matrix_id: int) -> ResponseMatrix:
    matrix = ResponseMatrix.objects.filter(organization=user.organization,
                                           pk=matrix_id).first()
    if matrix is None:
        raise NotFound("No such matrix version.")
    return matrix


def manager_choices(*, incident: Incident) -> QuerySet[User]:
    """Accounts HR may share this incident with: the subject's managers, up the chain."""
    ids = []
    person = incident.subject.manager if incident.subject else None
    seen: set[int] = set()
    while person is not None and person.pk not in seen:
        seen.add(person.pk)
        if person.user_id:
            ids.append(person.user_id)
        person = person.manager
    return User.objects.filter(pk__in=ids, groups__name=Role.MANAGER).distinct()


@dataclass(frozen=True)
class PolicyRule:
    id: str
    title: str
    category: str
    severity: str


def policy_rules_for(*, organization: Organization) -> list[PolicyRule]:
    """The rules of the organization's current published policy (ids from its document),
    with titles from the screening catalog where the document leaves them out. Falls back to
    the catalog itself when no policy is published yet."""
    catalog: dict[str, Any] = {}
    if find_spec("chorus.screening.catalog"):
        from chorus.screening.catalog import RULES

        catalog = {spec.id: spec for spec in RULES}
    document_rules: list[dict[str, Any]] = []
    if apps.is_installed("chorus.policy"):
        from chorus.policy.selectors import policy_version_current

        version = policy_version_current(organization=organization)
        if version is not None:
            document_rules = [r for r in (version.document or {}).get("rules", [])
                              if isinstance(r, dict) and r.get("id")]
    if not document_rules:
        document_rules = [{"id": rule_id} for rule_id in catalog]
    rules = []
    for raw in document_rules:
        spec = catalog.get(raw["id"])
        balanced = spec.default_for("balanced") if spec else None
        rules.append(PolicyRule(
            id=str(raw["id"]),
            title=str(raw.get("title") or (spec.title if spec else raw["id"])),
            category=str(raw.get("category") or (spec.category if spec else "")),
            severity=str(raw.get("severity") or (balanced.severity if balanced else "")),
        ))
    return rules


@dataclass(frozen=True)
class PolicyNotice:
    """Whether the person an incident concerns acknowledged a published policy version before
    the incident was opened (research c.1 item 5, the notice test). `tracked` is False when
    the onboarding app, which keeps the acknowledgments, is not installed: then nothing is
    known and nothing is capped."""

    tracked: bool
    version_number: int | None = None
    attested_at: datetime | None = None

    @property
    def missing(self) -> bool:
        """True when the records show no acknowledgment: the suggestion is capped."""
        return self.tracked and self.version_number is None


def policy_notice_for(*, incident: Incident) -> PolicyNotice:
    """The subject's latest acknowledgment of a published policy version made before the
    incident was opened (an acknowledgment given afterwards is no notice for what they did
    before). One query; an incident without a subject counts as not tracked."""
    if incident.subject_id is None or not apps.is_installed("chorus.onboarding"):
        return PolicyNotice(tracked=False)
    from chorus.onboarding.models import Attestation

    latest = (Attestation.objects.filter(person_id=incident.subject_id,
                                         version__published_at__isnull=False,
                                         attested_at__lte=incident.opened_at)
              .order_by("-attested_at").values("version_number", "attested_at").first())
    if latest is None:
        return PolicyNotice(tracked=True)
    return PolicyNotice(tracked=True, version_number=latest["version_number"],
                        attested_at=latest["attested_at"])


# --------------------------------------------------------------------------- consistency


# Human names for the screening engine's categories (chorus.screening.catalog.CATEGORIES).
CATEGORY_LABELS = {
    "harassment": "Harassment or threats",
    "profanity": "Profanity",
    "customer_negative": "Negative about a customer",
    "competitor_negative": "Negative about a competitor",
    "confidential": "Confidential information",
    "mnpi": "Material non-public information",
    "pii": "Personal data",
    "secret": "Secrets and credentials",
    "undisclosed_endorsement": "Undisclosed endorsement",
    "spokesperson": "Speaking for the company",
    "regulated_claim": "Regulated claim",
    "guidance": "Guidance",
    "": "Uncategorized",
}


def category_label(key: str) -> str:
    """"Negative about a competitor" for "competitor_negative"; unknown keys read as words."""
    return CATEGORY_LABELS.get(key) or key.replace("_", " ").capitalize()


@dataclass
class CaseGroup:
    """Decided incidents with the same category, severity and history: the same facts, as far
    as the matrix is concerned."""

    category: str
    severity: str
    history: str
    incidents: list[Incident] = field(default_factory=list)

    @property
    def category_label(self) -> str:
        return category_label(self.category)

    @property
    def outcomes(self) -> Counter[str]:
        return Counter(i.outcome for i in self.incidents)

    @property
    def usual(self) -> str:
        return self.outcomes.most_common(1)[0][0]

    @property
    def inconsistent(self) -> bool:
        return len(self.outcomes) > 1

    @property
    def outliers(self) -> list[Incident]:
        return [i for i in self.incidents if i.outcome != self.usual] if self.inconsistent else []

    def breakdown(self, key: str) -> list[tuple[str, list[tuple[str, int]]]]:
        """(department/manager/period, [(outcome, count)]) rows. Plain lists, not Counters:
        a template lookup of `.items` on a Counter returns 0."""
        rows: dict[str, Counter[str]] = defaultdict(Counter)
        for incident in self.incidents:
            rows[_dimension(incident, key)][incident.outcome] += 1
        return [(name, counts.most_common()) for name, counts in sorted(rows.items())]

    @property
    def breakdown_department(self) -> list[tuple[str, list[tuple[str, int]]]]:
        return self.breakdown("department")

    @property
    def breakdown_manager(self) -> list[tuple[str, list[tuple[str, int]]]]:
        return self.breakdown("manager")

    @property
    def breakdown_period(self) -> list[tuple[str, list[tuple[str, int]]]]:
        return self.breakdown("period")

    def outcome_labels(self) -> list[tuple[str, str, int]]:
        labels = dict(Outcome.choices)
        return [(o, labels.get(o, o), n) for o, n in self.outcomes.most_common()]


def _dimension(incident: Incident, key: str) -> str:
    subject = incident.subject
    if key == "department":
        return subject.department.name if subject and subject.department else "No department"
    if key == "manager":
        return subject.manager.full_name if subject and subject.manager else "No manager"
    decided = incident.decided_at
    return f"{decided.year}-Q{(decided.month - 1) // 3 + 1}" if decided else "—"


def consistency_report(*, user: User, since: datetime | None = None,
                       category: str = "") -> list[CaseGroup]:
    """Decided incidents grouped by (category, severity, history), largest groups first;
    each group knows its outcome distribution, breakdowns and outliers."""
    incidents = (Incident.objects.filter(organization=user.organization,
                                         decided_at__isnull=False)
                 .exclude(outcome="")
                 .select_related("subject", "subject__department", "subject__manager",
                                 "decided_by")
                 .order_by("decided_at", "pk"))
    if since:
        incidents = incidents.filter(decided_at__gte=since)
    if category:
        incidents = incidents.filter(category=category)
    groups: dict[tuple[str, str, str], CaseGroup] = {}
    for incident in incidents:
        key = (incident.category or "uncategorised", incident.severity, incident.history)
        groups.setdefault(key, CaseGroup(*key)).incidents.append(incident)
    return sorted(groups.values(),
                  key=lambda g: (not g.inconsistent, -len(g.incidents), g.category))


def deviations(*, user: User, since: datetime | None = None) -> QuerySet[Incident]:
    """Decisions that departed from the matrix suggestion, with their justification."""
    rows = (Incident.objects.filter(organization=user.organization, deviated=True)
            .select_related("subject", "decided_by", "matrix").order_by("-decided_at"))
    if since:
        rows = rows.filter(decided_at__gte=since)
    return rows


@dataclass
class AppealRow:
    """Appeals of one decision-maker's decisions: how many were appealed and overturned."""

    decided_by: str
    decisions: int = 0
    appealed: int = 0
    upheld: int = 0
    varied: int = 0
    overturned: int = 0
    pending: int = 0

    @property
    def appeal_rate(self) -> str:
        return f"{100 * self.appealed / self.decisions:.0f}%" if self.decisions else "—"

    @property
    def overturn_rate(self) -> str:
        done = self.upheld + self.varied + self.overturned
        return f"{100 * (self.overturned + self.varied) / done:.0f}%" if done else "—"


def appeal_stats(*, user: User, since: datetime | None = None) -> list[AppealRow]:
    """Appeal rates and overturns (and variations) per decision-maker, for the consistency
    report. Counts decisions other than no action (the only ones that can be appealed)."""
    from chorus.incidents.models import Appeal

    incidents = (Incident.objects.filter(organization=user.organization,
                                         decided_at__isnull=False)
                 .exclude(outcome__in=["", Outcome.NO_ACTION]).select_related("decided_by"))
    if since:
        incidents = incidents.filter(decided_at__gte=since)
    appeals = {a.incident_id: a for a in Appeal.objects.filter(
        organization=user.organization, incident__in=incidents)}
    rows: dict[str, AppealRow] = {}
    for incident in incidents:
        name = str(incident.decided_by) if incident.decided_by else "—"
        row = rows.setdefault(name, AppealRow(name))
        row.decisions += 1
        appeal = appeals.get(incident.pk)
        if appeal is None:
            continue
        row.appealed += 1
        if appeal.is_open:
            row.pending += 1
        else:
            setattr(row, appeal.status, getattr(row, appeal.status) + 1)
    return sorted(rows.values(), key=lambda r: (-r.decisions, r.decided_by))
