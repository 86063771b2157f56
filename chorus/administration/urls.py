from django.urls import path

from chorus.administration import views

app_name = "administration"
urlpatterns = [
    path("", views.checklist, name="checklist"),
    path("users/", views.users, name="users"),
    path("users/<int:user_id>/", views.user_detail, name="user"),
    path("users/<int:user_id>/deactivate/", views.user_deactivate, name="user-deactivate"),
    path("users/<int:user_id>/reactivate/", views.user_reactivate, name="user-reactivate"),
    path(
        "invitations/<int:invitation_id>/resend/",
        views.invitation_resend,
        name="invitation-resend",
    ),
    path(
        "invitations/<int:invitation_id>/revoke/",
        views.invitation_revoke,
        name="invitation-revoke",
    ),
    path("organization/", views.organization, name="organization"),
    path("organization/logo", views.organization_logo, name="organization-logo"),
]
