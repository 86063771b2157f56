"""Content supply pages: feeds communications adds (hub), links employees suggest."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from chorus.advocacy.forms import ContentSourceForm, SuggestionAcceptForm, SuggestionForm
from chorus.advocacy.models import ContentSource, ContentSuggestion, SourceEntry
from chorus.advocacy.services.sources import (
    source_check_now,
    source_create,
    source_delete,
    source_set_active,
    suggestion_accept,
    suggestion_create,
    suggestion_decline,
)
from chorus.advocacy.views.base import _form_error, editor_required
from chorus.common.errors import DomainError
from chorus.common.types import AuthedRequest


def _source(request: AuthedRequest, source_id: int) -> ContentSource:
    source = ContentSource.objects.filter(organization=request.user.org, pk=source_id).first()
    if source is None:
        raise Http404("No such source.")
    return source


@editor_required
def sources(request: AuthedRequest) -> HttpResponse:
    form = ContentSourceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            source_create(actor=request.user, **form.cleaned_data)
            messages.success(
                request,
                gettext(
                    "Source added. It is read in the background; new entries arrive as drafts."
                ),
            )
            return redirect("advocacy:sources")
        except DomainError as exc:
            _form_error(form, exc)
    return render(request, "advocacy/sources.html", {
        "form": form,
        "sources": ContentSource.objects.filter(organization=request.user.org),
    }, status=422 if request.method == "POST" else 200)


@editor_required
def source_detail(request: AuthedRequest, source_id: int) -> HttpResponse:
    source = _source(request, source_id)
    entries = SourceEntry.objects.filter(source=source).select_related("item", "duplicate_of") \
        .order_by("-created_at", "-pk")[:100]
    return render(request, "advocacy/source_detail.html", {"source": source,
                                                            "entries": entries})


@editor_required
@require_POST
def source_action(request: AuthedRequest, source_id: int, action: str) -> HttpResponse:
    source = _source(request, source_id)
    if action == "check":
        source_check_now(actor=request.user, source=source)
        messages.success(
            request, gettext("“%(name)s” will be checked in a moment.") % {"name": source.name}
        )
    elif action in ("pause", "resume"):
        source_set_active(actor=request.user, source=source, active=action == "resume")
        done = "resumed" if action == "resume" else "paused"
        messages.success(request, f"“{source.name}” {done}.")
    elif action == "delete":
        source_delete(actor=request.user, source=source)
        messages.success(
            request,
            gettext("“%(name)s” removed; its drafts stay in the hub.") % {"name": source.name},
        )
    else:
        raise Http404("No such action.")
    return redirect("advocacy:sources")


@login_required
def suggest(request: AuthedRequest) -> HttpResponse:
    """Suggest a link for the hub, and see what happened to my suggestions."""
    form = SuggestionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            suggestion_create(actor=request.user, **form.cleaned_data)
            messages.success(
                request, gettext("Thank you! Communications will look at your suggestion.")
            )
            return redirect("advocacy:suggest")
        except DomainError as exc:
            _form_error(form, exc)
    mine = ContentSuggestion.objects.filter(organization=request.user.org,
                                            suggester=request.user).select_related("item")[:50]
    return render(request, "advocacy/suggest.html", {"form": form, "mine": mine},
                  status=422 if request.method == "POST" else 200)


def _suggestion(request: AuthedRequest, suggestion_id: int) -> ContentSuggestion:
    found = ContentSuggestion.objects.filter(organization=request.user.org,
                                             pk=suggestion_id).first()
    if found is None:
        raise Http404("No such suggestion.")
    return found


@editor_required
def suggestions(request: AuthedRequest) -> HttpResponse:
    qs = ContentSuggestion.objects.filter(organization=request.user.org) \
        .select_related("suggester", "item")
    return render(request, "advocacy/suggestions.html", {
        "pending": [(s, SuggestionAcceptForm(prefix=f"s{s.pk}"))
                    for s in qs.filter(status=ContentSuggestion.Status.PENDING)],
        "decided": qs.exclude(status=ContentSuggestion.Status.PENDING)[:50],
    })


@editor_required
@require_POST
def suggestion_decide(request: AuthedRequest, suggestion_id: int, decision: str) -> HttpResponse:
    found = _suggestion(request, suggestion_id)
    try:
        if decision == "accept":
            form = SuggestionAcceptForm(request.POST, prefix=f"s{found.pk}")
            if not form.is_valid():
                messages.error(request, gettext("Give the draft a title employees will recognise."))
                return redirect("advocacy:suggestions")
            item = suggestion_accept(actor=request.user, suggestion=found, **form.cleaned_data)
            messages.success(
                request, gettext("Draft created from the suggestion; review it as usual.")
            )
            return redirect("advocacy:content-detail", item.pk)
        if decision == "decline":
            suggestion_decline(actor=request.user, suggestion=found,
                               note=request.POST.get("note", ""))
            messages.success(request, gettext("Suggestion declined."))
            return redirect("advocacy:suggestions")
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("advocacy:suggestions")
    raise Http404("No such decision.")
