"""Per-request settings that follow the signed-in user."""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone


def zone_for(user: object = None, *, organization: object = None) -> zoneinfo.ZoneInfo:
    """The zone dates are shown in for `user`: theirs, else their organization's (or
    `organization`'s, for someone with no account yet), else UTC.

    An unknown zone name (a typo in the database) falls back instead of failing the page.
    """
    org = getattr(user, "organization", None) if getattr(user, "is_authenticated", False) else None
    org = org or organization
    for name in (getattr(user, "timezone", "") or "", getattr(org, "timezone", "") or ""):
        if name:
            try:
                return zoneinfo.ZoneInfo(name)
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                continue
    return zoneinfo.ZoneInfo("UTC")


# Load balancers and Prometheus poll these often: no middleware may read the session or the
# database for them (healthz means "the process is up"; readyz and metrics check on their own).
PROBE_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})


class TimezoneMiddleware:
    """Activate the viewer's time zone so every template date is in their local time."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = None if request.path in PROBE_PATHS else getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            timezone.activate(zone_for(user))
        else:
            timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


class NotFoundPageMiddleware:
    """Mistyped URLs get the product's 404 page even with DEBUG on.

    Without DEBUG Django already renders templates/404.html. With DEBUG it shows its technical
    page listing every URL pattern, which is what a newcomer sees after a typo in the demo. A
    404 raised *by a view* (Http404, NotFound) keeps Django's debug page in development, since
    that page explains which lookup failed. Placed below CommonMiddleware (so "add a slash"
    redirects still happen) and below CSPMiddleware (so the page gets our CSP).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            settings.DEBUG
            and response.status_code == 404
            and getattr(request, "resolver_match", None) is None
        ):
            return render(request, "404.html", status=404)
        return response


LANGUAGE_SESSION_KEY = "chorus_language"


def supported_language(code: str | None) -> str | None:
    """`code` mapped to one of settings.LANGUAGES ("de-DE" -> "de", "pt_BR" -> "pt-br"), or None."""
    if not code:
        return None
    code = code.strip().replace("_", "-").lower()
    known = {c for c, _ in settings.LANGUAGES}
    if code in known:
        return code
    base = code.split("-")[0]
    if base in known:
        return base
    return next((c for c in known if c.split("-")[0] == base), None)


def language_for(request: HttpRequest) -> str:
    """The interface language: the person's own choice (profile, which SSO fills from the
    IdP's locale claim), else the one picked in the switcher while signed out, else the
    browser's Accept-Language, else the organization's default, else English."""
    from django.utils.translation import trans_real

    user = None if request.path in PROBE_PATHS else getattr(request, "user", None)
    signed_in = user is not None and user.is_authenticated
    if signed_in:
        chosen = supported_language(getattr(user, "language", ""))
        if chosen:
            return chosen
    session = getattr(request, "session", None)
    picked = supported_language(session.get(LANGUAGE_SESSION_KEY) if session else None)
    picked = picked or supported_language(request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME))
    if picked:
        return picked
    accept = request.META.get("HTTP_ACCEPT_LANGUAGE", "")
    for code, _q in trans_real.parse_accept_lang_header(accept):
        found = supported_language(code) if code != "*" else None
        if found:
            return found
    org = getattr(user, "organization", None) if signed_in else None
    return supported_language(getattr(org, "language", "")) or settings.LANGUAGE_CODE


_MACHINE_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})


class LanguageMiddleware:
    """Activate the viewer's language (see language_for); URLs stay unprefixed.

    Replaces Django's LocaleMiddleware, which knows nothing of profiles or organizations.
    Sits after AuthenticationMiddleware so it can read the person's choice.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from django.conf import settings
        from django.utils import translation

        # Probes and scrapers read no language: answering them must not load a session or a
        # user (the access log and /healthz promise zero queries).
        if request.path in _MACHINE_PATHS:
            language = settings.LANGUAGE_CODE
        else:
            language = language_for(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language  # type: ignore[attr-defined]
        try:
            response = self.get_response(request)
        finally:
            translation.deactivate()
        response.headers.setdefault("Content-Language", language)
        vary = response.headers.get("Vary", "")
        if "accept-language" not in vary.lower():
            response.headers["Vary"] = f"{vary}, Accept-Language" if vary else "Accept-Language"
        return response
