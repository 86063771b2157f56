"""Pages of the identity app under /identity/ (each part adds its own patterns): single
sign-on settings, and second factors at /identity/mfa/."""

from django.urls import include, path

from chorus.identity.sso.urls import urlpatterns as sso_urlpatterns

app_name = "identity"
urlpatterns = [
    *sso_urlpatterns,
    path("mfa/", include("chorus.identity.mfa.urls")),
]
