"""Staff pages of the speak-up channel: the list with its clocks, a concern, the custodian's
requests, the register of on-time rates, settings, intake forms and the deletion log."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from chorus.audit.services import audit_record
from chorus.common.csvexport import csv_response
from chorus.common.errors import DomainError, NotFound
from chorus.common.forms import add_domain_error
from chorus.common.types import AuthedRequest
from chorus.people.models import Person, User
from chorus.speakup import selectors, services
from chorus.speakup.forms import (
    ClockRuleForm,
    FormBuilderForm,
    IdentityDecisionForm,
    IdentityRequestForm,
    IncidentForm,
    NoteForm,
    RedactForm,
    RetentionForm,
    StaffMessageForm,
    TextForm,
    parse_question_lines,
    question_lines,
)
from chorus.speakup.models import (
    JURISDICTIONS,
    ClockRule,
    Concern,
    IdentityRequest,
    IntakeForm,
    Message,
    RetentionRule,
)


def _concern(request: AuthedRequest, pk: int) -> Concern:
    try:
        return selectors.concern_get_for(user=request.user, concern_id=pk)
    except NotFound:
        raise Http404("No such concern.") from None


def _require_handler(request: AuthedRequest) -> None:
    if not services.is_handler(request.user):
        raise Http404("No such page.")


def _require_admin(request: AuthedRequest) -> None:
    if not request.user.has_role("admin"):
        raise Http404("No such page.")


@login_required
def concern_list(request: AuthedRequest) -> HttpResponse:
    _require_handler(request)
    status = request.GET.get("status", "open")
    concerns = list(selectors.concern_list_for(user=request.user, status=status)[:200])
    now = timezone.now()
    rows = [{"c": c, "clocks": services.concern_clocks(c, now)} for c in concerns]
    return render(request, "speakup/list.html", {
        "rows": rows, "status": status, "statuses": Concern.Status.choices,
        "custodian_pending": selectors.identity_requests_for_custodian(user=request.user)
        .filter(status=IdentityRequest.Status.PENDING).count(),
        "public_url": request.build_absolute_uri(
            f"/speak-up/{request.user.org.slug}/")})


def _people(concern: Concern) -> Any:
    return (Person.objects.filter(organization_id=concern.organization_id)
            .exclude(user__in=concern.excluded_users.all()).order_by("full_name"))


def _detail_context(request: AuthedRequest, concern: Concern, **forms: Any) -> dict[str, Any]:
    settings_ = services.channel_settings(concern.organization)
    custodians = settings_.custodians.filter(is_active=True).exclude(
        pk__in=concern.excluded_users.values("pk")).exclude(pk=request.user.pk)
    version = concern.form_version
    answers = [{"key": q["key"], "label": q["label"], "value": concern.answers.get(q["key"], "")}
               for q in version.questions if q["key"] in concern.answers]
    ctx = {
        "concern": concern, "clocks": services.concern_clocks(concern), "answers": answers,
        "version": version,
        "messages_": Message.objects.filter(concern=concern).select_related("author")
        .prefetch_related("attachments"),
        "events": concern.events.select_related("actor"),
        "redactions": concern.redactions.select_related("redacted_by"),
        "requests": concern.identity_requests.select_related("requested_by", "custodian"),
        "identity_visible": services.identity_visible_to(concern, request.user),
        "show_identity": False,
        "message_form": StaffMessageForm(), "feedback_form": TextForm(),
        "close_form": NoteForm(), "conflict_form": NoteForm(), "redact_form": RedactForm(),
        "identity_form": IdentityRequestForm(custodians=custodians),
        "incident_form": IncidentForm(people=_people(concern)),
        "people": _people(concern),
        "has_custodians": custodians.exists(),
        "excluded_count": concern.excluded_users.count(),
    }
    ctx.update(forms)
    return ctx


@login_required
def concern_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    concern = _concern(request, pk)
    return render(request, "speakup/detail.html", _detail_context(request, concern))


def _action(request: AuthedRequest, pk: int, form_cls: Any, form_name: str,
            run: Callable[[Concern, Any], Any], done: str, **form_kwargs: Any) -> HttpResponse:
    concern = _concern(request, pk)
    form = None if form_cls is None else form_cls(request.POST, request.FILES, **form_kwargs)
    if form is None or form.is_valid():
        try:
            run(concern, form.cleaned_data if form is not None else {})
        except DomainError as exc:
            if form is None:
                messages.error(request, exc.message)
                return redirect("speakup:detail", pk=concern.pk)
            add_domain_error(form, exc)
        else:
            messages.success(request, done)
            return redirect("speakup:detail", pk=concern.pk)
    concern.refresh_from_db()
    return render(request, "speakup/detail.html",
                  _detail_context(request, concern, **{form_name: form}), status=422)


@login_required
@require_POST
def acknowledge(request: AuthedRequest, pk: int) -> HttpResponse:
    return _action(request, pk, None, "", lambda c, d: services.concern_acknowledge(
        concern=c, actor=request.user, message=request.POST.get("message", "")),
        "Acknowledged: the 7-day clock stopped and the reporter can read it.")


@login_required
@require_POST
def message(request: AuthedRequest, pk: int) -> HttpResponse:
    return _action(request, pk, StaffMessageForm, "message_form",
                   lambda c, d: services.concern_message_staff(
                       concern=c, actor=request.user, body=d["body"], files=d["files"]),
                   "Message sent to the reporter.")


@login_required
@require_POST
def feedback(request: AuthedRequest, pk: int) -> HttpResponse:
    return _action(request, pk, TextForm, "feedback_form",
                   lambda c, d: services.concern_give_feedback(concern=c, actor=request.user,
                                                               text=d["text"]),
                   "Feedback recorded: the 3-month clock stopped.")


@login_required
@require_POST
def close(request: AuthedRequest, pk: int) -> HttpResponse:
    return _action(request, pk, NoteForm, "close_form",
                   lambda c, d: services.concern_close(concern=c, actor=request.user,
                                                       note=d["note"]), "Concern closed.")


@login_required
@require_POST
def conflict(request: AuthedRequest, pk: int) -> HttpResponse:
    concern = _concern(request, pk)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            services.concern_declare_conflict(concern=concern, actor=request.user,
                                              note=form.cleaned_data["note"])
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, "Conflict recorded: you no longer see this concern.")
            return redirect("speakup:list")
    return render(request, "speakup/detail.html",
                  _detail_context(request, concern, conflict_form=form), status=422)


@login_required
@require_POST
def exclude(request: AuthedRequest, pk: int) -> HttpResponse:
    concern = _concern(request, pk)
    person = Person.objects.filter(organization_id=concern.organization_id,
                                   pk=request.POST.get("person") or 0).first()
    if person is None:
        messages.error(request, "Choose a person from the list.")
        return redirect("speakup:detail", pk=concern.pk)
    return _action(request, pk, None, "", lambda c, d: services.concern_exclude_person(
        concern=c, actor=request.user, person=person), f"{person.full_name} is excluded.")


@login_required
@require_POST
def identity_request(request: AuthedRequest, pk: int) -> HttpResponse:
    concern = _concern(request, pk)
    custodians = services.channel_settings(concern.organization).custodians.all()
    return _action(request, pk, IdentityRequestForm, "identity_form",
                   lambda c, d: services.identity_request(
                       concern=c, actor=request.user, justification=d["justification"],
                       custodian=d["custodian"]),
                   "Request sent to the custodian.", custodians=custodians)


@login_required
@require_POST
def identity_show(request: AuthedRequest, pk: int) -> HttpResponse:
    concern = _concern(request, pk)
    if not services.identity_visible_to(concern, request.user):
        messages.error(request, "The identity is sealed: a custodian must approve a request.")
        return redirect("speakup:detail", pk=concern.pk)
    services.identity_view_record(concern=concern, actor=request.user)
    ctx = _detail_context(request, concern)
    ctx["show_identity"] = True
    return render(request, "speakup/detail.html", ctx)


@login_required
@require_POST
def redact(request: AuthedRequest, pk: int) -> HttpResponse:
    concern = _concern(request, pk)
    form = RedactForm(request.POST)
    if form.is_valid():
        msg = None
        if form.cleaned_data.get("message"):
            msg = Message.objects.filter(concern=concern, pk=form.cleaned_data["message"]).first()
            if msg is None:
                raise Http404("No such message.")
        try:
            services.redact(concern=concern, actor=request.user,
                            where=form.cleaned_data.get("where") or "", message=msg,
                            text=form.cleaned_data["text"], reason=form.cleaned_data["reason"])
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, "Redacted permanently; the reason is kept.")
            return redirect("speakup:detail", pk=concern.pk)
    return render(request, "speakup/detail.html",
                  _detail_context(request, concern, redact_form=form), status=422)


@login_required
@require_POST
def open_incident(request: AuthedRequest, pk: int) -> HttpResponse:
    concern = _concern(request, pk)
    form = IncidentForm(request.POST, people=_people(concern))
    if form.is_valid():
        try:
            incident = services.concern_open_incident(
                concern=concern, actor=request.user, subject=form.cleaned_data["subject"],
                title=form.cleaned_data["title"])
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, f"Incident INC-{incident.pk} opened.")
            return redirect("incidents:incident-detail", pk=incident.pk)
    return render(request, "speakup/detail.html",
                  _detail_context(request, concern, incident_form=form), status=422)


@login_required
def attachment(request: AuthedRequest, pk: int) -> FileResponse:
    try:
        att = selectors.attachment_get_for(user=request.user, attachment_id=pk)
    except NotFound:
        raise Http404("No such file.") from None
    audit_record(organization=request.user.org, actor=request.user,
                 action="speakup.file_viewed", target=att.message.concern,
                 data={"attachment": att.pk, "sha256": att.sha256})
    return FileResponse(att.file.open("rb"), as_attachment=True, filename=att.display_name,
                        content_type=att.mime)


# The custodian

@login_required
def custodian(request: AuthedRequest) -> HttpResponse:
    if not services.is_custodian(request.user):
        raise Http404("No such page.")
    return render(request, "speakup/custodian.html", {
        "requests": selectors.identity_requests_for_custodian(user=request.user),
        "form": IdentityDecisionForm()})


@login_required
@require_POST
def custodian_decide(request: AuthedRequest, pk: int) -> HttpResponse:
    try:
        req = selectors.identity_request_get_for(user=request.user, request_id=pk)
    except NotFound:
        raise Http404("No such request.") from None
    form = IdentityDecisionForm(request.POST)
    if form.is_valid():
        try:
            services.identity_decide(request=req, actor=request.user,
                                     approve=form.cleaned_data["decision"] == "approve",
                                     note=form.cleaned_data["note"],
                                     tell_reporter=not form.cleaned_data["withhold_notice"])
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, "Decision recorded.")
            return redirect("speakup:custodian")
    return render(request, "speakup/custodian.html", {
        "requests": selectors.identity_requests_for_custodian(user=request.user),
        "form": form, "failed": req.pk}, status=422)


# Register of on-time rates

def _range(request: AuthedRequest) -> tuple[date, date, dict[str, str]]:
    today = timezone.localdate()
    errors: dict[str, str] = {}
    def parse(name: str, default: date) -> date:
        raw = request.GET.get(name, "")
        if not raw:
            return default
        try:
            return date.fromisoformat(raw)
        except ValueError:
            errors[name] = f"“{raw}” is not a date: use the format 2026-12-01."
            return default
    since = parse("since", today - timedelta(days=365))
    until = parse("until", today)
    if since > until:
        errors["since"] = "The start is after the end."
        since = until
    return since, until, errors


@login_required
def register(request: AuthedRequest) -> HttpResponse:
    _require_handler(request)
    since, until, errors = _range(request)
    data = services.clock_register(organization=request.user.org, since=since,
                                   until=until)
    return render(request, "speakup/register.html", {**data, "since": since, "until": until,
                                                     "errors": errors},
                  status=422 if errors else 200)


@login_required
def register_csv(request: AuthedRequest) -> HttpResponse:
    _require_handler(request)
    since, until, errors = _range(request)
    if errors:
        return HttpResponse("; ".join(errors.values()), status=422, content_type="text/plain")
    data = services.clock_register(organization=request.user.org, since=since,
                                   until=until)
    rows = []
    for c in data["concerns"]:
        ack, fb = services.concern_clocks(c)
        rows.append([c.reference, c.category_label, c.jurisdiction,
                     c.received_at.date().isoformat(), ack.due_at.date().isoformat(),
                     c.acknowledged_at.date().isoformat() if c.acknowledged_at else "",
                     ack.state, fb.due_at.date().isoformat(),
                     c.feedback_at.date().isoformat() if c.feedback_at else "", fb.state,
                     c.get_status_display()])
    audit_record(organization=request.user.org, actor=request.user,
                 action="speakup.register_exported", data={"rows": len(rows)})
    return csv_response(rows, filename="speak-up-register.csv", header=[
        "reference", "category", "jurisdiction", "received", "ack_due", "acknowledged",
        "ack_clock", "feedback_due", "feedback_given", "feedback_clock", "status"])


# Settings, forms, deletion log (administrators)

@login_required
def channel_settings(request: AuthedRequest) -> HttpResponse:
    _require_admin(request)
    org = request.user.org
    found = services.channel_settings(org)
    staff = User.objects.filter(organization=org, is_active=True).order_by("full_name")
    clock_form, retention_form = ClockRuleForm(initial={"ack_days": 7, "feedback_days": 91}), \
        RetentionForm(initial={"days": 3 * 365})
    status = 200
    if request.method == "POST":
        which = request.POST.get("section")
        try:
            if which == "people":
                ids = lambda name: [int(v) for v in request.POST.getlist(name) if v.isdigit()]  # noqa: E731
                lead_id = request.POST.get("lead") or ""
                services.channel_settings_save(
                    organization=org, actor=request.user,
                    handlers=list(staff.filter(pk__in=ids("handlers"))),
                    custodians=list(staff.filter(pk__in=ids("custodians"))),
                    lead=staff.filter(pk=lead_id).first() if lead_id.isdigit() else None)
                messages.success(request, "Handlers and custodians saved.")
                return redirect("speakup:settings")
            if which == "clock":
                clock_form = ClockRuleForm(request.POST)
                if clock_form.is_valid():
                    services.clock_rule_save(organization=org, actor=request.user,
                                             **clock_form.cleaned_data)
                    messages.success(request, "Clocks saved; they apply to new reports.")
                    return redirect("speakup:settings")
            if which == "retention":
                retention_form = RetentionForm(request.POST)
                if retention_form.is_valid():
                    services.retention_rule_save(organization=org, actor=request.user,
                                                 category=retention_form.cleaned_data["category"],
                                                 days=retention_form.cleaned_data["days"])
                    messages.success(request, "Retention schedule saved.")
                    return redirect("speakup:settings")
        except DomainError as exc:
            add_domain_error(clock_form if which == "clock" else retention_form, exc)
        status = 422
    return render(request, "speakup/settings.html", {
        "found": found, "staff": staff,
        "handler_ids": set(found.handlers.values_list("pk", flat=True)),
        "custodian_ids": set(found.custodians.values_list("pk", flat=True)),
        "clock_rules": ClockRule.objects.filter(organization=org),
        "retention_rules": RetentionRule.objects.filter(organization=org),
        "clock_form": clock_form, "retention_form": retention_form,
        "jurisdictions": JURISDICTIONS,
    }, status=status)


@login_required
def forms_list(request: AuthedRequest) -> HttpResponse:
    _require_admin(request)
    org = request.user.org
    services.ensure_default_form(org)
    return render(request, "speakup/forms.html", {
        "forms": IntakeForm.objects.filter(organization=org).prefetch_related("versions"),
        "public_url": request.build_absolute_uri(f"/speak-up/{org.slug}/")})


@login_required
def form_edit(request: AuthedRequest, key: str = "") -> HttpResponse:
    _require_admin(request)
    org = request.user.org
    existing = IntakeForm.objects.filter(organization=org, key=key).first() if key else None
    if key and existing is None:
        raise Http404("No such form.")
    if request.method == "POST":
        form = FormBuilderForm(request.POST)
        if form.is_valid():
            try:
                version = services.intake_form_save(
                    organization=org, actor=request.user, key=form.cleaned_data["key"],
                    label=form.cleaned_data["label"],
                    description=form.cleaned_data["description"],
                    questions=parse_question_lines(form.cleaned_data["questions"]))
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, f"Published version {version.number} of "
                                          f"“{version.form.label}”.")
                return redirect("speakup:forms")
        return render(request, "speakup/form_edit.html", {"form": form, "existing": existing},
                      status=422)
    initial: dict[str, Any] = {}
    if existing and existing.current:
        initial = {"key": existing.key, "label": existing.label,
                   "description": existing.description,
                   "questions": question_lines(existing.current.questions)}
    return render(request, "speakup/form_edit.html",
                  {"form": FormBuilderForm(initial=initial), "existing": existing})


@login_required
def deletions(request: AuthedRequest) -> HttpResponse:
    if not (services.is_handler(request.user) or request.user.has_role("admin")):
        raise Http404("No such page.")
    return render(request, "speakup/deletions.html",
                  {"logs": selectors.deletion_log_for(user=request.user)[:500]})
