"""Identity pages under /identity/ (namespace `identity`): second factors at /identity/mfa/."""

from django.urls import include, path

app_name = "identity"
urlpatterns = [
    path("mfa/", include("chorus.identity.mfa.urls")),
]
