"""Public single sign-on endpoints: the e-mail step, OIDC callback, SAML ACS and metadata."""

from django.urls import path

from chorus.identity.sso import views

app_name = "identity-sso"
urlpatterns = [
    path("sso/", views.sso_start, name="start"),
    path("sso/oidc/<slug:slug>/login/", views.oidc_login, name="oidc-login"),
    path("sso/oidc/<slug:slug>/callback/", views.oidc_callback, name="oidc-callback"),
    path("sso/saml/<slug:slug>/login/", views.saml_login, name="saml-login"),
    path("sso/saml/<slug:slug>/acs/", views.saml_acs, name="saml-acs"),
    path("sso/saml/<slug:slug>/metadata/", views.saml_metadata, name="saml-metadata"),
]
