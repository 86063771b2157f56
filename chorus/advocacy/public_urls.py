"""Public, unauthenticated short links: `/l/<code>` redirects to the shared page."""

from django.urls import path

from chorus.advocacy import public_views

urlpatterns = [
    path("l/<str:code>", public_views.tracked_link, name="advocacy-link"),
]
