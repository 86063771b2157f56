from django.urls import path

from chorus.monitoring import views

app_name = "monitoring"
urlpatterns = [
    path("", views.accounts, name="accounts"),
    path("link/<str:network>/", views.link, name="link"),
    path("accounts/<int:account_id>/", views.account_detail, name="account-detail"),
    path("accounts/<int:account_id>/revoke/", views.account_revoke_view, name="account-revoke"),
    path("accounts/<int:account_id>/import/", views.account_import, name="account-import"),
    path("accounts/<int:account_id>/import/status/", views.account_import_status,
         name="account-import-status"),
    path("accounts/<int:account_id>/refresh/", views.account_refresh, name="account-refresh"),
    path("accounts/<int:account_id>/verify/", views.account_verify_view, name="account-verify"),
    path("accounts/<int:account_id>/verify/status/", views.account_verify_status,
         name="account-verify-status"),
    # Public: the page a Mastodon profile field links to (rel="me" both ways).
    path("proof/<str:code>/", views.proof_page, name="proof"),
    path("alerts/", views.alerts, name="alerts"),
    path("alerts/<int:alert_id>/acknowledge/", views.alert_ack, name="alert-acknowledge"),
    path("overview/", views.overview, name="overview"),
    path("settings/", views.settings_view, name="settings"),
]
