"""HR configuration: onboarding settings and stages, and the knowledge check of a version."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render

from chorus.common.errors import DomainError, NotFound
from chorus.common.forms import add_domain_error
from chorus.common.types import AuthedRequest
from chorus.onboarding import selectors, services
from chorus.onboarding.forms import PassMarkForm, QuestionForm, SettingsForm
from chorus.onboarding.models import PRESET_INTRODUCE_AT, QuizQuestion, Stage
from chorus.onboarding.views.base import _hr_only


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
        raise Http404(exc.message) from None
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
