"""The notification center, personal preferences, and the admin pages (role defaults,
delivery log)."""

from __future__ import annotations

from datetime import time
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_POST

from chorus.common.errors import InvalidInput
from chorus.common.types import AuthedRequest
from chorus.notifications.channels import channel_label, external_parts
from chorus.notifications.kinds import DIGEST_KIND, all_kinds
from chorus.notifications.models import Delivery, DigestMode, Notification, RoleDefault
from chorus.notifications.services import (
    ROLE_ORDER,
    available_channels,
    delivery_log_for,
    notification_mark_read,
    notifications_mark_all_read,
    preference_update,
    preferences_for,
    role_default_update,
)


def _safe_link(link: str) -> str:
    # Links are paths inside Chorus; anything else (a bad caller) falls back to the list.
    if link.startswith("/") and url_has_allowed_host_and_scheme(link, allowed_hosts=None):
        return link
    return reverse("notifications:list")


@login_required
def notification_list(request: AuthedRequest) -> HttpResponse:
    """The person's notifications, newest first; `?unread=1` shows only unread ones."""
    rows = Notification.objects.filter(recipient=request.user).order_by("-created_at", "-id")
    unread_only = request.GET.get("unread") == "1"
    if unread_only:
        rows = rows.filter(read_at__isnull=True)
    page = Paginator(rows, 30).get_page(request.GET.get("page"))
    return render(request, "notifications/list.html", {"page": page, "unread_only": unread_only})


@login_required
def notification_open(request: AuthedRequest, notification_id: int) -> HttpResponse:
    """Follow a notification's link, marking it read on the way."""
    from django.http import Http404

    from chorus.common.errors import NotFound

    try:
        notification = notification_mark_read(user=request.user, notification_id=notification_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    return redirect(_safe_link(notification.link))


@login_required
@require_POST
def notification_read(request: AuthedRequest, notification_id: int) -> HttpResponse:
    from django.http import Http404

    from chorus.common.errors import NotFound

    try:
        notification = notification_mark_read(user=request.user, notification_id=notification_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    if getattr(request, "htmx", False):
        return render(request, "notifications/_item.html", {"n": notification, "oob_bell": True})
    return redirect("notifications:list")


@login_required
@require_POST
def notification_read_all(request: AuthedRequest) -> HttpResponse:
    count = notifications_mark_all_read(user=request.user)
    if getattr(request, "htmx", False):
        rows = Notification.objects.filter(recipient=request.user).order_by("-created_at", "-id")
        page = Paginator(rows, 30).get_page(1)
        return render(request, "notifications/_list.html", {"page": page, "oob_bell": True})
    messages.success(
        request,
        ngettext(
            "Marked %(count)s notification read.", "Marked %(count)s notifications read.", count
        )
        % {"count": count},
    )
    return redirect("notifications:list")


def _parse_time(value: str, field: str) -> time | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return time.fromisoformat(value)
    except ValueError:
        raise InvalidInput(gettext("Give a time like 22:00."), field=field) from None


def _kind_rows(choices: Any, channels: list[str]) -> list[dict[str, Any]]:
    rows = []
    for kind in all_kinds():
        if kind.key == DIGEST_KIND:
            continue
        chosen = set(choices.channels_for(kind))
        defaults = {c for c in kind.default_channels if c != "in_app"}
        rows.append({
            "kind": kind,
            "cells": [
                {"channel": c, "checked": c in chosen, "locked": kind.mandatory and c in defaults}
                for c in channels
            ],
        })  # fmt: skip
    return rows


@login_required
def preferences(request: AuthedRequest) -> HttpResponse:
    """Which kinds on which channels, quiet hours, digest."""
    channels = available_channels()
    error: InvalidInput | None = None
    if request.method == "POST":
        chosen = {
            kind.key: request.POST.getlist(f"ch:{kind.key}")
            for kind in all_kinds()
            if f"row:{kind.key}" in request.POST
        }
        try:
            start = _parse_time(request.POST.get("quiet_start", ""), "quiet_start")
            end = _parse_time(request.POST.get("quiet_end", ""), "quiet_end")
            for key in list(chosen):  # locked (mandatory) boxes are disabled: keep them on
                kind = next(k for k in all_kinds() if k.key == key)
                if kind.mandatory:
                    chosen[key] = list(dict.fromkeys(
                        [c for c in kind.default_channels if c != "in_app"] + chosen[key]
                    ))  # fmt: skip
            preference_update(
                user=request.user, channels=chosen, quiet_start=start, quiet_end=end,
                clear_quiet_hours=start is None and end is None,
                digest=request.POST.get("digest", DigestMode.OFF),
            )  # fmt: skip
        except InvalidInput as exc:
            error = exc
        else:
            messages.success(request, gettext("Your notification settings are saved."))
            return redirect("notifications:preferences")
    choices = preferences_for(user=request.user)
    return render(
        request,
        "notifications/preferences.html",
        {
            "channels": [{"name": c, "label": channel_label(c)} for c in channels],
            "rows": _kind_rows(choices, channels),
            "choices": choices,
            "digest_modes": DigestMode.choices,
            "error": error,
            "zone": request.user.timezone or request.user.org.timezone or "UTC",
            "push_key": _push_key(),
        },
        status=422 if error else 200,
    )


def _push_key() -> str:
    from chorus.notifications.push import vapid_public_key

    return vapid_public_key() or ""


def _require_admin(request: AuthedRequest) -> None:
    if not request.user.has_role("admin"):
        raise PermissionDenied


@login_required
def role_defaults(request: AuthedRequest) -> HttpResponse:
    """Admin: the organization's default channels per kind for each role."""
    _require_admin(request)
    channels = available_channels()
    role = request.GET.get("role") or request.POST.get("role") or "employee"
    if role not in ROLE_ORDER:
        role = "employee"
    error: InvalidInput | None = None
    if request.method == "POST":
        chosen = {
            kind.key: request.POST.getlist(f"ch:{kind.key}")
            for kind in all_kinds()
            if f"row:{kind.key}" in request.POST
        }
        try:
            role_default_update(actor=request.user, role=role, channels=chosen,
                                digest=request.POST.get("digest", DigestMode.OFF))  # fmt: skip
        except InvalidInput as exc:
            error = exc
        else:
            messages.success(request, gettext("Defaults for %(role)s saved.") % {"role": role})
            return redirect(f"{reverse('notifications:defaults')}?role={role}")
    default = RoleDefault.objects.filter(organization_id=request.user.org_id, role=role).first()
    from chorus.notifications.services import Choices

    choices = Choices({}, dict(default.channels) if default else {}, None, None,
                      default.digest if default else DigestMode.OFF)  # fmt: skip
    return render(
        request,
        "notifications/defaults.html",
        {
            "channels": [{"name": c, "label": channel_label(c)} for c in channels],
            "rows": _kind_rows(choices, channels),
            "role": role,
            "roles": ROLE_ORDER,
            "digest": choices.digest,
            "digest_modes": DigestMode.choices,
            "error": error,
        },
        status=422 if error else 200,
    )


@login_required
def delivery_log(request: AuthedRequest) -> HttpResponse:
    """Admin: every delivery of the organization with its attempts and outcome."""
    _require_admin(request)
    status = request.GET.get("status", "")
    if status not in Delivery.Status.values:
        status = ""
    channel = request.GET.get("channel", "")
    rows = delivery_log_for(user=request.user, status=status, channel=channel)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    shown = list(page.object_list)
    badges = {"sent": "ok", "failed": "error", "retrying": "warn", "pending": "pending",
              "held": "info", "digested": "ok", "skipped": "closed"}  # fmt: skip
    for row in shown:
        row.shown_title = external_parts(row)[0]  # never a sensitive kind's real title
        row.badge = badges.get(row.status, "info")
    return render(
        request,
        "notifications/deliveries.html",
        {
            "page": page, "rows": shown, "status": status, "channel": channel,
            "statuses": Delivery.Status.choices, "channels": available_channels(),
        },
    )  # fmt: skip
