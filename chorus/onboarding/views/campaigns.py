"""The completion dashboard, attestation campaigns and what HR does with an assignment
(reminders, personal links)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from chorus.common.errors import DomainError, NotFound
from chorus.common.forms import add_domain_error
from chorus.common.types import AuthedRequest
from chorus.onboarding import selectors, services
from chorus.onboarding.forms import CampaignForm
from chorus.onboarding.models import STATUS_LABELS, Assignment, Stage
from chorus.onboarding.views.base import _hr_only
from chorus.people.models import Department, Person
from chorus.people.roles import Role

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
        "by_department": selectors.completion_by(
            assignments, "person__department", "person__department__name", missing="No department"
        ),
        # One page of managers (a large organization has thousands): the pager links below
        # the table use `page`.
        "page": selectors.completion_by_page(
            assignments, "person__manager", "person__manager__full_name", missing="No manager",
            page=request.GET.get("page"), per_page=25,
        ),
        "overdue": [(a, a.display_status(now)) for a in overdue],
        "pipeline": selectors.onboarding_pipeline(user=user),
        "hr": selectors.is_hr(user),
        "labels": STATUS_LABELS,
    })

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
            started = services.campaign_start(
                organization=org, actor=request.user, name=d["name"],
                version_id=int(d["version"]), audience=d["audience"],
                department=d["department"], due_days=d["due_days"])
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            campaign = started.campaign
            messages.success(request, f"Campaign “{campaign.name}” started. "
                             f"{started.summary()}.")
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
        raise Http404(exc.message) from None
    if request.method == "POST":
        _hr_only(request)
        services.campaign_close(campaign=campaign, actor=user)
        messages.success(request, "Campaign closed. Its records stay.")
        return redirect("onboarding:campaign", campaign_id=campaign.pk)
    now = timezone.now()
    filters = _campaign_filters(request)
    rows = selectors.campaign_assignments_for(user=user, campaign=campaign, **filters)
    page = Paginator(rows, CAMPAIGN_PAGE_SIZE).get_page(request.GET.get("page"))
    everyone = selectors.campaign_assignments_for(user=user, campaign=campaign)
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "onboarding/campaign.html", {
        "campaign": campaign, "page": page, "filters": filters, "query": query.urlencode(),
        "rows": [(a, a.display_status(now)) for a in page], "labels": STATUS_LABELS,
        "hr": selectors.is_hr(user),
        "pending_count": everyone.filter(status=Assignment.Status.PENDING).count(),
        "departments": Department.objects.filter(
            pk__in=everyone.values("person__department")).order_by("name"),
        "managers": Person.objects.filter(
            pk__in=everyone.values("person__manager")).order_by("full_name"),
        "statuses": [("pending", "Pending"), ("overdue", "Overdue"), ("done", "Done"),
                     ("superseded", "Moved to a newer version")],
        "percent": round(100 * campaign.done / campaign.total) if campaign.total else 0,
    })


CAMPAIGN_PAGE_SIZE = 50


def _campaign_filters(request: AuthedRequest) -> dict[str, Any]:
    def number(name: str) -> int | None:
        value = request.GET.get(name, "")
        return int(value) if value.isdigit() else None

    return {"status": request.GET.get("status", ""), "department_id": number("department"),
            "manager_id": number("manager"), "q": " ".join(request.GET.get("q", "").split())}


@login_required
def campaign_remind(request: AuthedRequest, campaign_id: int) -> HttpResponse:
    """"Remind all pending (n)": a preview of who gets the e-mail (and who is skipped and
    why), then one button that sends them."""
    _hr_only(request)
    try:
        campaign = selectors.campaign_get(user=request.user, campaign_id=campaign_id)
    except NotFound as exc:
        raise Http404(exc.message) from None
    if request.method == "POST":
        expected = request.POST.get("expected", "")
        try:
            sent = services.campaign_remind_pending(
                campaign=campaign, actor=request.user,
                expected=int(expected) if expected.isdigit() else None)
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("onboarding:campaign-remind", campaign_id=campaign.pk)
        messages.success(request, f"Reminder sent to {sent} "
                         f"{'person' if sent == 1 else 'people'}.")
        return redirect("onboarding:campaign", campaign_id=campaign.pk)
    preview = services.campaign_remind_preview(campaign=campaign, actor=request.user)
    return render(request, "onboarding/campaign_remind.html",
                  {"campaign": campaign, "preview": preview})


@login_required
@require_POST
def assignment_nudge(request: AuthedRequest, assignment_id: int) -> HttpResponse:
    _hr_only(request)
    try:
        assignment = selectors.assignment_get(user=request.user, assignment_id=assignment_id)
        sent = services.assignment_nudge(assignment=assignment, actor=request.user)
    except NotFound as exc:
        raise Http404(exc.message) from None
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
        raise Http404(exc.message) from None
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("onboarding:overview")
    # Shown once on the person page (a redirect keeps the token out of the browser history).
    request.session[f"onboarding-link-{assignment.person_id}"] = request.build_absolute_uri(
        reverse("onboarding-public:attest", args=[token]))
    return redirect("onboarding:person", person_id=assignment.person_id)
