"""Second-factor URLs, mounted under /identity/mfa/ in the identity namespace."""

from django.urls import path

from chorus.identity.mfa import views

urlpatterns = [
    path("", views.manage, name="mfa-manage"),
    path("<int:authenticator_id>/remove/", views.remove, name="mfa-remove"),
    # Signing in: only these answer a session that must still verify (see middleware).
    path("verify/", views.verify, name="mfa-verify"),
    path(
        "verify/passkey/options/", views.verify_passkey_options, name="mfa-verify-passkey-options"
    ),
    path("verify/passkey/", views.verify_passkey, name="mfa-verify-passkey"),
    # Enrolling: only these answer a session that must enroll.
    path("setup/", views.setup, name="mfa-setup"),
    path("setup/totp/", views.setup_totp_begin, name="mfa-setup-totp-begin"),
    path("setup/totp/<int:authenticator_id>/", views.setup_totp, name="mfa-setup-totp"),
    path("setup/passkey/options/", views.setup_passkey_options, name="mfa-setup-passkey-options"),
    path("setup/passkey/", views.setup_passkey, name="mfa-setup-passkey"),
    path("setup/done/", views.setup_done, name="mfa-setup-done"),
    # Administrators: the rule, everyone's status, two-person resets.
    path("admin/", views.admin, name="mfa-admin"),
    path(
        "admin/members/<int:member_id>/reset/", views.admin_reset_request, name="mfa-reset-request"
    ),
    path(
        "admin/resets/<int:reset_id>/approve/", views.admin_reset_approve, name="mfa-reset-approve"
    ),
    path("admin/resets/<int:reset_id>/cancel/", views.admin_reset_cancel, name="mfa-reset-cancel"),
]
