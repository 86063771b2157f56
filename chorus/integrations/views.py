"""Admin → Integrations: Slack, Microsoft Teams and outbound webhooks of the organization."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from chorus.common.errors import DomainError, NotFound
from chorus.common.forms import add_domain_error
from chorus.common.types import AuthedRequest
from chorus.integrations.crypto import SecretUnreadable, decrypt
from chorus.integrations.forms import SlackSettingsForm, TeamsForm, WebhookForm
from chorus.integrations.models import SlackInstallation
from chorus.integrations.slack import services as slack
from chorus.integrations.slack.manifest import manifest_yaml
from chorus.integrations.teams import services as teams
from chorus.integrations.webhooks import services as webhooks
from chorus.notifications.events import EVENT_TYPES
from chorus.people.roles import Role


def _admin_only(request: AuthedRequest) -> None:
    if request.user.organization_id is None or not request.user.has_role(Role.ADMIN):
        raise DjangoPermissionDenied("Only your organization's administrators can open this page.")


def _teams_initial(integration) -> dict[str, str]:  # type: ignore[no-untyped-def]
    if integration is None:
        return {}
    try:
        stored = integration.workflow_url_encrypted
        url = decrypt(stored) if stored else ""
    except SecretUnreadable:
        url = ""
    return {"tenant_id": integration.tenant_id, "workflow_url": url}


def _index_context(request: AuthedRequest, **extra: object) -> dict[str, object]:
    org = request.user.org
    # A revoked installation is shown too, with its reason.
    installation = SlackInstallation.objects.filter(organization=org).first()
    teams_integration = teams.integration_for(organization=org)
    context: dict[str, object] = {
        "slack": installation,
        "slack_configured": slack.is_configured(),
        "slack_form": SlackSettingsForm(initial={"drop_channel": getattr(installation,
                                                                         "drop_channel", "")}),
        "slack_manifest": manifest_yaml(),
        "slack_urls": {
            "commands": f"{settings.SITE_URL}{reverse('integrations_public:slack-commands')}",
            "interactions": f"{settings.SITE_URL}"
                            f"{reverse('integrations_public:slack-interactions')}",
            "events": f"{settings.SITE_URL}{reverse('integrations_public:slack-events')}",
        },
        "teams": teams_integration,
        "teams_configured": bool(settings.TEAMS_APP_ID and settings.TEAMS_APP_PASSWORD),
        "teams_form": TeamsForm(initial=_teams_initial(teams_integration)),
        "teams_endpoint": f"{settings.SITE_URL}{reverse('integrations_public:teams-messages')}",
        "endpoints": webhooks.endpoint_list_for(user=request.user),
        "event_types": EVENT_TYPES,
    }
    context.update(extra)
    return context


@login_required
def index(request: AuthedRequest) -> HttpResponse:
    _admin_only(request)
    return render(request, "integrations/index.html", _index_context(request))


@login_required
@require_POST
def slack_settings(request: AuthedRequest) -> HttpResponse:
    _admin_only(request)
    installation = slack.installation_for(organization=request.user.org)
    if installation is None:
        raise Http404("Slack is not connected.")
    form = SlackSettingsForm(request.POST)
    if form.is_valid():
        try:
            slack.installation_update(installation=installation, actor=request.user,
                                      drop_channel=form.cleaned_data["drop_channel"])
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, gettext("Slack settings saved."))
            return redirect("integrations:index")
    return render(request, "integrations/index.html", _index_context(request, slack_form=form),
                  status=422)


@login_required
@require_POST
def slack_remove(request: AuthedRequest) -> HttpResponse:
    _admin_only(request)
    installation = SlackInstallation.objects.filter(organization=request.user.org).first()
    if installation is None:
        raise Http404("Slack is not connected.")
    slack.installation_remove(installation=installation, actor=request.user)
    messages.success(request, gettext("Slack is disconnected. Remove the Chorus app in Slack too."))
    return redirect("integrations:index")


@login_required
@require_POST
def teams_settings(request: AuthedRequest) -> HttpResponse:
    _admin_only(request)
    form = TeamsForm(request.POST)
    if form.is_valid():
        try:
            teams.integration_save(actor=request.user, tenant_id=form.cleaned_data["tenant_id"],
                                   workflow_url=form.cleaned_data["workflow_url"])
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, gettext("Microsoft Teams settings saved."))
            return redirect("integrations:index")
    return render(request, "integrations/index.html", _index_context(request, teams_form=form),
                  status=422)


@login_required
@require_POST
def teams_remove(request: AuthedRequest) -> HttpResponse:
    _admin_only(request)
    integration = teams.integration_for(organization=request.user.org)
    if integration is None:
        raise Http404("Teams is not connected.")
    teams.integration_remove(integration=integration, actor=request.user)
    messages.success(request, gettext("Microsoft Teams is disconnected."))
    return redirect("integrations:index")


# --------------------------------------------------------------------------- webhooks


def _endpoint(request: AuthedRequest, endpoint_id: int):  # type: ignore[no-untyped-def]
    try:
        return webhooks.endpoint_get(user=request.user, endpoint_id=endpoint_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc


@login_required
def webhook_new(request: AuthedRequest) -> HttpResponse:
    _admin_only(request)
    form = WebhookForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            endpoint, secret = webhooks.endpoint_create(
                actor=request.user, url=d["url"], event_types=list(d["event_types"]),
                description=d["description"])
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            # Rendered, not redirected: the secret is shown once and travels in no URL.
            response = render(request, "integrations/webhook_secret.html",
                              {"endpoint": endpoint, "secret": secret, "created": True})
            response["Cache-Control"] = "no-store"
            return response
    return render(request, "integrations/webhook_form.html", {"form": form},
                  status=422 if form.is_bound and form.errors else 200)


@login_required
def webhook_detail(request: AuthedRequest, endpoint_id: int) -> HttpResponse:
    _admin_only(request)
    endpoint = _endpoint(request, endpoint_id)
    form = WebhookForm(request.POST or None, initial={
        "url": endpoint.url, "description": endpoint.description,
        "event_types": endpoint.event_types})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        action = request.POST.get("action", "save")
        enabled = {"enable": True, "disable": False}.get(action)
        try:
            webhooks.endpoint_update(endpoint=endpoint, actor=request.user, url=d["url"],
                                     event_types=list(d["event_types"]),
                                     description=d["description"], enabled=enabled)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, {"enable": "Endpoint enabled.",
                                       "disable": "Endpoint disabled."}.get(action,
                                                                             "Endpoint saved."))
            return redirect("integrations:webhook-detail", endpoint_id=endpoint.pk)
    deliveries = (endpoint.deliveries.prefetch_related("attempt_log")
                  .order_by("-created_at", "-id")[:50])
    return render(request, "integrations/webhook_detail.html",
                  {"endpoint": endpoint, "form": form, "deliveries": deliveries},
                  status=422 if form.is_bound and form.errors else 200)


@login_required
@require_POST
def webhook_rotate(request: AuthedRequest, endpoint_id: int) -> HttpResponse:
    _admin_only(request)
    endpoint = _endpoint(request, endpoint_id)
    secret = webhooks.endpoint_rotate_secret(endpoint=endpoint, actor=request.user)
    response = render(request, "integrations/webhook_secret.html",
                      {"endpoint": endpoint, "secret": secret, "created": False})
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def webhook_delete(request: AuthedRequest, endpoint_id: int) -> HttpResponse:
    _admin_only(request)
    endpoint = _endpoint(request, endpoint_id)
    webhooks.endpoint_delete(endpoint=endpoint, actor=request.user)
    messages.success(request, gettext("The endpoint %(url)s was removed.") % {"url": endpoint.url})
    return redirect("integrations:index")


@login_required
@require_POST
def webhook_redeliver(request: AuthedRequest, delivery_id: int) -> HttpResponse:
    _admin_only(request)
    try:
        delivery = webhooks.delivery_get(user=request.user, delivery_id=delivery_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    try:
        delivery = webhooks.delivery_redeliver(delivery=delivery, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        if delivery.status == delivery.Status.SUCCEEDED and not delivery.last_error:
            messages.success(request, gettext("Delivered again."))
        else:
            messages.error(
                request,
                gettext("Redelivery failed: %(last_error)s") % {"last_error": delivery.last_error},
            )
    return redirect("integrations:webhook-detail", endpoint_id=delivery.endpoint_id)
