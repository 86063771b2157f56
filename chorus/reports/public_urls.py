"""The anonymous reporter's way back: /r/ takes the report key (never in the URL)."""

from django.urls import path

from chorus.reports import public_views

app_name = "reports_public"
urlpatterns = [
    path("r/", public_views.follow_up, name="follow-up"),
]
