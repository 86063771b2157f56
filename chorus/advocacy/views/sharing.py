"""The employee side: the feed, the share flow with live screening, my shares and
preferences, the leaderboard and content images."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from chorus.advocacy import analytics, networks
from chorus.advocacy.forms import ProfileForm, ShareForm
from chorus.advocacy.models import ContentItem, Share
from chorus.advocacy.networks import SPECS, Network
from chorus.advocacy.screening import disclosure_rule, screen_caption, with_disclosure
from chorus.advocacy.selectors import (
    content_image_item,
    feed_for,
    feed_item_get,
    guidance_list_for,
    share_list_for,
)
from chorus.advocacy.services import (
    CODE_LENGTH,
    colleagues_with_same_text,
    linked_mastodon_server,
    normalized_hash,
    profile_for,
    profile_update,
    settings_for,
    share_confirm,
    share_create,
    share_refusal,
)
from chorus.advocacy.services.content import (
    captions_in_reading_order,
    language_name,
    reader_language,
)
from chorus.advocacy.services.shares import crisis_in_force, quiet_periods_now
from chorus.advocacy.views.base import _form_error
from chorus.checks.presentation import present
from chorus.checks.services import screening_policy
from chorus.common.errors import DomainError, NotFound
from chorus.common.types import AuthedRequest

FEED_PAGE = 20  # items per page of the employee feed (a large hub has thousands live)


@login_required
def feed(request: AuthedRequest) -> HttpResponse:
    """Approved, current content for this person, with communications' guidance."""
    user = request.user
    crisis = crisis_in_force(organization=user.org)
    q = " ".join(request.GET.get("q", "").split())[:100]
    topic = request.GET.get("topic", "")
    # Only (id, tags) of every live item leave the database (topics and the exact topic
    # filter need them); the cards are loaded for one page of FEED_PAGE items.
    every = list(feed_for(user=user, crisis=crisis).values_list("pk", "tags"))
    topics = sorted({str(t) for _pk, tags in every for t in (tags or [])}, key=str.casefold)
    matching = every
    if q:
        found = set(feed_for(user=user, crisis=crisis).filter(
            Q(title__icontains=q) | Q(body__icontains=q) | Q(preview_title__icontains=q)
        ).values_list("pk", flat=True))
        matching = [row for row in matching if row[0] in found]
    if topic:
        matching = [row for row in matching if topic in (row[1] or [])]
    page = Paginator([pk for pk, _tags in matching], FEED_PAGE).get_page(request.GET.get("page"))
    by_id = {i.pk: i for i in feed_for(user=user, crisis=crisis)
             .filter(pk__in=list(page.object_list))}
    items = [by_id[pk] for pk in page.object_list if pk in by_id]
    shared: dict[int, bool] = {}  # item -> True once any of its shares is confirmed
    for item_id, confirmed in Share.objects.filter(user=user, item__in=[i.pk for i in items]) \
            .values_list("item_id", "confirmed_at"):
        shared[item_id] = shared.get(item_id, False) or confirmed is not None
    cards = list(guidance_list_for(user=user))
    rules = settings_for(organization=user.org)
    return render(request, "advocacy/feed.html", {
        "items": [(i, shared.get(i.pk)) for i in items], "total": len(every),
        "matching": len(matching), "page": page,
        "topics": topics, "q": q, "topic": topic,
        "do_cards": [c for c in cards if c.kind == "do"],
        "dont_cards": [c for c in cards if c.kind == "dont"],
        "paused": user.person is not None and user.person.advocacy_paused_at is not None,
        "crisis": crisis,
        "quiet": quiet_periods_now(organization=user.org),
        "no_person": user.person is None,
        "leaderboard_enabled": rules.leaderboard_enabled,
    })


def _share_context(request: AuthedRequest, item: ContentItem, network: str,
                   form: ShareForm | None = None) -> dict[str, Any]:
    user = request.user
    # The active language (LocaleMiddleware) or, without it, what the browser asks for.
    active = getattr(request, "LANGUAGE_CODE", "") or translation.get_language_from_request(request)
    reading = reader_language(user, active)
    captions = captions_in_reading_order(
        [c for c in item.captions.all() if c.network == network], reading)
    for c in captions:
        c.language_name = language_name(c.language)  # type: ignore[attr-defined]
    rules = settings_for(organization=user.org)
    caption_id = request.GET.get("caption")
    chosen = next((c for c in captions if str(c.pk) == caption_id),
                  captions[0] if captions else None)
    profile = profile_for(user=user)
    existing = (Share.objects.filter(item=item, network=network, user=user)
                .order_by("-created_at").first())
    if form is None:
        form = ShareForm(initial={
            "network": network, "caption": chosen.pk if chosen else None,
            "text": chosen.text if chosen else f"{item.title}",
            "mastodon_instance": profile.mastodon_instance or linked_mastodon_server(user=user),
        })
    text = form["text"].value() or ""
    tabs = [{"network": n, "label": n.label, "active": n == network,
             "count": sum(1 for c in item.captions.all() if c.network == n)}
            for n in Network if n not in rules.disabled_networks]
    return {
        "item": item, "network": network, "network_label": Network(network).label,
        "spec": SPECS[network], "tabs": tabs, "captions": captions, "chosen": chosen,
        "reading_language": reading,
        "form": form,
        "refusal": share_refusal(user=user, network=network, rules=rules, again=existing
                                 is not None),
        "existing": existing,
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
        "unit": SPECS[network].unit_label,
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
        raise Http404(exc.message) from exc
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
        raise Http404(exc.message) from exc
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
        "can_see": _has_proven_account(request.user, share_obj.network),
    })


def _has_proven_account(user: Any, network: str) -> bool:
    from chorus.monitoring.models import LinkedAccount

    return user.person is not None and LinkedAccount.objects.filter(
        person=user.person, network=network, verified_at__isnull=False).exclude(
        status=LinkedAccount.Status.REVOKED).exists()


@login_required
@require_POST
def share_confirm_view(request: AuthedRequest, share_id: int) -> HttpResponse:
    """The person says they posted it: from now on it counts."""
    share_obj = share_list_for(user=request.user).filter(pk=share_id).first()
    if share_obj is None:
        raise Http404("No such share.")
    try:
        share_confirm(user=request.user, share=share_obj,
                      post_url=request.POST.get("post_url", ""))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, gettext("Thank you: your post is counted."))
    return redirect("advocacy:share-ready", share_id=share_obj.pk)


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
            messages.success(request, gettext("Your sharing preferences are saved."))
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
def content_preview_image(request: AuthedRequest, item_id: int) -> HttpResponseBase:
    """The cached link-preview image of an item in this person's feed (or any, for editors)."""
    try:
        item = content_image_item(user=request.user, item_id=item_id, preview=True)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    response = FileResponse(item.preview_image.open("rb"), content_type=item.preview_image_mime)
    response["Cache-Control"] = "private, max-age=86400"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def content_image(request: AuthedRequest, item_id: int) -> HttpResponseBase:
    """An item's image, for people who may see the item (never served from MEDIA_URL)."""
    try:
        item = content_image_item(user=request.user, item_id=item_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    response = FileResponse(item.image.open("rb"), content_type=item.image_mime)
    response["Cache-Control"] = "private, max-age=3600"
    return response
