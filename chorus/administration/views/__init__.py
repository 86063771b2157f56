"""Views of the administration app, split by page group."""

from chorus.administration.views.organization import organization, organization_logo
from chorus.administration.views.public import (
    PasswordResetCompleteView,
    PasswordResetConfirmView,
    PasswordResetDoneView,
    PasswordResetView,
    invitation_accept,
)
from chorus.administration.views.setup import (
    checklist,
    setup_admin,
    setup_organization,
    setup_policy,
)
from chorus.administration.views.users import (
    invitation_resend,
    invitation_revoke,
    user_deactivate,
    user_detail,
    user_reactivate,
    users,
)

__all__ = [
    "PasswordResetCompleteView",
    "PasswordResetConfirmView",
    "PasswordResetDoneView",
    "PasswordResetView",
    "checklist",
    "invitation_accept",
    "invitation_resend",
    "invitation_revoke",
    "organization",
    "organization_logo",
    "setup_admin",
    "setup_organization",
    "setup_policy",
    "user_deactivate",
    "user_detail",
    "user_reactivate",
    "users",
]
