"""The short public URL of a personal attestation link: /a/<signed token>."""

from django.urls import include, path

from chorus.onboarding import views

public_patterns = ([path("a/<str:token>", views.public_attest, name="attest"),
                    path("a/<str:token>/read", views.public_attest_read, name="attest-read")],
                   "onboarding-public")
urlpatterns = [path("", include(public_patterns))]
