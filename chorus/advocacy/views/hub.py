"""The communications hub: content workflow (list, create, edit, review, move), guidance
cards and sharing settings."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from chorus.advocacy.forms import (
    ContentItemForm,
    GuidanceForm,
    SettingsForm,
    TransitionForm,
    caption_field_name,
    join_variants,
)
from chorus.advocacy.models import ContentItem
from chorus.advocacy.networks import Network
from chorus.advocacy.screening import disclosure_rule, screen_caption, with_disclosure
from chorus.advocacy.selectors import (
    content_get_for_editor,
    content_list_for,
    guidance_get,
    guidance_list_for,
)
from chorus.advocacy.services import (
    content_create,
    content_transition,
    content_update,
    guidance_save,
    settings_for,
    settings_update,
)
from chorus.advocacy.services.content import language_name, share_link_of_typical_length
from chorus.advocacy.views.base import _form_error, editor_required
from chorus.checks.presentation import present
from chorus.checks.services import screening_policy
from chorus.common.errors import DomainError, NotFound
from chorus.common.types import AuthedRequest


@editor_required
def content_list(request: AuthedRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    if status not in ContentItem.Status.values:
        status = ""
    query = request.GET.get("q", "").strip()
    items = content_list_for(user=request.user, status=status or None, query=query)
    page = Paginator(items, 25).get_page(request.GET.get("page"))
    return render(request, "advocacy/content_list.html", {
        "page": page, "status": status, "q": query, "statuses": ContentItem.Status.choices,
    })


def _item_form_initial(item: ContentItem) -> dict[str, Any]:
    initial: dict[str, Any] = {
        "title": item.title, "body": item.body, "link": item.link, "tags": ", ".join(item.tags),
        "audience": list(item.audience.all()), "publish_at": item.publish_at,
        "expires_at": item.expires_at,
    }
    for network in Network:
        initial[caption_field_name(network)] = join_variants(
            [c.text for c in item.captions.all()
             if c.network == network and c.language == settings.LANGUAGE_CODE])
    rows: dict[tuple[str, str], list[str]] = {}
    for c in item.captions.all():
        if c.language != settings.LANGUAGE_CODE:
            rows.setdefault((c.language, c.network), []).append(c.text)
    for i, ((language, row_network), texts) in enumerate(sorted(rows.items())):
        initial[f"tr_language_{i}"], initial[f"tr_network_{i}"] = language, row_network
        initial[f"tr_text_{i}"] = join_variants(texts)
    return initial


def _translation_rows(initial: dict[str, Any]) -> int:
    return sum(1 for key in initial if key.startswith("tr_language_"))


def _counter_context(organization: Any) -> dict[str, Any]:
    """What the live caption counter needs: the tracked link's length and the disclosure."""
    return {"share_link_length": len(share_link_of_typical_length()),
            "disclosure": disclosure_rule(organization=organization)}


@editor_required
def content_new(request: AuthedRequest) -> HttpResponse:
    org = request.user.org
    form = ContentItemForm(request.POST or None, request.FILES or None, organization=org)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            item = content_create(
                actor=request.user, title=data["title"], body=data["body"], link=data["link"],
                captions=form.captions(), tags=form.tag_list(), audience=data["audience"],
                publish_at=data["publish_at"], expires_at=data["expires_at"],
                image=data["image"],
            )
            messages.success(request, gettext("Draft saved. Send it for review when it is ready."))
            return redirect("advocacy:content-detail", item_id=item.pk)
        except DomainError as exc:
            _form_error(form, exc)
    return render(request, "advocacy/content_form.html",
                  {"form": form, "item": None, **_counter_context(org)})


@editor_required
def content_edit(request: AuthedRequest, item_id: int) -> HttpResponse:
    try:
        item = content_get_for_editor(user=request.user, item_id=item_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    initial = _item_form_initial(item)
    form = ContentItemForm(request.POST or None, request.FILES or None,
                           organization=request.user.organization, initial=initial,
                           translation_rows=_translation_rows(initial))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            content_update(
                item=item, actor=request.user, title=data["title"], body=data["body"],
                link=data["link"], captions=form.captions(), tags=form.tag_list(),
                audience=data["audience"], publish_at=data["publish_at"],
                expires_at=data["expires_at"], image=data["image"],
                remove_image=data["remove_image"],
            )
            messages.success(request, gettext("Changes saved."))
            return redirect("advocacy:content-detail", item_id=item.pk)
        except DomainError as exc:
            _form_error(form, exc)
    return render(request, "advocacy/content_form.html",
                  {"form": form, "item": item, **_counter_context(request.user.org)})


@editor_required
def content_detail(request: AuthedRequest, item_id: int) -> HttpResponse:
    """The item as employees will see it, its captions screened, its workflow and timeline."""
    try:
        item = content_get_for_editor(user=request.user, item_id=item_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    org = request.user.org
    rule = disclosure_rule(organization=org)
    policy = screening_policy(organization=org)
    captions: list[dict[str, Any]] = []
    for caption in item.captions.all():
        text, added = with_disclosure(caption.text, rule)
        result = screen_caption(organization=org, text=text, network=caption.network)
        captions.append({"caption": caption, "added": added,
                         "language_name": language_name(caption.language),
                         "check": present(text, result, policy)})
    shares = item.shares.count()
    return render(request, "advocacy/content_detail.html", {
        "item": item, "captions": captions, "transition_form": TransitionForm(),
        "can_approve": item.author_id != request.user.pk,
        "blocked": any(c["check"]["verdict"] == "block" for c in captions),
        "share_count": shares, "disclosure": rule,
    })


@editor_required
@require_POST
def content_move(request: AuthedRequest, item_id: int, to_status: str) -> HttpResponse:
    try:
        item = content_get_for_editor(user=request.user, item_id=item_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    if to_status not in ContentItem.Status.values:
        raise Http404("No such status.")
    form = TransitionForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        content_transition(item=item, actor=request.user, to_status=to_status, note=note)
        label = ContentItem.Status(to_status).label.lower()
        messages.success(
            request,
            gettext("“%(title)s” is now %(label)s.") % {"title": item.title, "label": label},
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("advocacy:content-detail", item_id=item.pk)


@editor_required
def guidance(request: AuthedRequest, card_id: int | None = None) -> HttpResponse:
    """List guidance cards and create or edit one on the same page."""
    card = None
    if card_id is not None:
        try:
            card = guidance_get(user=request.user, card_id=card_id)
        except NotFound as exc:
            raise Http404(exc.message) from exc
    initial = ({"kind": card.kind, "title": card.title, "body": card.body,
                "position": card.position, "is_active": card.is_active} if card
               else {"kind": "do", "position": 0, "is_active": True})
    form = GuidanceForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            guidance_save(actor=request.user, card=card, **form.cleaned_data)
            messages.success(request, gettext("Guidance card saved."))
            return redirect("advocacy:guidance")
        except DomainError as exc:
            _form_error(form, exc)
    return render(request, "advocacy/guidance.html", {
        "form": form, "card": card,
        "cards": guidance_list_for(user=request.user, active_only=False),
    })


@editor_required
def hub_settings(request: AuthedRequest) -> HttpResponse:
    rules = settings_for(organization=request.user.org)
    initial: dict[str, Any] = {
        "leaderboard_enabled": rules.leaderboard_enabled,
        "daily_share_limit": rules.daily_share_limit,
        "duplicate_nudge_threshold": rules.duplicate_nudge_threshold,
    }
    for network in Network:
        start, end = rules.sharing_hours.get(network, [0, 24])
        initial.update({f"enabled_{network}": network not in rules.disabled_networks,
                        f"start_{network}": start, f"end_{network}": end})
    form = SettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            settings_update(
                actor=request.user, leaderboard_enabled=data["leaderboard_enabled"],
                daily_share_limit=data["daily_share_limit"],
                duplicate_nudge_threshold=data["duplicate_nudge_threshold"],
                sharing_hours={n: (data[f"start_{n}"], data[f"end_{n}"]) for n in Network.values},
                disabled_networks=[n for n in Network.values if not data[f"enabled_{n}"]],
            )
            messages.success(request, gettext("Sharing settings saved."))
            return redirect("advocacy:settings")
        except DomainError as exc:
            if exc.field and exc.field.startswith("hours_"):
                form.add_error(f"start_{exc.field[6:]}", exc.message)
            else:
                _form_error(form, exc)
    return render(request, "advocacy/settings.html",
                  {"form": form, "tz": request.user.org.timezone})
