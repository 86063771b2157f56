"""Admin pages of single sign-on, mounted by `chorus/identity/urls.py` under /identity/."""

from django.urls import path

from chorus.identity.sso import admin_views

urlpatterns = [
    path("sso/", admin_views.sso_settings, name="sso-settings"),
    path("sso/remove/", admin_views.sso_remove, name="sso-remove"),
    path("sso/groups/<int:mapping_id>/delete/", admin_views.group_mapping_delete,
         name="sso-group-delete"),
]
