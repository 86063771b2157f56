from django.urls import path

from chorus.integrations import views
from chorus.integrations.slack import views as slack_views

app_name = "integrations"
urlpatterns = [
    path("", views.index, name="index"),
    path("slack/install/", slack_views.install, name="slack-install"),
    path("slack/oauth/callback/", slack_views.oauth_callback, name="slack-callback"),
    path("slack/settings/", views.slack_settings, name="slack-settings"),
    path("slack/remove/", views.slack_remove, name="slack-remove"),
    path("teams/", views.teams_settings, name="teams-settings"),
    path("teams/remove/", views.teams_remove, name="teams-remove"),
    path("webhooks/new/", views.webhook_new, name="webhook-new"),
    path("webhooks/<int:endpoint_id>/", views.webhook_detail, name="webhook-detail"),
    path("webhooks/<int:endpoint_id>/secret/", views.webhook_rotate, name="webhook-rotate"),
    path("webhooks/<int:endpoint_id>/delete/", views.webhook_delete, name="webhook-delete"),
    path("webhooks/deliveries/<int:delivery_id>/redeliver/", views.webhook_redeliver,
         name="webhook-redeliver"),
]
