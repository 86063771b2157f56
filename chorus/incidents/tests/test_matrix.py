import pytest

from chorus.audit.models import AuditEntry
from chorus.common.errors import InvalidInput, PermissionDenied
from chorus.incidents import matrix as M
from chorus.incidents import services as S
from chorus.incidents.models import ResponseMatrix

pytestmark = pytest.mark.django_db

BALANCED = M.PRESETS["balanced"]


@pytest.mark.parametrize(("severity", "history", "expected"), [
    ("none", "first", "coaching"),
    ("low", "first", "reminder"),
    ("low", "second", "written_warning"),
    ("medium", "first", "written_warning"),
    ("medium", "second", "final_warning"),
    ("medium", "repeated", "termination_review"),
    ("high", "first", "final_warning"),
    ("critical", "first", "termination_review"),
])
def test_the_balanced_matrix_looks_up_the_default_response(severity, history, expected):
    result = M.suggest(cells=BALANCED, severity=severity, history=history)
    assert (result.default, result.response, result.applied_shift) == (expected, expected, 0)


def test_one_aggravating_modifier_moves_the_default_up_one_step():
    result = M.suggest(cells=BALANCED, severity="medium", history="first", modifiers={"reach": 1})
    assert result.response == "final_warning"
    assert any("Reach: aggravating" in line for line in result.explanation)


def test_one_mitigating_modifier_moves_the_default_down_one_step():
    result = M.suggest(cells=BALANCED, severity="medium", history="first",
                       modifiers={"remorse": -1})
    assert result.response == "reminder"


def test_modifiers_move_at_most_one_step_without_legal_approval():
    mods = {"intent": 1, "reach": 1, "role": 1}
    result = M.suggest(cells=BALANCED, severity="low", history="first", modifiers=mods)
    assert (result.requested_shift, result.applied_shift, result.capped) == (3, 1, True)
    assert result.response == "written_warning"
    assert any("capped" in line for line in result.explanation)


def test_legal_approval_lets_modifiers_move_further_but_never_off_the_ladder():
    mods = {"intent": -1, "reach": -1}
    result = M.suggest(cells=BALANCED, severity="medium", history="first", modifiers=mods,
                       legal_approved=True)
    assert (result.response, result.applied_shift, result.capped) == ("coaching", -2, False)
    top = M.suggest(cells=BALANCED, severity="high", history="first",
                    modifiers={"intent": 1, "reach": 1, "role": 1}, legal_approved=True)
    assert top.response == "termination_review"


def test_bad_modifier_values_are_refused_with_the_field_named():
    with pytest.raises(InvalidInput) as exc:
        M.suggest(cells=BALANCED, severity="low", history="first", modifiers={"intent": 2})
    assert exc.value.field == "intent"


def test_a_cell_outside_the_ladder_is_refused():
    cells = {s: dict(row) for s, row in BALANCED.items()}
    cells["high"]["repeated"] = "termination"
    with pytest.raises(InvalidInput) as exc:
        M.validate_cells(cells)
    assert exc.value.field == "cells.high.repeated"


def test_the_preset_is_published_once_and_audited(org, hr):
    first = S.matrix_install_preset(organization=org, actor=hr)
    again = S.matrix_install_preset(organization=org, actor=hr)
    assert first == again and first.status == ResponseMatrix.Status.PUBLISHED
    assert first.cells == BALANCED
    assert AuditEntry.objects.filter(organization=org, action="incidents.matrix_published").count() == 1


def test_publishing_a_new_version_retires_the_old_and_keeps_it_unchanged(org, hr, matrix):
    draft = S.matrix_draft_get_or_create(organization=org, actor=hr)
    cells = {s: dict(row) for s, row in matrix.cells.items()}
    cells["low"]["first"] = "coaching"
    S.matrix_draft_save(matrix=draft, actor=hr, cells=cells, window_months=12, response_days=7,
                        retention_days=400, change_summary="Gentler start")
    S.matrix_publish(matrix=draft, actor=hr)
    matrix.refresh_from_db()
    assert matrix.status == ResponseMatrix.Status.RETIRED
    assert matrix.cells["low"]["first"] == "reminder"
    assert S.matrix_current(organization=org).number == 2


def test_a_lint_error_blocks_publishing(org, hr, matrix):
    draft = S.matrix_draft_get_or_create(organization=org, actor=hr)
    cells = {s: dict(row) for s, row in matrix.cells.items()}
    cells["none"]["repeated"] = "final_warning"
    S.matrix_draft_save(matrix=draft, actor=hr, cells=cells, window_months=24, response_days=5,
                        retention_days=365)
    with pytest.raises(InvalidInput, match="M-03"):
        S.matrix_publish(matrix=draft, actor=hr)


def test_an_employee_cannot_edit_the_matrix(org, employee, matrix):
    with pytest.raises(PermissionDenied):
        S.matrix_draft_get_or_create(organization=org, actor=employee)
