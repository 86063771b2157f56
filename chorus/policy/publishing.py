"""Publishing with a quorum and with the checks a material change needs (issue 21).

The publish page and the API call `policy_version_publish_checked`, which refuses to go on
until:

- the approvers the organization configured approved the draft's exact content (each
  approval names the content hash; an edit after it resets it);
- a material change says what changed (the summary goes to everyone asked to re-attest);
- the author confirmed the audience count they were shown ("Publish to 7 people?");
- open lint warnings (and errors) are acknowledged;
- the latest impact preview of this content does not block protected activity.

It then calls `services.policy_version_publish` now, or records a `ScheduledPublication`
that the periodic task publishes at its effective date if the content is still the same.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from itertools import permutations
from typing import Any

from django.apps import apps
from django.db import transaction
from django.utils import timezone

from chorus.audit.services import audit_record
from chorus.common.errors import Conflict, InvalidInput, PermissionDenied
from chorus.people.models import Organization, User
from chorus.people.roles import Role
from chorus.policy.lints import ERROR, WARNING
from chorus.policy.models import (
    ImpactPreview,
    PolicyApproval,
    PolicyApprovalSettings,
    PolicyVersion,
    ScheduledPublication,
    document_hash,
)
from chorus.policy.selectors import document_lint_findings, require_author

APPROVER_ROLES = (Role.COMMUNICATIONS, Role.HR, Role.LEGAL, Role.ADMIN, Role.MANAGER)


# --------------------------------------------------------------------------- settings


def approval_settings_for(*, organization: Organization) -> PolicyApprovalSettings:
    found = PolicyApprovalSettings.objects.filter(organization=organization).first()
    return found if found is not None else PolicyApprovalSettings(organization=organization)


@transaction.atomic
def approval_settings_update(
    *,
    organization: Organization,
    actor: User,
    roles: list[str],
    group: list[User],
    group_required: int,
) -> PolicyApprovalSettings:
    """Replace who must approve publications. Administrators only."""
    if not actor.has_role("admin"):
        raise PermissionDenied("Only an administrator can change who approves policies.")
    unknown = sorted(set(roles) - {r.value for r in APPROVER_ROLES})
    if unknown:
        raise InvalidInput(
            f"Unknown role {unknown[0]!r}; choose from "
            f"{', '.join(r.value for r in APPROVER_ROLES)}.", field="roles")
    if any(u.organization_id != organization.pk for u in group):
        raise InvalidInput("Every approver must belong to your organization.", field="group")
    if group_required < 0 or group_required > len(group):
        raise InvalidInput(
            f"“Approvals needed from the group” must be between 0 and the {len(group)} "
            "people in it.", field="group_required")
    settings, _ = PolicyApprovalSettings.objects.select_for_update().get_or_create(
        organization=organization)
    settings.roles = sorted(set(roles))
    settings.group_required = group_required
    settings.save(update_fields=["roles", "group_required", "updated_at"])
    settings.group.set(group)
    audit_record(organization=organization, actor=actor, action="policy.approvers_changed",
                 target=settings, data={"roles": settings.roles,
                                        "group": sorted(u.pk for u in group),
                                        "group_required": group_required})
    return settings


# --------------------------------------------------------------------------- quorum


@dataclass
class Quorum:
    required: bool
    met: bool
    content_hash: str
    missing: list[str] = field(default_factory=list)
    current: list[PolicyApproval] = field(default_factory=list)
    stale: list[PolicyApproval] = field(default_factory=list)
    roles: list[str] = field(default_factory=list)
    group_required: int = 0
    group: list[User] = field(default_factory=list)

    @property
    def role_labels(self) -> list[str]:
        labels = dict(Role.choices)
        return [str(labels.get(r, r)) for r in self.roles]

    def can_approve(self, user: Any) -> bool:
        if not self.required:
            return False
        if any(a.approver_id == user.pk for a in self.current):
            return False
        return any(user.has_role(r) for r in self.roles) or user in self.group


def _roles_covered(roles: list[str], approvals: list[PolicyApproval]) -> list[str]:
    """Roles that cannot be matched to distinct approvers holding them."""
    people = {a.approver_id: a.approver for a in approvals}
    best: list[str] = list(roles)
    users = list(people.values())
    if not roles:
        return []
    if len(users) < len(roles):
        pad: list[Any] = users + [None] * (len(roles) - len(users))
    else:
        pad = users
    for combo in permutations(pad, len(roles)):
        missing = [r for r, u in zip(roles, combo, strict=True)
                   if u is None or not u.has_role(r)]
        if len(missing) < len(best):
            best = missing
            if not best:
                break
    return best


def quorum_for(version: PolicyVersion) -> Quorum:
    """Who approved this draft's current content, and what is still missing."""
    settings = approval_settings_for(organization=version.organization)
    digest = document_hash(version.document)
    approvals = list(
        PolicyApproval.objects.filter(version=version, withdrawn_at__isnull=True)
        .select_related("approver").order_by("created_at", "pk"))
    current = [a for a in approvals if a.content_hash == digest and a.approver.is_active]
    stale = [a for a in approvals if a.content_hash != digest]
    group = list(settings.group.all()) if settings.pk else []
    quorum = Quorum(required=settings.required, met=True, content_hash=digest, current=current,
                    stale=stale, roles=list(settings.roles), group=group,
                    group_required=settings.group_required)
    if not settings.required:
        return quorum
    labels = dict(Role.choices)
    for role in _roles_covered(list(settings.roles), current):
        quorum.missing.append(f"an approval from {labels.get(role, role)}")
    if settings.group_required:
        ids = {u.pk for u in group}
        got = len({a.approver_id for a in current if a.approver_id in ids})
        if got < settings.group_required:
            need = settings.group_required - got
            quorum.missing.append(
                f"{need} more approval{'s' if need != 1 else ''} from "
                f"{', '.join(u.full_name or u.email for u in group)}")
    quorum.met = not quorum.missing
    return quorum


@transaction.atomic
def policy_version_approve(
    *, version: PolicyVersion, actor: User, content_hash: str, note: str = ""
) -> PolicyApproval:
    """Approve exactly the content the approver saw (`content_hash` from the page)."""
    version = PolicyVersion.objects.select_for_update().get(pk=version.pk)
    if not version.is_draft:
        raise Conflict(f"Version {version.number} is no longer a draft.")
    quorum = quorum_for(version)
    if not quorum.required:
        raise InvalidInput("Your organization does not require approvals for policies.",
                           field="content_hash")
    if not quorum.can_approve(actor):
        if any(a.approver_id == actor.pk for a in quorum.current):
            raise Conflict("You already approved this exact content.")
        raise PermissionDenied(
            "You are not one of the approvers for policies. An administrator sets them "
            "under Policies → Approvers.")
    if content_hash != quorum.content_hash:
        raise Conflict(
            "The draft changed after you opened it, so this approval would not match what you "
            "read. Reload the page, review the changes and approve again.", field="content_hash")
    role = next((r for r in quorum.roles if actor.has_role(r)), "")
    approval = PolicyApproval.objects.create(
        organization=version.organization, version=version, approver=actor,
        content_hash=content_hash, as_role=role, note=note.strip()[:500])
    audit_record(organization=version.organization, actor=actor, action="policy.approved",
                 target=version, data={"hash": content_hash, "role": role})
    return approval


@transaction.atomic
def policy_version_withdraw_approval(*, version: PolicyVersion, actor: User) -> int:
    now = timezone.now()
    count = PolicyApproval.objects.filter(
        version=version, approver=actor, withdrawn_at__isnull=True).update(withdrawn_at=now)
    if count:
        audit_record(organization=version.organization, actor=actor,
                     action="policy.approval_withdrawn", target=version, data={})
    return count


def version_get_for_approval(*, user: Any, version_id: int) -> PolicyVersion:
    """A version of the user's organization for the publish screen: authors, and the
    configured approvers (HR, for example, who do not write policies but approve them)."""
    from chorus.common.errors import NotFound
    from chorus.policy.selectors import can_author

    version = (PolicyVersion.objects.select_related("policy", "published_by", "previous")
               .filter(organization_id=user.organization_id, pk=version_id).first())
    if version is None:
        raise NotFound("No such policy version in your organization.")
    if not can_author(user):
        settings = approval_settings_for(organization=version.organization)
        eligible = any(user.has_role(r) for r in settings.roles) or (
            settings.pk is not None and settings.group.filter(pk=user.pk).exists())
        if not eligible:
            require_author(user)
    return version


# --------------------------------------------------------------------------- audience


def reattest_audience(*, version: PolicyVersion, material: bool) -> int:
    """How many people a publication asks to read and acknowledge the policy again: those who
    acknowledged an earlier version and have not left (what onboarding's publish hook does)."""
    if not material or not apps.is_installed("chorus.onboarding"):
        return 0
    attestation = apps.get_model("onboarding", "Attestation")
    return (
        attestation.objects.filter(version__organization_id=version.organization_id)
        .exclude(version_id=version.pk).exclude(person__status="leaver")
        .values("person_id").distinct().count()
    )


# --------------------------------------------------------------------------- checks


@dataclass
class PublishState:
    """Everything the publish page shows before the button."""

    quorum: Quorum
    audience: int
    warnings: list[Any]
    errors: list[Any]
    preview: ImpactPreview | None
    protected: int


def publish_state(*, version: PolicyVersion, material: bool) -> PublishState:
    from chorus.policy.impact import impact_preview_latest, protected_conflicts

    findings = document_lint_findings(organization=version.organization,
                                      document=version.document)
    preview = impact_preview_latest(version=version)
    current = preview if preview is not None and preview.is_current else None
    return PublishState(
        quorum=quorum_for(version),
        audience=reattest_audience(version=version, material=material),
        warnings=[f for f in findings if f.severity == WARNING],
        errors=[f for f in findings if f.severity == ERROR],
        preview=preview,
        protected=protected_conflicts(current),
    )


def publish_checks(
    *,
    version: PolicyVersion,
    material: bool,
    change_summary: str,
    acknowledge_lint_warnings: bool,
    confirm_audience: int | None,
) -> PublishState:
    """Raise InvalidInput naming the field for the first check that fails."""
    from chorus.policy import services

    problems = services.publish_blockers(services.validate_document(version.document))
    if problems:
        raise InvalidInput(" ".join(problems), field="document")
    state = publish_state(version=version, material=material)
    if not state.quorum.met:
        raise InvalidInput(
            "This version still needs " + " and ".join(state.quorum.missing)
            + " for its current content before it can be published.", field="approvals")
    if material and not (change_summary or "").strip():
        raise InvalidInput(
            "A material change asks people to read the policy again: say what changed "
            "(for example “New rule on customer names”), so they know what to look for.",
            field="change_summary")
    if state.warnings and not acknowledge_lint_warnings:
        raise InvalidInput(
            f"{len(state.warnings)} lint warning{'s are' if len(state.warnings) != 1 else ' is'} "
            "still open. Fix them in the editor, or tick that you read them and publish anyway.",
            field="acknowledge_lint_warnings")
    if state.protected:
        raise InvalidInput(
            f"The impact preview shows {state.protected} post"
            f"{'s' if state.protected != 1 else ''} about working conditions (protected "
            "activity) that this draft would block. Change the rule so it does not block "
            "them, then preview again.", field="preview")
    if confirm_audience is None or confirm_audience != state.audience:
        raise InvalidInput(
            f"Publish to {state.audience} {'person' if state.audience == 1 else 'people'}? "
            "Confirm the number of people who will be asked to re-attest.",
            field="confirm_audience")
    return state


def policy_version_publish_checked(
    *,
    version: PolicyVersion,
    actor: User,
    material: bool,
    change_summary: str = "",
    acknowledge_lint_errors: bool = False,
    acknowledge_lint_warnings: bool = False,
    confirm_audience: int | None = None,
    effective_at: datetime | None = None,
) -> tuple[PolicyVersion, ScheduledPublication | None]:
    """Publish now (or at `effective_at`) after every check above passed."""
    from chorus.policy import services

    require_author(actor)
    if not version.is_draft:
        raise Conflict(f"Version {version.number} is already "
                       f"{version.get_status_display().lower()}.")
    publish_checks(version=version, material=material, change_summary=change_summary,
                   acknowledge_lint_warnings=acknowledge_lint_warnings,
                   confirm_audience=confirm_audience)
    if effective_at is not None and effective_at > timezone.now():
        return version, _schedule(version=version, actor=actor, material=material,
                                  change_summary=change_summary,
                                  acknowledge_lint_errors=acknowledge_lint_errors,
                                  effective_at=effective_at)
    version = services.policy_version_publish(
        version=version, actor=actor, material=material, change_summary=change_summary,
        acknowledge_lint_errors=acknowledge_lint_errors)
    return version, None


@transaction.atomic
def _schedule(*, version: PolicyVersion, actor: User, material: bool, change_summary: str,
              acknowledge_lint_errors: bool, effective_at: datetime) -> ScheduledPublication:
    from chorus.policy import services

    document = services.validate_document(version.document)
    problems = services.publish_blockers(document)
    if problems:
        raise InvalidInput(" ".join(problems), field="document")
    errors = [f for f in document_lint_findings(organization=version.organization,
                                                document=document) if f.severity == ERROR]
    if errors and not acknowledge_lint_errors:
        raise InvalidInput("Confirm that legal has reviewed the error-level lint findings.",
                           field="acknowledge_lint_errors")
    if ScheduledPublication.objects.filter(
            version=version, status=ScheduledPublication.Status.SCHEDULED).exists():
        raise Conflict("This version is already scheduled; cancel that first.")
    scheduled = ScheduledPublication.objects.create(
        organization=version.organization, version=version, effective_at=effective_at,
        content_hash=document_hash(version.document), material=material,
        change_summary=change_summary.strip(), acknowledge_lint_errors=acknowledge_lint_errors,
        requested_by=actor)
    audit_record(organization=version.organization, actor=actor, action="policy.scheduled",
                 target=version, data={"effective_at": effective_at.isoformat(),
                                       "hash": scheduled.content_hash})
    return scheduled


@transaction.atomic
def scheduled_publication_cancel(*, scheduled: ScheduledPublication, actor: User | None,
                                 reason: str) -> ScheduledPublication:
    if actor is not None:
        require_author(actor)
    scheduled.status = ScheduledPublication.Status.CANCELLED
    scheduled.note = reason[:500]
    scheduled.save(update_fields=["status", "note", "updated_at"])
    audit_record(organization=scheduled.version.organization, actor=actor,
                 action="policy.schedule_cancelled", target=scheduled.version,
                 data={"reason": reason[:200]})
    return scheduled


def scheduled_publications_run(*, now: datetime | None = None) -> int:
    """Publish every due scheduled version whose content is unchanged; cancel the others
    and tell the person who scheduled it. Safe to run twice (a done row is skipped)."""
    from chorus.notifications.services import notify
    from chorus.policy import services

    now = now or timezone.now()
    done = 0
    due = ScheduledPublication.objects.filter(
        status=ScheduledPublication.Status.SCHEDULED, effective_at__lte=now,
    ).select_related("version", "version__policy", "requested_by")
    for scheduled in due:
        version = scheduled.version
        with transaction.atomic():
            row = ScheduledPublication.objects.select_for_update().get(pk=scheduled.pk)
            if row.status != ScheduledPublication.Status.SCHEDULED:
                continue
            reason = ""
            if not version.is_draft:
                reason = f"version {version.number} is no longer a draft"
            elif document_hash(version.document) != row.content_hash:
                reason = "the draft was edited after it was scheduled"
            elif not quorum_for(version).met:
                reason = "its approvals no longer match its content"
            if reason:
                scheduled_publication_cancel(scheduled=row, actor=None, reason=reason)
                if row.requested_by is not None:
                    notify(kind="policy.schedule_cancelled", recipients=[row.requested_by],
                           organization=version.organization,
                           title=f"{version.policy.title} v{version.number} was not published",
                           body=f"The scheduled publication was cancelled: {reason}.",
                           link=f"/policies/versions/{version.pk}/publish/",
                           dedupe_key=f"policy-schedule-{row.pk}")
                continue
            services.policy_version_publish(
                version=version, actor=row.requested_by or version.created_by,  # type: ignore[arg-type]
                material=row.material, change_summary=row.change_summary,
                acknowledge_lint_errors=row.acknowledge_lint_errors)
            row.status = ScheduledPublication.Status.PUBLISHED
            row.save(update_fields=["status", "updated_at"])
            done += 1
    return done
