"""Unauthenticated entry points: SCIM (bearer-token auth of its own), the Bluesky handle
answer, employees' public profile pages and the leaver's summary link."""

from django.urls import path, re_path

from chorus.provisioning import public_views
from chorus.provisioning.scim import views as scim

app_name = "provisioning-public"
urlpatterns = [
    re_path(r"^scim/v2/+ServiceProviderConfigs?/?$", scim.service_provider_config,
            name="scim-spc"),
    re_path(r"^scim/v2/+Schemas/?$", scim.schemas, name="scim-schemas"),
    re_path(r"^scim/v2/+Schemas/(?P<schema_id>[^/]+)/?$", scim.schemas, name="scim-schema"),
    re_path(r"^scim/v2/+ResourceTypes/?$", scim.resource_types, name="scim-resource-types"),
    re_path(r"^scim/v2/+ResourceTypes/(?P<name>[^/]+)/?$", scim.resource_types,
            name="scim-resource-type"),
    re_path(r"^scim/v2/+\.search/?$", scim.root_search, name="scim-search"),
    re_path(r"^scim/v2/+Users/\.search/?$", scim.users_search, name="scim-users-search"),
    re_path(r"^scim/v2/+Groups/\.search/?$", scim.groups_search, name="scim-groups-search"),
    re_path(r"^scim/v2/+Users/?$", scim.users, name="scim-users"),
    re_path(r"^scim/v2/+Users/(?P<resource_id>[^/]+)/?$", scim.user, name="scim-user"),
    re_path(r"^scim/v2/+Groups/?$", scim.groups, name="scim-groups"),
    re_path(r"^scim/v2/+Groups/(?P<resource_id>[^/]+)/?$", scim.group, name="scim-group"),
    re_path(r"^scim/v2/?(?P<rest>.*)$", scim.not_found, name="scim-not-found"),
    path(".well-known/atproto-did", public_views.atproto_did, name="atproto-did"),
    path("people/<slug:slug>/", public_views.profile, name="profile"),
    path("offboarding/<str:token>/", public_views.offboarding_summary,
         name="offboarding-summary"),
]
