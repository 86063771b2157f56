"""Pages of the content hub: the employee feed and share flow, and the communications hub
(content workflow, guidance, settings, analytics, program health)."""

from __future__ import annotations

import csv
import datetime
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from chorus.advocacy import analytics, networks
from chorus.advocacy.forms import (
    ContentItemForm,
    GuidanceForm,
    ProfileForm,
    SettingsForm,
    ShareForm,
    TransitionForm,
    caption_field_name,
    join_variants,
)
from chorus.advocacy.models import ContentItem, Share
from chorus.advocacy.networks import SPECS, Network
from chorus.advocacy.screening import disclosure_rule, screen_caption, with_disclosure
from chorus.advocacy.selectors import (
    content_get_for_editor,
    content_image_item,
    content_list_for,
    feed_for,
    feed_item_get,
    guidance_get,
    guidance_list_for,
    share_list_for,
)
from chorus.advocacy.services import (
    CODE_LENGTH,
    colleagues_with_same_text,
    content_create,
    content_transition,
    content_update,
    guidance_save,
    is_editor,
    normalized_hash,
    profile_for,
    profile_update,
    settings_for,
    settings_update,
    share_create,
    share_refusal,
)
from chorus.checks.presentation import present
from chorus.checks.services import screening_policy
from chorus.common.errors import DomainError, NotFound
from chorus.common.types import AuthedRequest


def editor_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @login_required
    @wraps(view)
    def wrapped(request: AuthedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not is_editor(request.user):
            raise DjangoPermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def _not_found(exc: NotFound) -> Http404:
    return Http404(exc.message)


def _form_error(form: Any, exc: DomainError) -> None:
    """Show a service's error on the field it names, or above the form when that field is
    not a visible input."""
    field = exc.field if exc.field in form.fields else None
    if field and form.fields[field].widget.is_hidden:
        field = None
    form.add_error(field, exc.message)


# --------------------------------------------------------------------------- employee side


@login_required
def feed(request: AuthedRequest) -> HttpResponse:
    """Approved, current content for this person, with communications' guidance."""
    user = request.user
    items = list(feed_for(user=user).prefetch_related("audience"))
    cards = list(guidance_list_for(user=user))
    rules = settings_for(organization=user.org)
    return render(request, "advocacy/feed.html", {
        "items": items,
        "do_cards": [c for c in cards if c.kind == "do"],
        "dont_cards": [c for c in cards if c.kind == "dont"],
        "paused": user.person is not None and user.person.advocacy_paused_at is not None,
        "no_person": user.person is None,
        "leaderboard_enabled": rules.leaderboard_enabled,
    })


def _share_context(request: AuthedRequest, item: ContentItem, network: str,
                   form: ShareForm | None = None) -> dict[str, Any]:
    user = request.user
    captions = [c for c in item.captions.all() if c.network == network]
    rules = settings_for(organization=user.org)
    caption_id = request.GET.get("caption")
    chosen = next((c for c in captions if str(c.pk) == caption_id),
                  captions[0] if captions else None)
    profile = profile_for(user=user)
    if form is None:
        form = ShareForm(initial={
            "network": network, "caption": chosen.pk if chosen else None,
            "text": chosen.text if chosen else f"{item.title}",
            "mastodon_instance": profile.mastodon_instance,
        })
    text = form["text"].value() or ""
    tabs = [{"network": n, "label": n.label, "active": n == network,
             "count": sum(1 for c in item.captions.all() if c.network == n)}
            for n in Network if n not in rules.disabled_networks]
    return {
        "item": item, "network": network, "network_label": Network(network).label,
        "spec": SPECS[network], "tabs": tabs, "captions": captions, "chosen": chosen,
        "form": form, "refusal": share_refusal(user=user, network=network, rules=rules),
        "disclosure": disclosure_rule(organization=user.organization),
        "check": _check_context(request, item, network, text,
                                chosen.text if chosen else ""),
        "text_in_intent": SPECS[network].text_in_intent,
    }


def _check_context(request: AuthedRequest, item: ContentItem, network: str, text: str,
                   suggestion: str) -> dict[str, Any]:
    """Everything the live panel shows: the post as it will go out, screening, length and
    the authenticity nudges."""
    user = request.user
    rule = disclosure_rule(organization=user.organization)
    final, added = with_disclosure(text, rule)
    if not text.strip():
        return {"empty": True}
    link = f"https://chorus.example/l/{'x' * CODE_LENGTH}"
    composed = networks.compose(network, final, link) if SPECS[network].text_in_intent else final
    result = screen_caption(organization=user.organization, text=final, network=network,
                            author=user)
    rules = settings_for(organization=user.org)
    same = colleagues_with_same_text(item=item, text=final, user=user)
    return {
        "empty": False,
        "result": present(final, result, screening_policy(organization=user.organization)),
        "added": added, "hashtag": rule.hashtag,
        "length": networks.measure(network, composed), "limit": SPECS[network].limit,
        "unit": SPECS[network].unit,
        "too_long": networks.length_problem(network, final, link),
        "same_count": same, "nudge_same": same >= rules.duplicate_nudge_threshold,
        "unchanged": bool(suggestion) and normalized_hash(text) == normalized_hash(suggestion),
    }


@login_required
def share(request: AuthedRequest, item_id: int) -> HttpResponse:
    """Pick a network and a caption variant, edit it with live screening, and share."""
    try:
        item = feed_item_get(user=request.user, item_id=item_id)
    except NotFound as exc:
        raise _not_found(exc) from exc
    network = request.POST.get("network") or request.GET.get("network") or ""
    rules = settings_for(organization=request.user.org)
    offered = [n for n in Network.values if n not in rules.disabled_networks]
    if network not in offered:
        with_captions = [c.network for c in item.captions.all() if c.network in offered]
        network = with_captions[0] if with_captions else offered[0]
    form = None
    if request.method == "POST":
        form = ShareForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            caption = next((c for c in item.captions.all() if c.pk == data["caption"]), None)
            try:
                created = share_create(
                    user=request.user, item=item, network=data["network"], text=data["text"],
                    caption=caption, mastodon_instance=data["mastodon_instance"],
                )
                return redirect("advocacy:share-ready", share_id=created.pk)
            except DomainError as exc:
                _form_error(form, exc)
    return render(request, "advocacy/share.html", _share_context(request, item, network, form))


@login_required
@require_POST
def share_check(request: AuthedRequest, item_id: int) -> HttpResponse:
    """HTMX: the live panel for the caption being typed. Nothing is stored."""
    try:
        item = feed_item_get(user=request.user, item_id=item_id)
    except NotFound as exc:
        raise _not_found(exc) from exc
    network = request.POST.get("network", "")
    if network not in Network.values:
        return HttpResponse("Choose a network.", status=422)
    text = request.POST.get("text", "")[:5000]
    suggestion = next((c.text for c in item.captions.all()
                       if str(c.pk) == request.POST.get("caption")), "")
    return render(request, "advocacy/_share_check.html",
                  {"check": _check_context(request, item, network, text, suggestion)})


@login_required
def share_ready(request: AuthedRequest, share_id: int) -> HttpResponse:
    """After sharing: the button that opens the network's composer, and the text to paste."""
    share_obj = share_list_for(user=request.user).filter(pk=share_id).first()
    if share_obj is None:
        raise Http404("No such share.")
    return render(request, "advocacy/share_ready.html", {
        "share": share_obj, "short_link": _short(share_obj),
        "text_in_intent": SPECS[share_obj.network].text_in_intent,
    })


def _short(share_obj: Share) -> str:
    from chorus.advocacy.services import short_link

    return short_link(share_obj.code)


@login_required
def me(request: AuthedRequest) -> HttpResponse:
    """My preferences (Mastodon server, opt-outs), my points and my shares with their clicks."""
    profile = profile_for(user=request.user)
    form = ProfileForm(request.POST or None, initial={
        "mastodon_instance": profile.mastodon_instance,
        "leaderboard_opt_out": profile.leaderboard_opt_out,
        "digest_opt_out": profile.digest_opt_out,
    })
    if request.method == "POST" and form.is_valid():
        try:
            profile_update(user=request.user, **form.cleaned_data)
            messages.success(request, "Your sharing preferences are saved.")
            return redirect("advocacy:me")
        except DomainError as exc:
            _form_error(form, exc)
    rules = settings_for(organization=request.user.org)
    page = Paginator(share_list_for(user=request.user), 25).get_page(request.GET.get("page"))
    points = None
    if rules.leaderboard_enabled and not profile.leaderboard_opt_out:
        points = analytics.points_for(user=request.user, period=analytics.period_ending_today(30))
    return render(request, "advocacy/me.html",
                  {"form": form, "page": page, "points": points, "rules": rules})


@login_required
def leaderboard(request: AuthedRequest) -> HttpResponse:
    rules = settings_for(organization=request.user.org)
    if not rules.leaderboard_enabled:
        raise Http404("The leaderboard is switched off in your organization.")
    profile = profile_for(user=request.user)
    rows = analytics.leaderboard_for(organization=request.user.org,
                                     period=analytics.period_ending_today(30), me=request.user)
    return render(request, "advocacy/leaderboard.html",
                  {"rows": rows, "opted_out": profile.leaderboard_opt_out})


@login_required
def content_image(request: AuthedRequest, item_id: int) -> HttpResponseBase:
    """An item's image, for people who may see the item (never served from MEDIA_URL)."""
    try:
        item = content_image_item(user=request.user, item_id=item_id)
    except NotFound as exc:
        raise _not_found(exc) from exc
    response = FileResponse(item.image.open("rb"), content_type=item.image_mime)
    response["Cache-Control"] = "private, max-age=3600"
    return response


# --------------------------------------------------------------------------- communications hub


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
            [c.text for c in item.captions.all() if c.network == network])
    return initial


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
            messages.success(request, "Draft saved. Send it for review when it is ready.")
            return redirect("advocacy:content-detail", item_id=item.pk)
        except DomainError as exc:
            _form_error(form, exc)
    return render(request, "advocacy/content_form.html", {"form": form, "item": None})


@editor_required
def content_edit(request: AuthedRequest, item_id: int) -> HttpResponse:
    try:
        item = content_get_for_editor(user=request.user, item_id=item_id)
    except NotFound as exc:
        raise _not_found(exc) from exc
    form = ContentItemForm(request.POST or None, request.FILES or None,
                           organization=request.user.organization,
                           initial=_item_form_initial(item))
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
            messages.success(request, "Changes saved.")
            return redirect("advocacy:content-detail", item_id=item.pk)
        except DomainError as exc:
            _form_error(form, exc)
    return render(request, "advocacy/content_form.html", {"form": form, "item": item})


@editor_required
def content_detail(request: AuthedRequest, item_id: int) -> HttpResponse:
    """The item as employees will see it, its captions screened, its workflow and timeline."""
    try:
        item = content_get_for_editor(user=request.user, item_id=item_id)
    except NotFound as exc:
        raise _not_found(exc) from exc
    org = request.user.org
    rule = disclosure_rule(organization=org)
    policy = screening_policy(organization=org)
    captions: list[dict[str, Any]] = []
    for caption in item.captions.all():
        text, added = with_disclosure(caption.text, rule)
        result = screen_caption(organization=org, text=text, network=caption.network)
        captions.append({"caption": caption, "added": added,
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
        raise _not_found(exc) from exc
    if to_status not in ContentItem.Status.values:
        raise Http404("No such status.")
    form = TransitionForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        content_transition(item=item, actor=request.user, to_status=to_status, note=note)
        label = ContentItem.Status(to_status).label.lower()
        messages.success(request, f"“{item.title}” is now {label}.")
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
            raise _not_found(exc) from exc
    initial = ({"kind": card.kind, "title": card.title, "body": card.body,
                "position": card.position, "is_active": card.is_active} if card
               else {"kind": "do", "position": 0, "is_active": True})
    form = GuidanceForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            guidance_save(actor=request.user, card=card, **form.cleaned_data)
            messages.success(request, "Guidance card saved.")
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
            messages.success(request, "Sharing settings saved.")
            return redirect("advocacy:settings")
        except DomainError as exc:
            if exc.field and exc.field.startswith("hours_"):
                form.add_error(f"start_{exc.field[6:]}", exc.message)
            else:
                _form_error(form, exc)
    return render(request, "advocacy/settings.html",
                  {"form": form, "tz": request.user.org.timezone})


PERIODS = {"7": 7, "30": 30, "90": 90, "365": 365}


def _period(request: AuthedRequest) -> tuple[str, analytics.Period]:
    key = request.GET.get("days", "30")
    if key not in PERIODS:
        key = "30"
    return key, analytics.period_ending_today(PERIODS[key])


@editor_required
def analytics_page(request: AuthedRequest) -> HttpResponse:
    key, period = _period(request)
    org = request.user.org
    data = analytics.analytics_for(organization=org, period=period)
    rules = settings_for(organization=org)
    charts = {
        "time": {"type": "line", "labels": [d["day"].strftime("%d %b") for d in data.by_day],
                 "datasets": [{"label": "Shares", "data": [d["shares"] for d in data.by_day]},
                              {"label": "Clicks", "data": [d["clicks"] for d in data.by_day]}]},
        "network": _bar(data.by_network),
        "department": _bar(data.by_department),
        "content": _bar(data.by_content[:10]),
    }
    leaders = (analytics.leaderboard_for(organization=org, period=period)
               if rules.leaderboard_enabled else None)
    return render(request, "advocacy/analytics.html", {
        "data": data, "days": key, "periods": PERIODS, "charts": charts, "leaders": leaders,
    })


def _bar(rows: list[analytics.Breakdown]) -> dict[str, Any]:
    return {"type": "bar", "labels": [r.label for r in rows],
            "datasets": [{"label": "Shares", "data": [r.shares for r in rows]},
                         {"label": "Clicks", "data": [r.clicks for r in rows]}]}


@editor_required
def analytics_csv(request: AuthedRequest) -> HttpResponse:
    _key, period = _period(request)
    rows = analytics.analytics_csv_rows(organization=request.user.org, period=period)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="advocacy-{period.start}-{period.end}.csv"')
    writer = csv.writer(response)
    for row in rows:
        # A cell starting with = + - @ would run as a formula in a spreadsheet.
        writer.writerow([f"'{v}" if isinstance(v, str) and v[:1] in "=+-@" else v for v in row])
    return response


@editor_required
def health(request: AuthedRequest) -> HttpResponse:
    data = analytics.health_for(organization=request.user.org)
    chart = {"type": "line", "labels": [m["month"].strftime("%b %Y") for m in data.monthly],
             "datasets": [{"label": "Active advocates (% of invited)",
                           "data": [m["pct"] for m in data.monthly]}]}
    return render(request, "advocacy/health.html", {"h": data, "chart": chart,
                                                     "today": datetime.date.today()})
