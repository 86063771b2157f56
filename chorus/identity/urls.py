"""Pages of the identity app under /identity/ (each part adds its own patterns)."""

from chorus.identity.sso.urls import urlpatterns as sso_urlpatterns

app_name = "identity"
urlpatterns = [
    *sso_urlpatterns,
]
