"""Posture pages: quiet period calendar, the crisis switch (two steps) and the crisis queue."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from chorus.common.errors import DomainError, NotFound, PermissionDenied
from chorus.people.models import User
from chorus.posture import services
from chorus.posture.forms import ConfirmForm, CrisisForm, QuietPeriodForm
from chorus.posture.models import CrisisChange


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _guard(view):  # type: ignore[no-untyped-def]
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(exc.message) from exc
        except PermissionDenied as exc:
            return HttpResponseForbidden(render(request, "posture/forbidden.html",
                                                {"message": exc.message}).content)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return login_required(wrapped)


def _people(user: User) -> list[tuple[int, str]]:
    return [(u.pk, u.full_name or u.email) for u in
            User.objects.filter(organization=user.organization, is_active=True).order_by("email")]


def _render_index(request: HttpRequest, *, quiet_form: QuietPeriodForm | None = None,
                  crisis_form: CrisisForm | None = None, confirm_form: ConfirmForm | None = None,
                  status: int = 200) -> HttpResponse:
    user = _user(request)
    if not services.can_manage(user):
        raise PermissionDenied(
            gettext(
                "Quiet periods and crisis mode are managed by Communications, "
                "Legal and administrators."
            )
        )
    crisis = services.crisis_for(organization=user.organization)
    initial = {"topic": crisis.topic, "terms": "\n".join(crisis.terms),
               "holding_statement": crisis.holding_statement, "contact": crisis.contact,
               "sla_hours": crisis.sla_hours,
               "response_team": [str(pk) for pk in crisis.response_team.values_list(
                   "pk", flat=True)]}
    now = timezone.now()
    return render(request, "posture/index.html", {
        "crisis": crisis,
        "pending": crisis.requested_at is not None and not crisis.is_active,
        "can_switch": services.can_switch_crisis(user),
        "crisis_form": crisis_form or CrisisForm(initial=initial, people=_people(user)),
        "confirm_form": confirm_form or ConfirmForm(),
        "quiet_form": quiet_form or QuietPeriodForm(),
        "periods": [(p, p.starts_at <= now < p.ends_at)
                    for p in services.quiet_periods_for(
                        organization=user.organization)],  # type: ignore[arg-type]
        "changes": CrisisChange.objects.filter(crisis=crisis).select_related("actor")[:20],
    }, status=status)


@_guard
def index(request: HttpRequest) -> HttpResponse:
    return _render_index(request)


@_guard
@require_POST
def quiet_new(request: HttpRequest) -> HttpResponse:
    form = QuietPeriodForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.quiet_period_create(
                organization=_user(request).organization,  # type: ignore[arg-type]
                actor=_user(request), name=data["name"], kind=data["kind"],
                reason=data["reason"], starts_at=data["starts_at"], ends_at=data["ends_at"],
                terms=data["terms"], severity=data["severity"])
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(
                request, gettext("Quiet period “%(data)s” saved.") % {"data": data["name"]}
            )
            return redirect("posture:index")
    return _render_index(request, quiet_form=form, status=422)


@_guard
@require_POST
def quiet_cancel(request: HttpRequest, period_id: int) -> HttpResponse:
    period = services.quiet_period_get(user=_user(request), period_id=period_id)
    services.quiet_period_cancel(period=period, actor=_user(request))
    messages.success(request, gettext("Quiet period “%(name)s” cancelled.") % {"name": period.name})
    return redirect("posture:index")


@_guard
@require_POST
def crisis_prepare(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = CrisisForm(request.POST, people=_people(user))
    if form.is_valid():
        data = form.cleaned_data
        team = list(User.objects.filter(organization=user.organization,
                                        pk__in=[int(i) for i in data["response_team"]]))
        try:
            services.crisis_request(
                organization=user.organization, actor=user,  # type: ignore[arg-type]
                topic=data["topic"], terms=data["terms"],
                holding_statement=data["holding_statement"], contact=data["contact"],
                sla_hours=data["sla_hours"], response_team=team)
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            return redirect("posture:index")
    return _render_index(request, crisis_form=form, status=422)


@_guard
@require_POST
def crisis_confirm(request: HttpRequest) -> HttpResponse:
    form = ConfirmForm(request.POST)
    if form.is_valid():
        try:
            crisis = services.crisis_confirm(organization=_user(request).organization,  # type: ignore[arg-type]
                                             actor=_user(request), code=form.cleaned_data["code"])
        except DomainError as exc:
            form.add_error("code", exc.message)
        else:
            messages.success(
                request,
                gettext("Crisis mode is on for “%(topic)s”. The response team has been told.")
                % {"topic": crisis.topic},
            )
            return redirect("posture:index")
    return _render_index(request, confirm_form=form, status=422)


@_guard
@require_POST
def crisis_cancel(request: HttpRequest) -> HttpResponse:
    services.crisis_cancel_request(organization=_user(request).organization,  # type: ignore[arg-type]
                                   actor=_user(request))
    messages.info(request, gettext("Crisis mode was not turned on."))
    return redirect("posture:index")


@_guard
@require_POST
def crisis_off(request: HttpRequest) -> HttpResponse:
    try:
        services.crisis_off(organization=_user(request).organization,  # type: ignore[arg-type]
                            actor=_user(request), note=request.POST.get("note", ""))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            gettext("Crisis mode is off. Sharing and scheduled content are back as they were."),
        )
    return redirect("posture:index")


@_guard
def crisis_queue(request: HttpRequest) -> HttpResponse:
    reports = services.crisis_queue(user=_user(request))
    crisis = services.crisis_for(organization=_user(request).organization)
    return render(request, "posture/queue.html", {"reports": reports, "crisis": crisis,
                                                  "now": timezone.now()})
