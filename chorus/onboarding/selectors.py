"""Reads for onboarding: every list is scoped like the people list (HR and admins: the whole
organization; managers: their team; everyone else: themselves) through `person_list_for`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypedDict

from django.core.paginator import Page, Paginator
from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from chorus.common.errors import NotFound
from chorus.onboarding.models import (
    STATUS_LABELS,
    Assignment,
    Attestation,
    Campaign,
    KnowledgeCheck,
    PeopleImport,
    PersonOnboarding,
    QuizQuestion,
)
from chorus.people.models import Person, User
from chorus.people.roles import Role
from chorus.people.selectors import person_list_for
from chorus.policy.models import PolicyVersion

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class CampaignCounts(TypedDict):
    total: int
    done: int
    moved: int


def is_hr(user: User) -> bool:
    return user.has_role(Role.HR) or user.has_role(Role.ADMIN)


def people_for(*, user: User, q: str = "", status: str = "", stage: str = ""
               ) -> QuerySet[Person]:
    """The people list page: scoped, searchable by name or e-mail, with onboarding loaded."""
    people = person_list_for(user=user, status=status or None).select_related("onboarding")
    if q:
        people = people.filter(Q(full_name__icontains=q) | Q(email__icontains=q))
    if stage:
        people = people.filter(onboarding__stage=stage)
    return people.order_by("full_name", "pk")


def person_detail(*, user: User, person_id: int) -> Person:
    person = person_list_for(user=user).select_related("onboarding").filter(pk=person_id).first()
    if person is None:
        raise NotFound("No such person in your organization.")
    return person


def _in_scope(user: User, field: str = "person") -> Q:
    """Rows about people this user may see: HR and admins the whole organization (no
    subquery at all), others through `person_list_for` (a manager's team in one recursive
    query)."""
    if is_hr(user):
        return Q(organization=user.organization)
    return Q(organization=user.organization,
             **{f"{field}__in": person_list_for(user=user).values("pk")})


def assignment_list_for(*, user: User) -> QuerySet[Assignment]:
    """Assignments about people this user may see (not cancelled, not moved to a newer
    version), ready for tables."""
    return (Assignment.objects.filter(_in_scope(user))
            .exclude(status__in=[Assignment.Status.CANCELLED, Assignment.Status.SUPERSEDED])
            .select_related("person", "person__department", "person__manager", "campaign",
                            "version", "version__policy", "previous_version"))


def assignment_get_for_attesting(*, user: User, assignment_id: int) -> Assignment:
    """An assignment the signed-in user attests themselves (never someone else's)."""
    me = user.person
    assignment = (Assignment.objects.select_related("person", "version", "version__policy",
                                                    "previous_version", "campaign")
                  .filter(pk=assignment_id, organization=user.organization,
                          person=me).first() if me else None)
    if assignment is None:
        raise NotFound("No such request for you.")
    return assignment


def assignment_get(*, user: User, assignment_id: int) -> Assignment:
    assignment = assignment_list_for(user=user).filter(pk=assignment_id).first()
    if assignment is None:
        raise NotFound("No such assignment in your organization.")
    return assignment


def campaign_list_for(
    *, user: User
) -> QuerySet[WithAnnotations[Campaign, CampaignCounts]]:
    """Campaigns with completion counts over the people this user may see.

    A campaign's numbers are about the version it was launched with only: `done` counts
    requests acknowledged for that version; requests moved to a newer version are not in
    `total` but counted apart (`moved`)."""
    def counted(condition: Q) -> Coalesce:
        # A correlated count per campaign on the campaign index: no JOIN + COUNT(DISTINCT)
        # over every assignment of the organization.
        rows = (Assignment.objects.filter(_in_scope(user), condition, campaign=OuterRef("pk"))
                .order_by().values("campaign").annotate(n=Count("pk")).values("n")[:1])
        return Coalesce(Subquery(rows), 0)

    same_version = Q(version=OuterRef("version"))
    visible = same_version & ~Q(status__in=[Assignment.Status.CANCELLED,
                                            Assignment.Status.SUPERSEDED])
    moved = Q(status=Assignment.Status.SUPERSEDED) | (
        ~same_version & ~Q(status=Assignment.Status.CANCELLED))
    campaigns = (Campaign.objects.filter(organization=user.organization)
                 .select_related("version", "version__policy", "department", "superseded_by")
                 .annotate(total=counted(visible),
                           done=counted(visible & Q(status=Assignment.Status.DONE)),
                           moved=counted(moved))
                 .order_by("-created_at"))
    if not is_hr(user):
        campaigns = campaigns.filter(total__gt=0)
    return campaigns


def campaign_assignments_for(
    *, user: User, campaign: Campaign, status: str = "", department_id: int | None = None,
    manager_id: int | None = None, q: str = "",
) -> QuerySet[Assignment]:
    """The campaign page's table: its requests about people this user may see, moved ones
    included, filtered by status (pending, overdue, done, superseded), department, manager
    and name or e-mail; open ones first."""
    rows = (Assignment.objects.filter(_in_scope(user), campaign=campaign)
            .exclude(status=Assignment.Status.CANCELLED)
            .select_related("person", "person__department", "person__manager", "version")
            .order_by("status", "due_at", "pk"))
    now = timezone.now()
    if status == "overdue":
        rows = rows.filter(status=Assignment.Status.PENDING, due_at__lt=now)
    elif status in (Assignment.Status.PENDING, Assignment.Status.DONE,
                    Assignment.Status.SUPERSEDED):
        rows = rows.filter(status=status)
    if department_id:
        rows = rows.filter(person__department_id=department_id)
    if manager_id:
        rows = rows.filter(person__manager_id=manager_id)
    if q:
        rows = rows.filter(Q(person__full_name__icontains=q) | Q(person__email__icontains=q))
    return rows


def campaign_get(*, user: User, campaign_id: int) -> WithAnnotations[Campaign, CampaignCounts]:
    campaign = campaign_list_for(user=user).filter(pk=campaign_id).first()
    if campaign is None:
        raise NotFound("No such campaign in your organization.")
    return campaign


def attestation_list_for(*, user: User) -> QuerySet[Attestation]:
    return (Attestation.objects.filter(_in_scope(user))
            .select_related("person", "version"))


def published_versions_for(*, user: User) -> QuerySet[PolicyVersion]:
    return (PolicyVersion.objects.filter(organization=user.organization,
                                         status="published")
            .select_related("policy").order_by("-published_at", "-pk"))


def version_get(*, user: User, version_id: int) -> PolicyVersion:
    version = published_versions_for(user=user).filter(pk=version_id).first()
    if version is None:
        raise NotFound("No such published policy version in your organization.")
    return version


def knowledge_check_for(*, version: PolicyVersion) -> KnowledgeCheck | None:
    return (KnowledgeCheck.objects.filter(version=version)
            .prefetch_related(Prefetch("questions", queryset=QuizQuestion.objects.all()))
            .first())


def people_import_get(*, user: User, import_id: int) -> PeopleImport:
    found = PeopleImport.objects.filter(pk=import_id, organization=user.organization
                                        ).first()
    if found is None or not is_hr(user):
        raise NotFound("No such import.")
    return found


def recent_imports_for(*, user: User) -> QuerySet[PeopleImport]:
    return (PeopleImport.objects.filter(organization=user.organization,
                                        applied_at__isnull=False)
            .select_related("uploaded_by").defer("content")[:5])


@dataclass(frozen=True)
class Completion:
    label: str
    total: int
    done: int
    key: Any = None

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


def completion_overall(assignments: QuerySet[Assignment]) -> Completion:
    row = assignments.aggregate(total=Count("pk"),
                                done=Count("pk", filter=Q(status=Assignment.Status.DONE)))
    return Completion("All", row["total"], row["done"])


def completion_by(assignments: QuerySet[Assignment], field: str, label_field: str,
                  missing: str = "Not set") -> list[Completion]:
    """Completion grouped by one related field (e.g. department or manager), largest first;
    people without a value are grouped under `missing`."""
    rows = (assignments.order_by().values(field, label_field)
            .annotate(total=Count("pk"),
                      done=Count("pk", filter=Q(status=Assignment.Status.DONE)))
            .order_by("-total", label_field))
    return [Completion(r[label_field] or missing, r["total"], r["done"], r[field]) for r in rows]


def completion_by_page(assignments: QuerySet[Assignment], field: str, label_field: str,
                       *, missing: str = "Not set", page: str | int | None,
                       per_page: int = 25) -> Page:
    """One page of `completion_by`: the grouping and the slice run in the database."""
    rows = (assignments.order_by().values(field, label_field)
            .annotate(total=Count("pk"),
                      done=Count("pk", filter=Q(status=Assignment.Status.DONE)))
            .order_by("-total", label_field, field))
    found = Paginator(rows, per_page).get_page(page)
    found.object_list = [Completion(r[label_field] or missing, r["total"], r["done"], r[field])
                         for r in found.object_list]
    return found


def overdue_for(*, user: User) -> QuerySet[Assignment]:
    return (assignment_list_for(user=user)
            .filter(status=Assignment.Status.PENDING, due_at__lt=timezone.now())
            .exclude(person__status=Person.Status.LEAVER).order_by("due_at", "pk"))


@dataclass(frozen=True)
class MyStatus:
    person: Person | None
    open: list[Assignment]
    attestations: list[Attestation]
    current: PolicyVersion | None

    @property
    def state(self) -> str:
        if self.person is None:
            return "none"
        if self.open:
            now = timezone.now()
            states = {a.display_status(now) for a in self.open}
            for s in ("needs_reattest", "overdue", "pending"):
                if s in states:
                    return s
        if self.current and any(a.version_id == self.current.pk for a in self.attestations):
            return "done"
        return "done" if self.attestations else "none"

    @property
    def state_label(self) -> str:
        return STATUS_LABELS.get(self.state, "Nothing to do")


def my_status(*, user: User) -> MyStatus:
    """The signed-in person's open requests, their acknowledgments and the current version."""
    from chorus.policy.selectors import policy_version_current

    person = user.person
    current = (policy_version_current(organization=user.org)
               if user.organization_id else None)
    if person is None:
        return MyStatus(None, [], [], current)
    open_ = list(Assignment.objects.filter(person=person, status=Assignment.Status.PENDING)
                 .select_related("version", "version__policy", "campaign", "previous_version")
                 .order_by("due_at"))
    attestations = list(Attestation.objects.filter(person=person)
                        .select_related("version").order_by("-attested_at"))
    return MyStatus(person, open_, attestations, current)


def person_status_rows(*, person: Person) -> list[Assignment]:
    return list(Assignment.objects.filter(person=person)
                .select_related("campaign", "version", "version__policy")
                .order_by("-assigned_at"))


def onboarding_pipeline(*, user: User) -> list[dict[str, Any]]:
    """How many people (visible to the user) sit at each stage, for the stage board."""
    from chorus.onboarding.models import Stage

    counts = dict(PersonOnboarding.objects
                  .filter(person__in=person_list_for(user=user).values("pk"),
                          not_hired_at__isnull=True)
                  .values_list("stage").annotate(n=Count("pk")).order_by())
    return [{"stage": s.value, "label": s.label, "count": counts.get(s.value, 0)}
            for s in Stage]


def import_rows_without_account(*, preview: Any) -> int:
    """How many employees in a previewed import have no account yet (for the invite choice)."""
    from chorus.people.models import User

    if preview.parsed is None:
        return 0
    emails = {str(r.values.get("email")) for r in preview.parsed.rows
              if r.values.get("status") == "employee"}
    have = {e.lower() for e in User.objects.filter(email__in=emails)
            .values_list("email", flat=True)}
    return len(emails - have)
