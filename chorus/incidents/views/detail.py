"""The incident page and its steps: one POST endpoint per action (evidence, facts, screen,
notify, assess, review, decide, contain, share, close, hold, response)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from chorus.common.errors import DomainError
from chorus.common.forms import add_domain_error
from chorus.common.types import AuthedRequest
from chorus.incidents import selectors as Q
from chorus.incidents import services as S
from chorus.incidents.forms import (
    AssessForm,
    CloseForm,
    ContainForm,
    DecideForm,
    EvidenceForm,
    FactsForm,
    HoldForm,
    NotifyForm,
    ResponseForm,
    ReviewForm,
    ScreenForm,
    ShareForm,
)
from chorus.incidents.models import MODIFIERS, Incident, Outcome
from chorus.incidents.views.base import _get, _people
from chorus.people.roles import Role

# The step (section id on the page) where each gate is completed.
GATE_STEP = {"facts": "facts", "screen": "screen", "response": "response", "assessed": "assess",
             "second_review": "review", "legal_review": "review"}


def _detail_context(request: AuthedRequest, incident_id: int,
                    bound: dict[str, Any] | None = None) -> dict[str, Any]:
    incident = Q.incident_detail_for(user=request.user, incident_id=incident_id)
    user = request.user
    rules = {r.id: r for r in Q.policy_rules_for(organization=incident.organization)}
    people = _people(request)
    forms: dict[str, Any] = {
        "evidence": EvidenceForm(),
        "facts": FactsForm(people=people, initial={"subject": incident.subject_id}),
        "screen": ScreenForm(initial=incident.screen_checklist),
        "notify": NotifyForm(),
        "assess": AssessForm(initial={"severity": incident.severity, **{
            k: str(v) for k, v in (incident.modifiers or {}).items()}}),
        "review": ReviewForm(),
        "decide": DecideForm(initial={"outcome": incident.suggested_response}),
        "contain": ContainForm(),
        "share": ShareForm(managers=Q.manager_choices(incident=incident)),
        "close": CloseForm(),
        "hold": HoldForm(initial={"hold": incident.legal_hold,
                                  "reason": incident.legal_hold_reason}),
        "response": ResponseForm(),
    }
    forms.update(bound or {})
    gates = S.incident_gates(incident)
    ok = {g.key: g.ok or not g.required for g in gates}
    return {
        "incident": incident,
        "gates": [(g, GATE_STEP.get(g.key, "gates")) for g in gates],
        # Finished steps start collapsed; the page lists them in gate order.
        "steps": {
            "facts": ok.get("facts", False),
            "screen": ok.get("screen", False),
            "response": ok.get("response", False),
            "assess": ok.get("assessed", False),
            "review": ok.get("second_review", True) and ok.get("legal_review", True),
            "decide": bool(incident.outcome),
        },
        "missing": [g for g in gates if g.required and not g.ok],
        "forms": forms,
        "rules": [rules.get(r) or {"id": r, "title": r} for r in incident.rule_ids],
        "checklist": [(k, q, incident.screen_checklist.get(k, "")) for k, q in
                      S.PROTECTED_CHECKLIST.items()],
        "modifiers": [(MODIFIERS[k]["label"], v) for k, v in (incident.modifiers or {}).items()],
        "is_hr": user.has_role(Role.HR),
        "is_legal": user.has_role(Role.LEGAL),
        "sees_all": Q.sees_all_incidents(user),
        "is_subject": Q.is_subject(user, incident),
        "screen_clear": S.screen_clearly_negative(incident),
        "notice": Q.policy_notice_for(incident=incident),
        "open": incident.status in (Incident.Status.OPEN, Incident.Status.IN_REVIEW),
    }


@login_required
def incident_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    incident = _get(request, pk)
    if Q.is_subject(request.user, incident) and not Q.sees_all_incidents(request.user):
        return redirect("incidents:incident-respond", pk=pk)
    return render(request, "incidents/detail.html", _detail_context(request, pk))


def _act_evidence(request: AuthedRequest, incident: Incident) -> tuple[Any, str]:
    form = EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        d = form.cleaned_data
        added = S.evidence_add(incident=incident, actor=request.user, text=d["text"],
                               url=d["url"], network=d["network"], screenshot=d["screenshot"],
                               note=d["note"])
        return form, f"{len(added)} evidence item(s) added and hashed."
    return form, ""


def _act_facts(request: AuthedRequest, incident: Incident) -> tuple[Any, str]:
    form = FactsForm(request.POST, people=_people(request))
    if form.is_valid():
        d = form.cleaned_data
        S.incident_establish_facts(incident=incident, actor=request.user, subject=d["subject"],
                                   authorship_confirmed=d["authorship_confirmed"],
                                   lawful_access_confirmed=d["lawful_access_confirmed"],
                                   note=d["note"])
        return form, "Facts recorded as established."
    return form, ""


def _act_screen(request: AuthedRequest, incident: Incident) -> tuple[Any, str]:
    form = ScreenForm(request.POST)
    if form.is_valid():
        S.incident_record_screen(incident=incident, actor=request.user,
                                 answers=dict(form.cleaned_data))
        return form, "Protected-activity checklist saved."
    return form, ""


def _act_notify(request: AuthedRequest, incident: Incident) -> tuple[Any, str]:
    form = NotifyForm(request.POST)
    if form.is_valid():
        S.incident_notify(incident=incident, actor=request.user,
                          notice_text=form.cleaned_data["notice_text"])
        return form, "The employee can now read the allegation and respond."
    return form, ""


def _act_assess(request: AuthedRequest, incident: Incident) -> tuple[Any, str]:
    form = AssessForm(request.POST)
    if form.is_valid():
        S.incident_assess(incident=incident, actor=request.user,
                          severity=form.cleaned_data["severity"], modifiers=form.modifiers())
        return form, "Assessed against the matrix."
    return form, ""


def _act_review(request: AuthedRequest, incident: Incident) -> tuple[Any, str]:
    form = ReviewForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        S.incident_review(incident=incident, actor=request.user, kind=d["kind"],
                          verdict=d["verdict"], note=d["note"],
                          approves_beyond_one_step=d["approves_beyond_one_step"])
        return form, "Review recorded."
    return form, ""


class _ConfirmDecision(Exception):
    """The decision passed every check and now needs the person's explicit confirmation."""

    def __init__(self, form: DecideForm) -> None:
        self.form = form


def _act_decide(request: AuthedRequest, incident: Incident) -> tuple[Any, str]:
    """Two steps, no script: the first POST checks and shows a confirmation page; the second
    (with `confirmed=1`) records the decision."""
    form = DecideForm(request.POST)
    if form.is_valid() and request.POST.get("confirmed") != "1":
        S.incident_decision_check(incident=incident, actor=request.user,
                                  outcome=form.cleaned_data["outcome"],
                                  justification=form.cleaned_data["justification"])
        raise _ConfirmDecision(form)
    if form.is_valid():
        S.incident_decide(incident=incident, actor=request.user,
                          outcome=form.cleaned_data["outcome"],
                          justification=form.cleaned_data["justification"])
        return form, "Decision recorded. Nothing was sent automatically: tell the employee."
    return form, ""


def _act_contain(request: AuthedRequest, incident: Incident) -> tuple[Any, str]:
    form = ContainForm(request.POST)
    if form.is_valid():
        S.incident_contain(incident=incident, actor=request.user,
                           action=form.cleaned_data["action"], note=form.cleaned_data["note"])
        return form, "Containment step recorded."
    return form, ""


def _act_share(request: AuthedRequest, incident: Incident) -> tuple[Any, str]:
    form = ShareForm(request.POST, managers=Q.manager_choices(incident=incident))
    if form.is_valid():
        S.incident_share(incident=incident, actor=request.user,
                         manager=form.cleaned_data["manager"])
        return form, "Shared with the manager."
    return form, ""


def _act_unshare(request: AuthedRequest, incident: Incident) -> tuple[Any, str]:
    S.incident_unshare(incident=incident, actor=request.user,
                       manager_id=int(request.POST.get("manager", 0) or 0))
    return ShareForm(managers=Q.manager_choices(incident=incident)), "Sharing withdrawn."


def _act_close(request: AuthedRequest, incident: Incident) -> tuple[Any, str]:
    form = CloseForm(request.POST)
    if form.is_valid():
        S.incident_close(incident=incident, actor=request.user, note=form.cleaned_data["note"])
        return form, "Incident closed; the evidence retention period starts now."
    return form, ""


def _act_hold(request: AuthedRequest, incident: Incident) -> tuple[Any, str]:
    form = HoldForm(request.POST)
    if form.is_valid():
        S.incident_set_legal_hold(incident=incident, actor=request.user,
                                  hold=form.cleaned_data["hold"],
                                  reason=form.cleaned_data["reason"])
        return form, "Legal hold updated."
    return form, ""


def _act_response(request: AuthedRequest, incident: Incident) -> tuple[Any, str]:
    form = ResponseForm(request.POST)
    if form.is_valid():
        S.incident_record_response(incident=incident, actor=request.user,
                                   text=form.cleaned_data["text"])
        return form, "Response recorded on the employee's behalf."
    return form, ""


ACTIONS: dict[str, Callable[[AuthedRequest, Incident], tuple[Any, str]]] = {
    "evidence": _act_evidence, "facts": _act_facts, "screen": _act_screen,
    "notify": _act_notify, "assess": _act_assess, "review": _act_review,
    "decide": _act_decide, "contain": _act_contain, "share": _act_share,
    "unshare": _act_unshare, "close": _act_close, "hold": _act_hold, "response": _act_response,
}


@login_required
@require_POST
def incident_action(request: AuthedRequest, pk: int, action: str) -> HttpResponse:
    """One POST endpoint per step; the service enforces roles and gates. Errors re-render the
    page with the form and the message next to the field at fault."""
    handler = ACTIONS.get(action)
    if handler is None:
        raise Http404("No such action.")
    incident = _get(request, pk)
    form: Any = None
    try:
        form, done = handler(request, incident)
    except _ConfirmDecision as confirm:
        outcome = confirm.form.cleaned_data["outcome"]
        return render(request, "incidents/decide_confirm.html", {
            "incident": incident, "form": confirm.form,
            "outcome_label": Outcome(outcome).label,
            "deviates": outcome != incident.suggested_response,
        })
    except DomainError as exc:
        form = form or _rebind(action, request, incident)
        add_domain_error(form, exc)
        done = ""
    if done:
        messages.success(request, done)
        return redirect(reverse("incidents:incident-detail", args=[pk]) + f"#{action}")
    key = "share" if action == "unshare" else action
    context = _detail_context(request, pk, bound={key: form})
    context["error_action"] = action
    return render(request, "incidents/detail.html", context, status=422)


def _rebind(action: str, request: AuthedRequest, incident: Incident) -> Any:
    """A bound form for an action whose service refused it (so the input is kept)."""
    people = _people(request)
    makers: dict[str, Callable[[], Any]] = {
        "evidence": lambda: EvidenceForm(request.POST),
        "facts": lambda: FactsForm(request.POST, people=people),
        "screen": lambda: ScreenForm(request.POST),
        "notify": lambda: NotifyForm(request.POST),
        "assess": lambda: AssessForm(request.POST),
        "review": lambda: ReviewForm(request.POST),
        "decide": lambda: DecideForm(request.POST),
        "contain": lambda: ContainForm(request.POST),
        "share": lambda: ShareForm(request.POST, managers=Q.manager_choices(incident=incident)),
        "unshare": lambda: ShareForm(managers=Q.manager_choices(incident=incident)),
        "close": lambda: CloseForm(request.POST),
        "hold": lambda: HoldForm(request.POST),
        "response": lambda: ResponseForm(request.POST),
    }
    form = makers[action]()
    form.is_valid()
    return form
