from django.urls import path

from chorus.provisioning import views

app_name = "provisioning"
urlpatterns = [
    path("scim/", views.scim_tokens, name="scim-tokens"),
    path("scim/tokens/<int:token_id>/revoke/", views.scim_token_revoke_view,
         name="scim-token-revoke"),
    path("offboarding/", views.offboardings, name="offboardings"),
    path("offboarding/<int:person_id>/", views.offboarding_detail, name="offboarding"),
    path("affiliation/", views.affiliation, name="affiliation"),
    path("affiliation/<int:affiliation_id>/revoke/", views.affiliation_revoke_view,
         name="affiliation-revoke"),
]
