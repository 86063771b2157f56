"""Policies and versions over JSON, mounted at /api/v1/policies.

Reading the policy in force is open to every member of the organization; everything else is
for authors (communications, legal, admin). Another organization's objects are 404. Domain
errors map to HTTP in `config/api.py`: invalid documents 422 (the message names the field and
the YAML line), a stale `lock_version` 409, missing role 403.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Field, Router, Schema, Status

from chorus.common.api import Count, ErrorOut, Id, InputSchema
from chorus.common.errors import InvalidInput, NotFound
from chorus.policy import services
from chorus.policy.lints import lint_document, summarize
from chorus.policy.models import Policy, PolicyVersion
from chorus.policy.selectors import (
    document_lint_findings,
    policy_get,
    policy_list_for,
    policy_version_current,
    require_author,
    version_get,
)
from chorus.policy.visibility import can_see_screening_config, employee_document
from chorus.screening.policy import PolicyError, parse_policy_yaml

router = Router(tags=["policies"])


class PolicyVersionSummaryOut(Schema):
    id: int
    number: int
    status: str
    published_at: datetime | None
    material: bool
    lock_version: int


class PolicyOut(Schema):
    id: int
    title: str
    created_at: datetime
    versions: list[PolicyVersionSummaryOut]


class PolicyVersionOut(Schema):
    id: int
    policy_id: int
    policy_title: str
    number: int
    status: str
    document: dict[str, Any] = Field(
        ...,
        description="The whole policy document for communications, legal and administrators; "
        "for everyone else only the text employees read (title, organization name, sections, "
        "rules, disclosure): the screening configuration is never shown to them.",
    )
    screening_config: bool = Field(
        ..., description="True when `document` includes the screening configuration."
    )
    content_hash: str
    published_at: datetime | None
    published_by: str | None
    material: bool
    change_summary: str
    previous_id: int | None
    origin: str
    lock_version: int
    updated_at: datetime


class CreateDraftIn(InputSchema):
    title: str = ""
    preset: str | None = None
    from_version_id: Id | None = None


class UpdateDraftIn(InputSchema):
    document: dict[str, Any]
    lock_version: Count


class PublishIn(InputSchema):
    material: bool
    change_summary: str = Field("", max_length=2000)
    acknowledge_lint_errors: bool = False
    acknowledge_lint_warnings: bool = False
    confirm_audience: Count | None = Field(
        None, description="The number of people asked to re-attest, as shown by GET /publish"
    )
    effective_at: datetime | None = Field(None, description="Publish later, at this time")


class PublishStateOut(Schema):
    audience: int
    quorum_met: bool
    missing: list[str]
    content_hash: str
    warnings: list[str]
    protected_conflicts: int
    approvals: list[dict[str, Any]]


class ApproveIn(InputSchema):
    content_hash: str = Field(..., max_length=64)
    note: str = Field("", max_length=500)


class PreviewOut(Schema):
    id: int
    status: str
    processed: int
    total: int
    current: bool
    result: dict[str, Any]


class ImportIn(InputSchema):
    yaml: str
    title: str = ""
    policy_id: Id | None = None


class LintIn(InputSchema):
    yaml: str | None = None
    document: dict[str, Any] | None = None
    jurisdictions: list[str] | None = None


class SourceOut(Schema):
    label: str
    url: str


class LintFindingOut(Schema):
    lint_id: str
    name: str
    title: str
    severity: str
    field: str
    rule_id: str | None
    label: str
    excerpt: str
    explanation: str
    sources: list[SourceOut]
    suggestion: str
    can_apply: bool
    jurisdictions: list[str]


class LintOut(Schema):
    counts: dict[str, int]
    findings: list[LintFindingOut]


ERRORS = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


def _version_out(version: PolicyVersion, *, user: Any) -> dict[str, Any]:
    """A version as JSON. Policy staff get the whole document; everyone else gets the text
    employees read (`chorus.policy.visibility.employee_document`), never the screening
    configuration, and `screening_config` says which one this is."""
    full = can_see_screening_config(user)
    return {
        "id": version.pk,
        "policy_id": version.policy_id,
        "policy_title": version.policy.title,
        "number": version.number,
        "status": version.status,
        "document": version.document if full else employee_document(version.document),
        "screening_config": full,
        "content_hash": version.content_hash,
        "published_at": version.published_at,
        "published_by": version.published_by.email if version.published_by else None,
        "material": version.material,
        "change_summary": version.change_summary,
        "previous_id": version.previous_id,
        "origin": version.origin,
        "lock_version": version.lock_version,
        "updated_at": version.updated_at,
    }


def _policy_out(policy: Policy) -> dict[str, Any]:
    return {
        "id": policy.pk,
        "title": policy.title,
        "created_at": policy.created_at,
        "versions": [
            {
                "id": v.pk,
                "number": v.number,
                "status": v.status,
                "published_at": v.published_at,
                "material": v.material,
                "lock_version": v.lock_version,
            }
            for v in policy.versions.all()
        ],
    }


def _lint_out(findings: list[Any]) -> dict[str, Any]:
    return {"counts": summarize(findings), "findings": [f.to_dict() for f in findings]}


@router.get("/", response={200: list[PolicyOut], **ERRORS}, summary="List policies")
def list_policies(request: HttpRequest) -> list[dict[str, Any]]:
    return [_policy_out(p) for p in policy_list_for(user=request.auth)]  # type: ignore[attr-defined]


@router.get("/current", response={200: PolicyVersionOut, **ERRORS}, summary="The policy in force")
def current(request: HttpRequest) -> dict[str, Any]:
    user = request.auth  # type: ignore[attr-defined]
    version = policy_version_current(organization=user.organization)
    if version is None:
        raise NotFound("No policy is published in your organization yet.")
    return _version_out(version, user=user)


@router.post(
    "/",
    response={201: PolicyVersionOut, **ERRORS},
    summary="Create a draft: a new policy from a preset, or a new version of an existing one",
)
def create_draft(request: HttpRequest, payload: CreateDraftIn) -> Status[dict[str, Any]]:
    user = request.auth  # type: ignore[attr-defined]
    if payload.from_version_id is not None:
        source = version_get(user=user, version_id=payload.from_version_id)
        draft = services.policy_version_create_draft(version=source, actor=user)
    else:
        if not payload.preset:
            raise InvalidInput(
                "Give a preset (strict, balanced or loose) or from_version_id.", field="preset"
            )
        draft = services.policy_create_from_preset(
            organization=user.organization, actor=user, preset=payload.preset, title=payload.title
        )
    return Status(201, _version_out(draft, user=user))


@router.post(
    "/import", response={201: PolicyVersionOut, **ERRORS}, summary="Import YAML as a new draft"
)
def import_yaml(request: HttpRequest, payload: ImportIn) -> Status[dict[str, Any]]:
    user = request.auth  # type: ignore[attr-defined]
    target = policy_get(user=user, policy_id=payload.policy_id) if payload.policy_id else None
    version = services.policy_import_yaml(
        organization=user.organization,
        actor=user,
        text=payload.yaml,
        title=payload.title,
        policy=target,
        source="api",
    )
    return Status(201, _version_out(version, user=user))


@router.post(
    "/lint",
    response={200: LintOut, **ERRORS},
    summary="Lint a policy given as YAML or as a document (nothing is stored)",
)
def lint(request: HttpRequest, payload: LintIn) -> dict[str, Any]:
    user = request.auth  # type: ignore[attr-defined]
    require_author(user)
    try:
        if payload.yaml is not None:
            document = parse_policy_yaml(payload.yaml, source="yaml").to_dict()
        elif payload.document is not None:
            document = payload.document
        else:
            raise InvalidInput("Send the policy as `yaml` or as `document`.", field="yaml")
        if payload.jurisdictions is not None:
            findings = lint_document(document, jurisdictions=payload.jurisdictions)
        else:
            services.validate_document(document)
            findings = document_lint_findings(organization=user.organization, document=document)
    except PolicyError as err:
        raise services.document_error(err) from err
    return _lint_out(findings)


@router.get(
    "/{int:policy_id}", response={200: PolicyOut, **ERRORS}, summary="One policy and its versions"
)
def get_policy(request: HttpRequest, policy_id: int) -> dict[str, Any]:
    return _policy_out(policy_get(user=request.auth, policy_id=policy_id))  # type: ignore[attr-defined]


@router.get(
    "/versions/{int:version_id}", response={200: PolicyVersionOut, **ERRORS}, summary="One version"
)
def get_version(request: HttpRequest, version_id: int) -> dict[str, Any]:
    user = request.auth  # type: ignore[attr-defined]
    return _version_out(version_get(user=user, version_id=version_id), user=user)


@router.put(
    "/versions/{int:version_id}",
    response={200: PolicyVersionOut, **ERRORS},
    summary="Update a draft (send the lock_version you read; a stale one is refused with 409)",
)
def update_draft(request: HttpRequest, version_id: int, payload: UpdateDraftIn) -> dict[str, Any]:
    user = request.auth  # type: ignore[attr-defined]
    version = version_get(user=user, version_id=version_id)
    version = services.policy_version_update(
        version=version, actor=user, document=payload.document, lock_version=payload.lock_version
    )
    return _version_out(version, user=user)


@router.post(
    "/versions/{int:version_id}/publish",
    response={200: PolicyVersionOut, **ERRORS},
    summary="Publish a draft (freezes it and retires the version in force)",
)
def publish(request: HttpRequest, version_id: int, payload: PublishIn) -> dict[str, Any]:
    """Publishes after the checks of GET /publish pass; with `effective_at` in the future the
    version is scheduled instead (it stays a draft until then)."""
    from django.utils import timezone

    from chorus.policy.publishing import policy_version_publish_checked

    user = request.auth  # type: ignore[attr-defined]
    version = version_get(user=user, version_id=version_id)
    effective_at = payload.effective_at
    if effective_at is not None and timezone.is_naive(effective_at):
        effective_at = timezone.make_aware(effective_at)
    if effective_at is not None and effective_at <= timezone.now():
        raise InvalidInput("effective_at is in the past; omit it to publish now.",
                           field="effective_at")
    version, _ = policy_version_publish_checked(
        version=version,
        actor=user,
        material=payload.material,
        change_summary=payload.change_summary,
        acknowledge_lint_errors=payload.acknowledge_lint_errors,
        acknowledge_lint_warnings=payload.acknowledge_lint_warnings,
        confirm_audience=payload.confirm_audience,
        effective_at=effective_at,
    )
    return _version_out(version, user=user)


@router.get(
    "/versions/{int:version_id}/publish",
    response={200: PublishStateOut, **ERRORS},
    summary="What publishing this draft needs: approvals, audience, warnings, preview",
)
def publish_state(request: HttpRequest, version_id: int, material: bool = True) -> dict[str, Any]:
    from chorus.policy.publishing import publish_state as state_for
    from chorus.policy.publishing import version_get_for_approval

    user = request.auth  # type: ignore[attr-defined]
    version = version_get_for_approval(user=user, version_id=version_id)
    state = state_for(version=version, material=material)
    return {
        "audience": state.audience,
        "quorum_met": state.quorum.met,
        "missing": state.quorum.missing,
        "content_hash": state.quorum.content_hash,
        "warnings": [f.key for f in state.warnings],
        "protected_conflicts": state.protected,
        "approvals": [
            {"approver": a.approver_id, "role": a.as_role, "content_hash": a.content_hash,
             "at": a.created_at.isoformat(), "current": a in state.quorum.current}
            for a in [*state.quorum.current, *state.quorum.stale]
        ],
    }


@router.post(
    "/versions/{int:version_id}/approve",
    response={200: PublishStateOut, **ERRORS},
    summary="Approve the draft's exact content (its content hash)",
)
def approve(request: HttpRequest, version_id: int, payload: ApproveIn) -> dict[str, Any]:
    from chorus.policy.publishing import policy_version_approve, version_get_for_approval

    user = request.auth  # type: ignore[attr-defined]
    version = version_get_for_approval(user=user, version_id=version_id)
    policy_version_approve(version=version, actor=user, content_hash=payload.content_hash,
                           note=payload.note)
    return publish_state(request, version_id)


@router.post(
    "/versions/{int:version_id}/preview",
    response={202: PreviewOut, **ERRORS},
    summary="Start an impact preview of the draft (replays stored texts in the background)",
)
def preview_start(request: HttpRequest, version_id: int) -> Any:
    from chorus.policy.impact import impact_preview_start

    user = request.auth  # type: ignore[attr-defined]
    version = version_get(user=user, version_id=version_id)
    return Status(202, _preview_out(impact_preview_start(version=version, actor=user)))


@router.get(
    "/previews/{int:preview_id}",
    response={200: PreviewOut, **ERRORS},
    summary="An impact preview's progress and result",
)
def preview_get(request: HttpRequest, preview_id: int) -> dict[str, Any]:
    from chorus.policy.impact import impact_preview_get

    user = request.auth  # type: ignore[attr-defined]
    return _preview_out(impact_preview_get(user=user, preview_id=preview_id))


def _preview_out(preview: Any) -> dict[str, Any]:
    preview.refresh_from_db()
    result = dict(preview.result or {})
    for key in ("stricter", "looser", "protected"):
        # Sample texts stay on the page, where they are redacted per viewer.
        result[key] = [
            {k: v for k, v in s.items() if k not in ("text", "spans")}
            for s in result.get(key, [])
        ]
    return {"id": preview.pk, "status": preview.status, "processed": preview.processed,
            "total": preview.total, "current": preview.is_current, "result": result}


@router.post(
    "/versions/{int:version_id}/retire",
    response={200: PolicyVersionOut, **ERRORS},
    summary="Retire the published version",
)
def retire(request: HttpRequest, version_id: int) -> dict[str, Any]:
    user = request.auth  # type: ignore[attr-defined]
    version = services.policy_version_retire(
        version=version_get(user=user, version_id=version_id), actor=user
    )
    return _version_out(version, user=user)


@router.get(
    "/versions/{int:version_id}/export",
    response={**ERRORS},
    summary="Export a version as policy-as-code YAML",
    openapi_extra={
        "responses": {
            200: {
                "description": "The version as policy-as-code YAML",
                # The YAML text is one mapping: the policy document (see PolicyVersionOut).
                "content": {"application/yaml": {"schema": {"type": "object"}}},
            }
        }
    },
)
def export(request: HttpRequest, version_id: int) -> HttpResponse:
    user = request.auth  # type: ignore[attr-defined]
    version = version_get(user=user, version_id=version_id)
    require_author(user)
    return HttpResponse(
        services.policy_version_export_yaml(version), content_type="application/yaml; charset=utf-8"
    )


@router.get(
    "/versions/{int:version_id}/lint",
    response={200: LintOut, **ERRORS},
    summary="Lint findings for a version in your organization's jurisdictions",
)
def version_lint(request: HttpRequest, version_id: int) -> dict[str, Any]:
    user = request.auth  # type: ignore[attr-defined]
    version = version_get(user=user, version_id=version_id)
    require_author(user)
    return _lint_out(
        document_lint_findings(organization=version.organization, document=version.document)
    )
