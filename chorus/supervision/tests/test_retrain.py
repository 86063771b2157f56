"""Retraining an organization's heads: fit, evaluate, activate only if not worse, rollback."""

import io

import pytest
from django.core.management import CommandError, call_command

from chorus.audit.models import AuditEntry
from chorus.checks.services import screen_text, screening_heads
from chorus.common.errors import InvalidInput, NotFound, PermissionDenied
from chorus.supervision.models import HeadsVersion, LabelledExample, RetrainRun
from chorus.supervision.services import (
    decision_record,
    heads_rollback,
    not_worse,
    retrain,
    retrain_request,
)

from .conftest import finding, make_post

pytestmark = pytest.mark.django_db

TEXTS = [
    (
        "Skylift 3 launches next quarter with 2x payload, unannounced, you heard it here first",
        ["confidential"],
    ),
    ("Worst client ever, Northwind keeps changing the specs at midnight", ["customer_negative"]),
    ("Lovely sunrise over the harbour this morning", []),
    ("Guaranteed to double your warehouse throughput!", ["regulated_claim"]),
    ("Our Q3 numbers drop before the call on Thursday, sell now", ["mnpi"]),
    ("Great team lunch today", []),
]


def decide_many(reviewer, author, n=30):
    for i in range(n):
        text, cats = TEXTS[i % len(TEXTS)]
        post = make_post(
            author,
            text=f"{text} ({i})",
            findings=[finding(c) for c in cats] or [finding("profanity", "low")],
        )
        if cats:
            decision_record(
                reviewer=reviewer, source="monitoring", source_id=post.pk, decision="accept"
            )
        else:
            decision_record(
                reviewer=reviewer,
                source="monitoring",
                source_id=post.pk,
                decision="dismiss",
                reason="clean post",
            )


def report(held_f1, shipped_f1, blocked=0):
    side = {"posts": 5, "micro": {"f1": held_f1}, "protected_blocked": blocked}
    return {"held_back": side, "shipped_test": {"macro_f1": shipped_f1, "protected_blocked": 0}}


def test_activation_rule_is_not_worse_on_both_figures():
    assert not_worse(report(0.8, 0.7), report(0.8, 0.695))[0]
    assert not not_worse(report(0.8, 0.7), report(0.79, 0.9))[0]
    assert not not_worse(report(0.8, 0.7), report(0.9, 0.68))[0]
    assert not not_worse(report(0.8, 0.7), report(0.9, 0.7, blocked=1))[0]


def test_retrain_stores_a_version_evaluates_both_and_uses_it_for_screening(admin, legal, employee):
    decide_many(legal, employee)
    assert LabelledExample.objects.filter(held_back=True).exists()
    run = retrain(organization=admin.organization, actor=admin)
    assert run.status == "done"
    rep = run.report
    assert set(rep) >= {"old", "new", "activated", "verdict", "trained_on", "held_back"}
    assert rep["trained_on"] + rep["held_back"] == 30
    for side in ("old", "new"):
        assert rep[side]["held_back"]["posts"] == rep["held_back"]
        assert rep[side]["shipped_test"]["posts"] > 0
    version = HeadsVersion.objects.get()
    assert version.status == ("active" if run.activated else "rejected")
    assert AuditEntry.objects.filter(action="supervision.retrained").exists()
    heads = screening_heads(organization=admin.organization)
    if run.activated:
        assert heads is not None and heads.version == version.version
        assert screen_text(organization=admin.organization, text="hello").verdict
    else:
        assert heads is None


def test_a_worse_model_is_not_activated(admin, legal, employee, monkeypatch):
    decide_many(legal, employee, n=12)
    monkeypatch.setattr(
        "chorus.supervision.services.not_worse", lambda old, new: (False, "Not activated: worse.")
    )
    run = retrain(organization=admin.organization, actor=admin)
    assert run.activated is False
    assert HeadsVersion.objects.get().status == "rejected"
    assert screening_heads(organization=admin.organization) is None


def test_rollback_returns_to_the_previous_version_then_the_shipped_model(
    admin, legal, employee, monkeypatch
):
    decide_many(legal, employee, n=12)
    monkeypatch.setattr("chorus.supervision.services.not_worse", lambda old, new: (True, "ok"))
    retrain(organization=admin.organization, actor=admin)
    retrain(organization=admin.organization, actor=admin)
    first, second = HeadsVersion.objects.order_by("number")
    assert (first.status, second.status) == ("retired", "active")
    assert screening_heads(organization=admin.organization).version == second.version
    assert heads_rollback(actor=admin).number == 1
    assert screening_heads(organization=admin.organization).version == first.version
    assert heads_rollback(actor=admin) is None
    assert screening_heads(organization=admin.organization) is None
    with pytest.raises(NotFound):
        heads_rollback(actor=admin)
    assert AuditEntry.objects.filter(action="supervision.rolled_back").count() == 2


def test_retrain_without_decisions_is_a_clear_error(admin):
    with pytest.raises(InvalidInput) as exc:
        retrain(organization=admin.organization, actor=admin)
    assert "no reviewer decisions" in exc.value.message


def test_only_admins_retrain_and_roll_back(legal):
    with pytest.raises(PermissionDenied):
        retrain_request(actor=legal)
    with pytest.raises(PermissionDenied):
        heads_rollback(actor=legal)


def test_admin_page_retrains_in_the_worker_and_shows_the_report(
    client_for, admin, legal, employee, django_capture_on_commit_callbacks
):
    decide_many(legal, employee, n=12)
    client = client_for(admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/supervision/model/retrain/")
    assert response.status_code == 302
    run = RetrainRun.objects.get()
    assert run.status == "done"
    page = client.get(f"/supervision/model/runs/{run.pk}/").content.decode()
    assert 'data-testid="verdict"' in page and run.report["verdict"] in page
    assert "Shipped test macro-F1" in page
    model_page = client.get("/supervision/model/").content.decode()
    assert 'data-testid="versions"' in model_page and run.heads.version in model_page


def test_admin_page_retrain_without_decisions_says_so(
    client_for, admin, django_capture_on_commit_callbacks
):
    client = client_for(admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/supervision/model/retrain/")
    run = RetrainRun.objects.get()
    assert run.status == "failed" and "no reviewer decisions" in run.error
    page = client.get(f"/supervision/model/runs/{run.pk}/").content.decode()
    assert "no reviewer decisions" in page


def test_rollback_button(client_for, admin):
    client = client_for(admin)
    response = client.post("/supervision/model/rollback/", follow=True)
    assert "nothing to roll back" in response.content.decode()


def test_another_organizations_runs_are_404(client_for, admin, outsider, legal, employee):
    decide_many(legal, employee, n=6)
    run = retrain(organization=admin.organization, actor=admin)
    assert client_for(outsider).get(f"/supervision/model/runs/{run.pk}/").status_code == 404
    assert screening_heads(organization=outsider.organization) is None


def test_management_command_retrains_and_prints_the_report(admin, legal, employee):
    decide_many(legal, employee, n=12)
    out = io.StringIO()
    call_command("screening", "retrain", "--organization", admin.organization.slug, stdout=out)
    text = out.getvalue()
    assert "held-back micro-F1" in text and "shipped test macro-F1" in text
    assert ("Activated" in text) or ("Not activated" in text)
    with pytest.raises(CommandError, match="No organization"):
        call_command("screening", "retrain", "--organization", "nope")
