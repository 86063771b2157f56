from __future__ import annotations

from importlib.util import find_spec

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from chorus.common import views as common_views
from config.api import api

urlpatterns = [
    path("healthz", common_views.healthz, name="healthz"),
    path("", common_views.dashboard, name="dashboard"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/", include("chorus.people.urls")),
    path("audit/", include("chorus.audit.urls")),
    # Platform: background tasks that failed or were re-queued after a lost worker (admins).
    path("admin-tasks/", include("chorus.common.urls")),
    path("api/v1/", api.urls),
    path("django-admin/", admin.site.urls),
]

# Domain apps mount themselves here as they land: (URL prefix, app module).
APP_URLS = [
    ("policies/", "chorus.policy"),
    ("check/", "chorus.checks"),
    ("onboarding/", "chorus.onboarding"),
    ("advocacy/", "chorus.advocacy"),
    ("reports/", "chorus.reports"),
    ("incidents/", "chorus.incidents"),
    ("monitoring/", "chorus.monitoring"),
]
for prefix, module in APP_URLS:
    if module in settings.INSTALLED_APPS and find_spec(f"{module}.urls"):
        urlpatterns.append(path(prefix, include(f"{module}.urls")))

# Public, unauthenticated entry points that must stay short (tracked links, attestation links).
PUBLIC_URLS = [
    ("chorus.advocacy", "chorus.advocacy.public_urls"),
    ("chorus.onboarding", "chorus.onboarding.public_urls"),
    ("chorus.reports", "chorus.reports.public_urls"),
]
for module, urls_module in PUBLIC_URLS:
    if module in settings.INSTALLED_APPS and find_spec(urls_module):
        urlpatterns.append(path("", include(urls_module)))

# Uploaded files (evidence, screenshots) are never served from MEDIA_URL: each app serves its
# files through a view that checks the organization and the role, and audits the view.
