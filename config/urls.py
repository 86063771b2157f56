from __future__ import annotations

from importlib.util import find_spec

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path

from chorus.common import views as common_views
from chorus.ops import views as ops_views
from chorus.people.forms import LoginForm
from config.api import api

urlpatterns = [
    path("healthz", common_views.healthz, name="healthz"),
    path("language/", common_views.language_set, name="language-set"),
    path("readyz", ops_views.readyz, name="readyz"),  # database, cache, queue, migrations
    path("metrics", ops_views.metrics, name="metrics"),  # Prometheus; METRICS_TOKEN/_ALLOWED_IPS
    path("", common_views.dashboard, name="dashboard"),
    path(
        "login/",
        # LoginForm also refuses members of a suspended organization (chorus.administration).
        auth_views.LoginView.as_view(
            redirect_authenticated_user=True, authentication_form=LoginForm
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/", include("chorus.people.urls")),
    path("audit/", include("chorus.audit.urls")),
    # Platform: background tasks that failed or were re-queued after a lost worker (admins).
    path("admin-tasks/", include("chorus.common.urls")),
    path("api/v1/", api.urls),
    path("django-admin/", admin.site.urls),
    # Development only (404 otherwise): e-mails the file backend wrote to var/mail/.
    path("dev/mailbox/", common_views.dev_mailbox, name="dev-mailbox"),
]
# h11a: an /api/ URL that no route matches answers a JSON 404 (clients and the OpenAPI schema
# expect JSON), appended after every app's routes below.
API_NOT_FOUND = re_path(r"^api/(?P<path>.*)$", common_views.api_not_found)

# Domain apps mount themselves here as they land: (URL prefix, app module).
APP_URLS = [
    ("policies/", "chorus.policy"),
    ("check/", "chorus.checks"),
    ("onboarding/", "chorus.onboarding"),
    ("advocacy/", "chorus.advocacy"),
    ("reports/", "chorus.reports"),
    ("incidents/", "chorus.incidents"),
    ("monitoring/", "chorus.monitoring"),
    ("admin/", "chorus.administration"),  # Admin → Users and roles, Organization, checklist
    ("privacy/", "chorus.privacy"),
    ("notifications/", "chorus.notifications"),
    ("identity/", "chorus.identity"),  # SSO and two-factor settings, enrollment
    ("provisioning/", "chorus.provisioning"),  # SCIM tokens, offboarding, verified handles
    ("integrations/", "chorus.integrations"),  # Slack, Teams, webhooks settings
    ("posture/", "chorus.posture"),  # quiet periods and crisis mode
    ("speakup/", "chorus.speakup"),  # the speak-up channel's staff side
    ("legal-export/", "chorus.legalexport"),  # eDiscovery bundles
    ("supervision/", "chorus.supervision"),  # review queue, labelled examples, retraining
]
for prefix, module in APP_URLS:
    if module in settings.INSTALLED_APPS and find_spec(f"{module}.urls"):
        urlpatterns.append(path(prefix, include(f"{module}.urls")))

# Public, unauthenticated entry points that must stay short (tracked links, attestation links).
PUBLIC_URLS = [
    ("chorus.advocacy", "chorus.advocacy.public_urls"),
    ("chorus.onboarding", "chorus.onboarding.public_urls"),
    ("chorus.reports", "chorus.reports.public_urls"),
    # /setup/ (first run), /invite/<token>/, /password-reset/...
    ("chorus.administration", "chorus.administration.public_urls"),
    ("chorus.notifications", "chorus.notifications.public_urls"),  # one-click unsubscribe
    ("chorus.identity", "chorus.identity.public_urls"),  # /sso/... (OIDC callback, SAML ACS)
    ("chorus.provisioning", "chorus.provisioning.public_urls"),  # /scim/v2/, /.well-known/
    ("chorus.integrations", "chorus.integrations.public_urls"),  # Slack and Teams inbound
    ("chorus.speakup", "chorus.speakup.public_urls"),  # /speak-up/<org>/, the reporter's side
]
for module, urls_module in PUBLIC_URLS:
    if module in settings.INSTALLED_APPS and find_spec(urls_module):
        urlpatterns.append(path("", include(urls_module)))

urlpatterns.append(API_NOT_FOUND)

# Uploaded files (evidence, screenshots) are never served from MEDIA_URL: each app serves its
# files through a view that checks the organization and the role, and audits the view.
