"""Unauthenticated pages: first-run setup, invitation links, password reset."""

from django.urls import path

from chorus.administration import views

app_name = "administration-public"
urlpatterns = [
    path("setup/", views.setup_organization, name="setup"),
    path("setup/policy/", views.setup_policy, name="setup-policy"),
    path("setup/admin/", views.setup_admin, name="setup-admin"),
    path("invite/<str:token>/", views.invitation_accept, name="invitation"),
    path("password-reset/", views.PasswordResetView.as_view(), name="password-reset"),
    path("password-reset/sent/", views.PasswordResetDoneView.as_view(), name="password-reset-done"),
    path(
        "password-reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password-reset-confirm",
    ),
    path(
        "password-reset/done/",
        views.PasswordResetCompleteView.as_view(),
        name="password-reset-complete",
    ),
]
