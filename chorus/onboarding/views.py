from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from chorus.common.errors import DomainError, NotFound
from chorus.common.forms import add_domain_error
from chorus.common.types import AuthedRequest
from chorus.onboarding import selectors, services
from chorus.onboarding.forms import (
    CampaignForm,
    ImportForm,
    PassMarkForm,
    PersonForm,
    QuestionForm,
    SettingsForm,
    StageForm,
)
from chorus.onboarding.models import (
    PRESET_INTRODUCE_AT,
    STATUS_LABELS,
    Assignment,
    Attestation,
    QuizQuestion,
    Stage,
)
from chorus.people.models import Person
from chorus.people.roles import Role


def _hr_only(request: AuthedRequest) -> None:
    if not selectors.is_hr(request.user):
        raise DjangoPermissionDenied


def _not_found(exc: NotFound) -> Http404:
    return Http404(exc.message)


# --- Dashboard --------------------------------------------------------------------------------


@login_required
def dashboard(request: AuthedRequest) -> HttpResponse:
    """HR: the whole organization; managers: their own team only."""
    user = request.user
    if not (selectors.is_hr(user) or user.has_role(Role.MANAGER)):
        return redirect("onboarding:me")
    assignments = selectors.assignment_list_for(user=user)
    overdue = list(selectors.overdue_for(user=user)[:50])
    now = timezone.now()
    return render(request, "onboarding/dashboard.html", {
        "overall": selectors.completion_overall(assignments),
        "campaigns": list(selectors.campaign_list_for(user=user)[:20]),
        "by_department": selectors.completion_by(assignments, "person__department",
                                                 "person__department__name"),
        "by_manager": selectors.completion_by(assignments, "person__manager",
                                              "person__manager__full_name"),
        "overdue": [(a, a.display_status(now)) for a in overdue],
        "pipeline": selectors.onboarding_pipeline(user=user),
        "hr": selectors.is_hr(user),
        "labels": STATUS_LABELS,
    })


# --- People -----------------------------------------------------------------------------------


@login_required
def people(request: AuthedRequest) -> HttpResponse:
    user = request.user
    if not (selectors.is_hr(user) or user.has_role(Role.MANAGER)):
        return redirect("onboarding:me")
    q = request.GET.get("q", "").strip()
    status = request.GET.get("status", "")
    status = status if status in Person.Status.values else ""
    stage = request.GET.get("stage", "")
    stage = stage if stage in Stage.values else ""
    page = Paginator(selectors.people_for(user=user, q=q, status=status, stage=stage), 50
                     ).get_page(request.GET.get("page"))
    return render(request, "onboarding/people.html", {
        "page": page, "q": q, "status": status, "stage": stage, "hr": selectors.is_hr(user),
        "statuses": Person.Status.choices, "stages": Stage.choices,
    })


@login_required
def person_new(request: AuthedRequest) -> HttpResponse:
    _hr_only(request)
    org = request.user.org
    form = PersonForm(request.POST or None, organization=org)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            person = services.person_add(
                organization=org, actor=request.user, full_name=d["full_name"], email=d["email"],
                department=d["department"], manager=d["manager"], title=d["title"],
                location=d["location"], start_date=d["start_date"], status=d["status"],
                stage=d["stage"])
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, f"{person.full_name} was added.")
            return redirect("onboarding:person", person_id=person.pk)
    return render(request, "onboarding/person_form.html", {"form": form, "person": None})


@login_required
def person_edit(request: AuthedRequest, person_id: int) -> HttpResponse:
    _hr_only(request)
    try:
        person = selectors.person_detail(user=request.user, person_id=person_id)
    except NotFound as exc:
        raise _not_found(exc) from None
    initial = {"full_name": person.full_name, "email": person.email, "status": person.status,
               "department": person.department.name if person.department else "",
               "manager": person.manager_id, "title": person.title,
               "location": person.location, "start_date": person.start_date}
    form = PersonForm(request.POST or None, initial=initial, organization=person.organization,
                      person=person)
    if request.method == "POST" and form.is_valid():
        try:
            services.person_update(person=person, actor=request.user, values=form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, f"Saved {person.full_name}.")
            return redirect("onboarding:person", person_id=person.pk)
    return render(request, "onboarding/person_form.html", {"form": form, "person": person})


@login_required
def person_detail(request: AuthedRequest, person_id: int) -> HttpResponse:
    user = request.user
    try:
        person = selectors.person_detail(user=user, person_id=person_id)
    except NotFound as exc:
        raise _not_found(exc) from None
    hr = selectors.is_hr(user)
    stage_form = StageForm(request.POST or None, prefix="stage")
    if request.method == "POST":
        _hr_only(request)
        if stage_form.is_valid():
            try:
                services.person_set_stage(person=person, stage=stage_form.cleaned_data["stage"],
                                          actor=user, note=stage_form.cleaned_data["note"])
            except DomainError as exc:
                add_domain_error(stage_form, exc)
            else:
                messages.success(request, "Stage updated.")
                return redirect("onboarding:person", person_id=person.pk)
    onboarding = getattr(person, "onboarding", None)
    if onboarding is not None and not stage_form.is_bound:
        stage_form.initial = {"stage": onboarding.stage}
    now = timezone.now()
    assignments = [(a, a.display_status(now)) for a in selectors.person_status_rows(person=person)]
    return render(request, "onboarding/person.html", {
        "person": person, "onboarding": onboarding, "stage_form": stage_form, "hr": hr,
        "assignments": assignments, "labels": STATUS_LABELS,
        "changes": list(onboarding.changes.select_related("actor")) if onboarding else [],
        "attestations": list(Attestation.objects.filter(person=person)
                             .select_related("version")),
        "new_link": request.session.pop(f"onboarding-link-{person.pk}", None) if hr else None,
    })


@login_required
@require_POST
def person_not_hired(request: AuthedRequest, person_id: int) -> HttpResponse:
    _hr_only(request)
    try:
        person = selectors.person_detail(user=request.user, person_id=person_id)
        services.candidate_mark_not_hired(person=person, actor=request.user)
        days = services.onboarding_settings_for(organization=person.organization
                                                ).candidate_retention_days
        messages.success(request, f"{person.full_name} is marked as not hired. Their records "
                         f"will be deleted after {days} days.")
    except NotFound as exc:
        raise _not_found(exc) from None
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("onboarding:person", person_id=person_id)


# --- Import -----------------------------------------------------------------------------------


@login_required
def people_import(request: AuthedRequest) -> HttpResponse:
    _hr_only(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            people_import = services.people_import_upload(
                organization=request.user.org, actor=request.user,
                filename=upload.name, raw=upload.read())
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            return redirect("onboarding:import-preview", import_id=people_import.pk)
    return render(request, "onboarding/import.html", {
        "form": form, "recent": selectors.recent_imports_for(user=request.user)})


@login_required
def people_import_preview(request: AuthedRequest, import_id: int) -> HttpResponse:
    _hr_only(request)
    try:
        people_import = selectors.people_import_get(user=request.user, import_id=import_id)
    except NotFound as exc:
        raise _not_found(exc) from None
    if people_import.applied_at is not None:
        messages.info(request, "This import was already applied.")
        return redirect("onboarding:people")
    error = ""
    if request.method == "POST":
        try:
            counts = services.people_import_apply(people_import=people_import, actor=request.user)
        except DomainError as exc:
            error = exc.message
        else:
            messages.success(request, f"Imported: {counts['create']} added, {counts['update']} "
                             f"updated, {counts['unchanged']} unchanged.")
            return redirect("onboarding:people")
    preview = services.people_import_preview(people_import=people_import)
    errors_by_row: dict[int, list[Any]] = {}
    if preview.parsed:
        for e in preview.parsed.errors:
            errors_by_row.setdefault(e.row, []).append(e)
    rows = [(r, preview.actions.get(r.row), errors_by_row.get(r.row, []))
            for r in (preview.parsed.rows if preview.parsed else [])]
    return render(request, "onboarding/import_preview.html", {
        "preview": preview, "rows": rows, "error": error, "form": ImportForm(),
        "people_import": people_import,
    }, status=200)


# --- Campaigns --------------------------------------------------------------------------------


@login_required
def campaign_new(request: AuthedRequest) -> HttpResponse:
    _hr_only(request)
    org = request.user.org
    versions = list(selectors.published_versions_for(user=request.user))
    settings_row = services.onboarding_settings_for(organization=org)
    form = CampaignForm(request.POST or None, versions=versions, organization=org,
                        due_days=settings_row.default_due_days)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            campaign = services.campaign_create(
                organization=org, actor=request.user, name=d["name"],
                version_id=int(d["version"]), audience=d["audience"],
                department=d["department"], due_days=d["due_days"])
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            asked = campaign.assignments.count()
            messages.success(request, f"Campaign “{campaign.name}” started; {asked} "
                             f"{'person' if asked == 1 else 'people'} asked so far.")
            return redirect("onboarding:campaign", campaign_id=campaign.pk)
    intro = [(v, dict(Stage.choices)[services.introduce_stage_for(organization=org, version=v)])
             for v in versions]
    strict_without_quiz = [v for v in versions if services.policy_preset(v) == "strict"
                           and selectors.knowledge_check_for(version=v) is None]
    return render(request, "onboarding/campaign_form.html", {
        "form": form, "versions": versions, "intro": intro,
        "strict_without_quiz": strict_without_quiz})


@login_required
def campaign_detail(request: AuthedRequest, campaign_id: int) -> HttpResponse:
    user = request.user
    if not (selectors.is_hr(user) or user.has_role(Role.MANAGER)):
        raise DjangoPermissionDenied
    try:
        campaign = selectors.campaign_get(user=user, campaign_id=campaign_id)
    except NotFound as exc:
        raise _not_found(exc) from None
    if request.method == "POST":
        _hr_only(request)
        services.campaign_close(campaign=campaign, actor=user)
        messages.success(request, "Campaign closed. Its records stay.")
        return redirect("onboarding:campaign", campaign_id=campaign.pk)
    now = timezone.now()
    page = Paginator(selectors.assignment_list_for(user=user).filter(campaign=campaign)
                     .order_by("status", "due_at", "pk"), 100).get_page(request.GET.get("page"))
    return render(request, "onboarding/campaign.html", {
        "campaign": campaign, "page": page,
        "rows": [(a, a.display_status(now)) for a in page], "labels": STATUS_LABELS,
        "hr": selectors.is_hr(user),
        "percent": round(100 * campaign.done / campaign.total) if campaign.total else 0,
    })


@login_required
@require_POST
def assignment_nudge(request: AuthedRequest, assignment_id: int) -> HttpResponse:
    _hr_only(request)
    try:
        assignment = selectors.assignment_get(user=request.user, assignment_id=assignment_id)
        sent = services.assignment_nudge(assignment=assignment, actor=request.user)
    except NotFound as exc:
        raise _not_found(exc) from None
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Reminder sent to {assignment.person.email}." if sent else
                         f"{assignment.person.full_name} already got a reminder today.")
    return redirect(request.POST.get("next") or reverse("onboarding:overview"))


@login_required
@require_POST
def assignment_link(request: AuthedRequest, assignment_id: int) -> HttpResponse:
    _hr_only(request)
    try:
        assignment = selectors.assignment_get(user=request.user, assignment_id=assignment_id)
        token = services.attestation_link_create(assignment=assignment, actor=request.user)
    except NotFound as exc:
        raise _not_found(exc) from None
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("onboarding:overview")
    # Shown once on the person page (a redirect keeps the token out of the browser history).
    request.session[f"onboarding-link-{assignment.person_id}"] = request.build_absolute_uri(
        reverse("onboarding-public:attest", args=[token]))
    return redirect("onboarding:person", person_id=assignment.person_id)


# --- Settings, stages and texts ------------------------------------------------------------


@login_required
def stages(request: AuthedRequest) -> HttpResponse:
    _hr_only(request)
    from chorus.policy.selectors import policy_version_current

    org = request.user.org
    current = policy_version_current(organization=org)
    row = services.onboarding_settings_for(organization=org)
    form = SettingsForm(request.POST or None, instance=row)
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in form.fields}
        try:
            services.onboarding_settings_update(organization=org, actor=request.user,
                                                values=values)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, "Onboarding settings saved.")
            return redirect("onboarding:stages")
    preset = services.policy_preset(current)
    intro = services.introduce_stage_for(organization=org, version=current)
    return render(request, "onboarding/stages.html", {
        "form": form, "current": current, "preset": preset,
        "preset_stage": dict(Stage.choices)[PRESET_INTRODUCE_AT[preset]], "intro": intro,
        "stages": [{"value": s.value, "label": s.label, "intro": s.value == intro}
                   for s in Stage if s != Stage.ONBOARDED],
        "job_ad_notice": services.job_ad_notice(organization=org, settings_row=row),
        "offer_clause": services.offer_clause(organization=org, version=current,
                                              settings_row=row),
    })


@login_required
def quiz(request: AuthedRequest, version_id: int) -> HttpResponse:
    _hr_only(request)
    try:
        version = selectors.version_get(user=request.user, version_id=version_id)
    except NotFound as exc:
        raise _not_found(exc) from None
    form = QuestionForm(request.POST if "prompt" in request.POST else None)
    pass_form = PassMarkForm(request.POST if "pass_mark" in request.POST else None)
    if request.method == "POST":
        try:
            if "delete" in request.POST:
                question = QuizQuestion.objects.filter(
                    pk=request.POST["delete"], knowledge_check__version=version).first()
                if question is None:
                    raise Http404("No such question.")
                services.knowledge_check_remove_question(question=question, actor=request.user)
                messages.success(request, "Question removed.")
                return redirect("onboarding:quiz", version_id=version.pk)
            if pass_form.is_bound and pass_form.is_valid():
                services.knowledge_check_update(version=version, actor=request.user,
                                                pass_mark=pass_form.cleaned_data["pass_mark"])
                messages.success(request, "Pass mark saved.")
                return redirect("onboarding:quiz", version_id=version.pk)
            if form.is_bound and form.is_valid():
                d = form.cleaned_data
                raw = [d["choice_1"], d["choice_2"], d["choice_3"], d["choice_4"]]
                correct = int(d["correct"])
                if not raw[correct].strip():
                    form.add_error("correct", "The answer marked right is empty.")
                else:
                    kept = [i for i, c in enumerate(raw) if c.strip()]
                    services.knowledge_check_add_question(
                        version=version, actor=request.user, prompt=d["prompt"],
                        choices=[raw[i] for i in kept], correct=kept.index(correct),
                        explanation=d["explanation"])
                    messages.success(request, "Question added.")
                    return redirect("onboarding:quiz", version_id=version.pk)
        except DomainError as exc:
            add_domain_error(pass_form if exc.field == "pass_mark" else form, exc)
    check = selectors.knowledge_check_for(version=version)
    if check and not pass_form.is_bound:
        pass_form = PassMarkForm(initial={"pass_mark": check.pass_mark})
    return render(request, "onboarding/quiz.html", {
        "version": version, "check": check, "form": form, "pass_form": pass_form,
        "questions": list(check.questions.all()) if check else [],
        "strict": services.policy_preset(version) == "strict"})


# --- Employees: own status and attesting ----------------------------------------------------


@login_required
def me(request: AuthedRequest) -> HttpResponse:
    status = selectors.my_status(user=request.user)
    now = timezone.now()
    return render(request, "onboarding/me.html", {
        "status": status, "open_rows": [(a, a.display_status(now)) for a in status.open]})


def _attest_context(assignment: Assignment, *, answers: dict[int, int] | None = None,
                    wrong: list[int] | None = None) -> dict[str, Any]:
    from chorus.policy.diff import version_diff

    version = assignment.version
    check = selectors.knowledge_check_for(version=version)
    diff = (version_diff(assignment.previous_version, version)
            if assignment.previous_version_id else None)
    # With each question, what the person chose, kept when the page comes back with an error.
    questions = [(q, (answers or {}).get(q.pk)) for q in (check.questions.all() if check else [])]
    return {
        "assignment": assignment, "version": version, "text": version.plain_text(),
        "statement": services.acknowledgment_statement(version), "diff": diff,
        "check": check, "questions": questions, "answers": answers or {},
        "wrong": set(wrong or []),
    }


def _read_answers(request: HttpRequest) -> dict[int, int]:
    answers = {}
    for key in request.POST:
        value = request.POST.get(key, "")
        if key.startswith("q-") and key[2:].isdigit() and value.isdigit():
            answers[int(key[2:])] = int(value)
    return answers


def _attest_post(request: HttpRequest, assignment: Assignment, *, channel: str,
                 link: Any = None) -> tuple[Attestation | None, dict[str, Any]]:
    answers = _read_answers(request)
    try:
        attestation = services.attestation_create(
            assignment=assignment, channel=channel,
            content_hash=request.POST.get("content_hash", ""),
            confirmed=request.POST.get("confirm") == "yes", answers=answers,
            user=request.user if request.user.is_authenticated else None, link=link)
    except services.QuizNotPassed as exc:
        return None, {**_attest_context(assignment, answers=answers, wrong=exc.wrong),
                      "error": exc.message}
    except DomainError as exc:
        assignment.refresh_from_db()
        return None, {**_attest_context(assignment, answers=answers), "error": exc.message}
    return attestation, {}


@login_required
def attest(request: AuthedRequest, assignment_id: int) -> HttpResponse:
    try:
        assignment = selectors.assignment_get_for_attesting(user=request.user,
                                                            assignment_id=assignment_id)
    except NotFound as exc:
        raise _not_found(exc) from None
    if assignment.status == Assignment.Status.DONE:
        messages.info(request, "You already acknowledged this version.")
        return redirect("onboarding:me")
    if request.method == "POST":
        attestation, context = _attest_post(request, assignment,
                                            channel=Attestation.Channel.SESSION)
        if attestation is not None:
            messages.success(request, f"Thank you. Your acknowledgment of version "
                             f"{attestation.version_number} is recorded.")
            return redirect("onboarding:me")
        return render(request, "onboarding/attest.html", {**context, "public": False},
                      status=422)
    return render(request, "onboarding/attest.html",
                  {**_attest_context(assignment), "public": False})


# --- Evidence ---------------------------------------------------------------------------------


@login_required
def evidence(request: AuthedRequest) -> HttpResponse:
    user = request.user
    if not selectors.is_hr(user):
        raise DjangoPermissionDenied
    records = selectors.attestation_list_for(user=user).order_by("-attested_at", "-pk")
    fmt = request.GET.get("format")
    if fmt:
        try:
            body, content_type, filename = services.attestations_export(
                organization=user.org, actor=user, fmt=fmt,
                attestations=records.iterator(chunk_size=1000))
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("onboarding:evidence")
        response = HttpResponse(body, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    page = Paginator(records.defer("text_shown"), 50).get_page(request.GET.get("page"))
    return render(request, "onboarding/evidence.html", {"page": page})


# --- Public: the personal link -------------------------------------------------------------

LINK_PROBLEMS = {
    "tampered": ("This link does not work",
                 "The link is incomplete or was changed. Copy the whole link from the e-mail, "
                 "or ask HR for a new one."),
    "expired": ("This link has expired",
                "Personal links work for a limited time to protect you. Ask HR (or reply to the "
                "e-mail) for a new link."),
    "used": ("This link was already used",
             "Your acknowledgment is recorded; there is nothing more to do. If that was not "
             "you, tell HR."),
    "closed": ("This request is closed",
               "HR closed this request, so there is nothing to acknowledge."),
}


def public_attest(request: HttpRequest, token: str) -> HttpResponse:
    """The signed personal link (no account). A bad link gets a clear page and writes nothing."""
    try:
        link = services.attestation_link_resolve(token)
    except services.LinkProblem as exc:
        title, text = LINK_PROBLEMS[exc.kind]
        return render(request, "onboarding/link_problem.html",
                      {"title": title, "text": text, "kind": exc.kind},
                      status=400 if exc.kind == "tampered" else 410)
    assignment = link.assignment
    if request.method == "POST":
        attestation, context = _attest_post(request, assignment,
                                            channel=Attestation.Channel.LINK, link=link)
        if attestation is not None:
            return render(request, "onboarding/attested.html",
                          {"attestation": attestation, "organization":
                           assignment.person.organization})
        return render(request, "onboarding/attest.html",
                      {**context, "public": True, "token": token}, status=422)
    return render(request, "onboarding/attest.html",
                  {**_attest_context(assignment), "public": True, "token": token})
