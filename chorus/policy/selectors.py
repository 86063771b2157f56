"""Reads for policies: scoped to the caller's organization and ready for the pages."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet

from chorus.common.errors import NotFound, PermissionDenied
from chorus.people.models import Organization
from chorus.policy.lints import LintFinding, lint_document
from chorus.policy.models import Policy, PolicyLintSettings, PolicyVersion, PolicyVersionEvent
from chorus.screening.policy import Policy as ScreeningPolicy

AUTHOR_ROLES = ("communications", "legal")


def can_author(user: Any) -> bool:
    """Communications and legal write policies; administrators hold every role."""
    return bool(user and user.is_authenticated and any(user.has_role(r) for r in AUTHOR_ROLES))


def require_author(user: Any) -> None:
    if not can_author(user):
        raise PermissionDenied(
            "Only Communications, Legal or an administrator can change policies. "
            "Everyone can read the published policy."
        )


def policy_list_for(*, user: Any) -> QuerySet[Policy]:
    """The organization's policies with their versions (newest first) for the list page."""
    require_author(user)
    versions = PolicyVersion.objects.only(
        "id",
        "policy_id",
        "number",
        "status",
        "published_at",
        "updated_at",
        "material",
        "lock_version",
    ).order_by("-number")
    return (
        Policy.objects.filter(organization_id=user.organization_id)
        .annotate(
            version_count=Count("versions"),
            draft_count=Count("versions", filter=Q(versions__status=PolicyVersion.Status.DRAFT)),
        )
        .prefetch_related(Prefetch("versions", queryset=versions))
        .order_by("title", "pk")
    )


def policy_get(*, user: Any, policy_id: int) -> Policy:
    require_author(user)
    policy = Policy.objects.filter(organization_id=user.organization_id, pk=policy_id).first()
    if policy is None:
        raise NotFound("No such policy in your organization.")
    return policy


def version_get(*, user: Any, version_id: int) -> PolicyVersion:
    """A version of the user's organization. Drafts and retired versions are for authors."""
    version = (
        PolicyVersion.objects.select_related("policy", "published_by", "previous", "updated_by")
        .filter(organization_id=user.organization_id, pk=version_id)
        .first()
    )
    if version is None:
        raise NotFound("No such policy version in your organization.")
    if version.status != PolicyVersion.Status.PUBLISHED:
        require_author(user)
    return version


def version_list_for_policy(*, policy: Policy) -> QuerySet[PolicyVersion]:
    return (
        PolicyVersion.objects.filter(policy=policy)
        .select_related("published_by", "created_by", "previous")
        .order_by("-number")
    )


def version_events(*, version: PolicyVersion) -> QuerySet[PolicyVersionEvent]:
    return PolicyVersionEvent.objects.filter(version=version).select_related("actor")


def policy_version_current(*, organization: Organization) -> PolicyVersion | None:
    """The organization's published version (the policy in force), or None."""
    return (
        PolicyVersion.objects.select_related("policy", "published_by")
        .filter(organization=organization, status=PolicyVersion.Status.PUBLISHED)
        .order_by("-published_at")
        .first()
    )


def screening_policy_for(*, organization: Organization) -> ScreeningPolicy:
    """The policy the screening engine applies for this organization: the published version,
    or the balanced preset for the organization's name when nothing is published yet."""
    current = policy_version_current(organization=organization)
    if current is not None:
        return ScreeningPolicy.from_dict(current.document)
    document: dict[str, Any] = {"organization": {"name": organization.name}, "preset": "balanced"}
    if organization.jurisdictions:
        document["organization"]["jurisdictions"] = list(organization.jurisdictions)
    return ScreeningPolicy.from_dict(document)


def disabled_lints_for(*, organization: Organization) -> list[str]:
    settings = PolicyLintSettings.objects.filter(organization=organization).first()
    return list(settings.disabled) if settings else []


def jurisdictions_for(*, organization: Organization) -> list[str] | None:
    """The organization's recorded jurisdictions, or None (every lint runs) if none recorded."""
    return list(organization.jurisdictions) or None


def document_lint_findings(
    *, organization: Organization, document: dict[str, Any], disabled: list[str] | None = None
) -> list[LintFinding]:
    """Lint a valid document for this organization's jurisdictions and lint switches.

    The organization's recorded jurisdictions win; without them the document's own apply, and
    without either every lint runs.
    """
    if disabled is None:
        disabled = disabled_lints_for(organization=organization)
    return lint_document(
        document, jurisdictions=jurisdictions_for(organization=organization), disabled=disabled
    )
