"""The reporter's side of the speak-up channel (no account): /speak-up/<organization>/."""

from django.urls import path

from chorus.speakup import public_views

app_name = "speakup_public"
urlpatterns = [
    path("speak-up/follow-up/", public_views.follow_up, name="follow-up"),
    path("speak-up/<slug:org_slug>/", public_views.start, name="start"),
    path("speak-up/<slug:org_slug>/<slug:form_key>/", public_views.intake, name="intake"),
]
