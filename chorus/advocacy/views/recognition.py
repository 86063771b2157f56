"""Challenges and badges: the rules and one's own progress (employees), and defining
challenges (communications, who see only completion counts)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext

from chorus.advocacy.forms import ChallengeForm
from chorus.advocacy.models import Challenge
from chorus.advocacy.recognition import completions, progress_for
from chorus.advocacy.services.recognition import challenge_create
from chorus.advocacy.views.base import _form_error, editor_required
from chorus.common.errors import DomainError
from chorus.common.types import AuthedRequest


@login_required
def challenges(request: AuthedRequest) -> HttpResponse:
    progress = progress_for(user=request.user)
    return render(request, "advocacy/challenges.html", {
        "progress": progress, "badges": [p for p in progress if p.earned],
    })


@editor_required
def challenges_manage(request: AuthedRequest) -> HttpResponse:
    form = ChallengeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            challenge_create(actor=request.user, **form.cleaned_data)
            messages.success(
                request, gettext("Challenge created; employees see it with its rules.")
            )
            return redirect("advocacy:challenges-manage")
        except DomainError as exc:
            _form_error(form, exc)
    rows = [(c, completions(c)) for c in Challenge.objects.filter(organization=request.user.org)]
    return render(request, "advocacy/challenges_manage.html", {"form": form, "rows": rows},
                  status=422 if request.method == "POST" else 200)
