"""Reads for the second-factor pages, scoped to the viewer's organization."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Q, QuerySet

from chorus.common.errors import NotFound
from chorus.identity.mfa.models import Authenticator, FactorResetRequest, MfaUserState
from chorus.identity.mfa.services import mfa_policy_get
from chorus.people.models import User


def authenticator_list_for(*, user: User) -> QuerySet[Authenticator]:
    """The user's own confirmed factors, oldest first."""
    return Authenticator.objects.filter(user=user, confirmed_at__isnull=False).order_by(
        "created_at"
    )


def factor_reset_list_for(*, user: User) -> QuerySet[FactorResetRequest]:
    """Reset requests of the viewer's organization, pending first, newest first."""
    return (
        FactorResetRequest.objects.filter(organization_id=user.org_id)
        .select_related("subject", "requested_by", "decided_by")
        .order_by("-created_at")
    )


def member_get(*, user: User, member_id: int) -> User:
    member = User.objects.filter(pk=member_id, organization_id=user.org_id).first()
    if member is None:
        raise NotFound("That person does not exist.")
    return member


@dataclass(frozen=True)
class MemberStatus:
    member: User
    required: bool
    factors: int
    deadline: datetime | None

    @property
    def state(self) -> str:
        if self.factors:
            return "enrolled"
        if not self.required:
            return "optional"
        if self.deadline is None:
            return "not_signed_in"
        from django.utils import timezone

        return "overdue" if self.deadline <= timezone.now() else "grace"


def member_status_list_for(*, user: User) -> list[MemberStatus]:
    """Every active account of the organization with its factor count and, where the rule
    applies and no factor is set up yet, the end of its grace period. Fixed query count."""
    policy = mfa_policy_get(organization=user.org)
    members = (
        User.objects.filter(organization_id=user.org_id, is_active=True)
        .prefetch_related("groups")
        .annotate(
            factor_count=Count(
                "authenticators", filter=Q(authenticators__confirmed_at__isnull=False)
            )
        )
        .order_by("full_name", "email")
    )
    grace = dict(
        MfaUserState.objects.filter(organization_id=user.org_id).values_list(
            "user_id", "grace_started_at"
        )
    )
    out = []
    required_roles = set(policy.required_roles)
    for member in members:
        names = {g.name for g in member.groups.all()}
        required = bool(required_roles) and (
            bool(names & required_roles) or "admin" in names or member.is_superuser
        )
        started = grace.get(member.pk)
        deadline = started + timedelta(days=policy.grace_days) if started else None
        out.append(MemberStatus(member, required, member.factor_count, deadline))  # type: ignore[attr-defined]
    return out
