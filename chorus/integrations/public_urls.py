"""Inbound endpoints called by Slack and the Bot Framework (signed, not logged in)."""

from django.urls import path

from chorus.integrations.slack import views as slack_views
from chorus.integrations.teams import views as teams_views

app_name = "integrations_public"
urlpatterns = [
    path("integrations/slack/commands", slack_views.commands, name="slack-commands"),
    path("integrations/slack/interactions", slack_views.interactions, name="slack-interactions"),
    path("integrations/slack/events", slack_views.events, name="slack-events"),
    path("integrations/teams/messages", teams_views.messages, name="teams-messages"),
]
