"""The response matrix: drafts, publishing a version, installing a preset."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from chorus.audit.services import audit_record
from chorus.common.errors import Conflict, InvalidInput
from chorus.incidents import matrix as M
from chorus.incidents.models import ResponseMatrix
from chorus.incidents.services.base import _require_role
from chorus.people.models import Organization, User
from chorus.people.roles import Role


def matrix_current(*, organization: Organization) -> ResponseMatrix | None:
    """The organization's published matrix, or None."""
    return (ResponseMatrix.objects.filter(organization=organization,
                                          status=ResponseMatrix.Status.PUBLISHED)
            .order_by("-number").first())


def _next_number(organization: Organization) -> int:
    last = ResponseMatrix.objects.filter(organization=organization).order_by("-number").first()
    return (last.number + 1) if last else 1


@transaction.atomic
def matrix_draft_get_or_create(*, organization: Organization, actor: User) -> ResponseMatrix:
    """The organization's draft, creating it from the published matrix (or the balanced preset)."""
    _require_role(actor, Role.HR, Role.LEGAL, doing="edit the response matrix")
    draft = ResponseMatrix.objects.filter(organization=organization,
                                          status=ResponseMatrix.Status.DRAFT).first()
    if draft:
        return draft
    base = matrix_current(organization=organization)
    draft = ResponseMatrix.objects.create(
        organization=organization, number=_next_number(organization),
        name=base.name if base else "Response matrix",
        preset=base.preset if base else "balanced",
        cells=base.cells if base else M.PRESETS["balanced"],
        window_months=base.window_months if base else 24,
        response_days=base.response_days if base else 5,
        retention_days=base.retention_days if base else 365,
        appeal_days=base.appeal_days if base else 10,
        previous=base,
    )
    audit_record(organization=organization, actor=actor, action="incidents.matrix_draft_created",
                 target=draft, data={"number": draft.number})
    return draft


def _check_settings(window_months: int, response_days: int, retention_days: int) -> None:
    if not 1 <= window_months <= 120:
        raise InvalidInput("The look-back window must be between 1 and 120 months.",
                           field="window_months")
    if not 1 <= response_days <= 60:
        raise InvalidInput("The response window must be between 1 and 60 days.",
                           field="response_days")
    if not 30 <= retention_days <= 3650:
        raise InvalidInput("Evidence retention must be between 30 and 3650 days after closing.",
                           field="retention_days")


@transaction.atomic
def matrix_draft_save(
    *, matrix: ResponseMatrix, actor: User, cells: dict[str, dict[str, str]], window_months: int,
    response_days: int, retention_days: int, change_summary: str = "",
    appeal_days: int | None = None,
) -> ResponseMatrix:
    """Save the draft's grid and settings. Published versions can never be edited."""
    _require_role(actor, Role.HR, Role.LEGAL, doing="edit the response matrix")
    if matrix.status != ResponseMatrix.Status.DRAFT:
        raise Conflict("Only a draft can be edited; start a new draft from the published matrix.")
    matrix.cells = M.validate_cells(cells)
    _check_settings(window_months, response_days, retention_days)
    matrix.window_months, matrix.response_days = window_months, response_days
    matrix.retention_days = retention_days
    if appeal_days is not None:
        if not 1 <= appeal_days <= 90:
            raise InvalidInput("The appeal window must be between 1 and 90 days.",
                               field="appeal_days")
        matrix.appeal_days = appeal_days
    matrix.change_summary = change_summary.strip()[:300]
    matrix.save(update_fields=["cells", "window_months", "response_days", "retention_days",
                               "appeal_days", "change_summary", "updated_at"])
    audit_record(organization=matrix.organization, actor=actor,
                 action="incidents.matrix_draft_saved", target=matrix,
                 data={"number": matrix.number})
    return matrix


@transaction.atomic
def matrix_publish(*, matrix: ResponseMatrix, actor: User) -> ResponseMatrix:
    """Publish a draft; the previous published version is retired. Lint errors block."""
    _require_role(actor, Role.HR, Role.LEGAL, doing="publish the response matrix")
    matrix = ResponseMatrix.objects.select_for_update().get(pk=matrix.pk)
    if matrix.status != ResponseMatrix.Status.DRAFT:
        raise Conflict("This version is already published or retired.")
    errors = [lint for lint in M.lint_matrix(cells=matrix.cells,
                                             window_months=matrix.window_months,
                                             response_days=matrix.response_days)
              if lint.level == "error"]
    if errors:
        raise InvalidInput(f"{errors[0].code}: {errors[0].message} Fix the grid, then publish.",
                           field="cells")
    ResponseMatrix.objects.filter(organization=matrix.organization,
                                  status=ResponseMatrix.Status.PUBLISHED).update(
        status=ResponseMatrix.Status.RETIRED)
    matrix.status = ResponseMatrix.Status.PUBLISHED
    matrix.published_at, matrix.published_by = timezone.now(), actor
    matrix.save(update_fields=["status", "published_at", "published_by", "updated_at"])
    audit_record(organization=matrix.organization, actor=actor, action="incidents.matrix_published",
                 target=matrix, data={"number": matrix.number, "cells": matrix.cells,
                                      "window_months": matrix.window_months,
                                      "response_days": matrix.response_days,
                                      "retention_days": matrix.retention_days})
    return matrix


@transaction.atomic
def matrix_install_preset(*, organization: Organization, actor: User,
                          preset: str = "balanced") -> ResponseMatrix:
    """Publish a preset matrix for an organization that has none yet (returns the current one
    otherwise, so it is safe to call twice)."""
    current = matrix_current(organization=organization)
    if current:
        return current
    if preset not in M.PRESETS:
        raise InvalidInput(f"Unknown preset {preset!r}; use {', '.join(M.PRESETS)}.",
                           field="preset")
    draft = matrix_draft_get_or_create(organization=organization, actor=actor)
    draft.preset, draft.name = preset, f"{preset.title()} response matrix"
    draft.save(update_fields=["preset", "name", "updated_at"])
    matrix_draft_save(matrix=draft, actor=actor, cells=M.PRESETS[preset], window_months=24,
                      response_days=5, retention_days=365,
                      change_summary=f"The {preset} preset (research c.2).")
    return matrix_publish(matrix=draft, actor=actor)
