"""Single sign-on per organization: OpenID Connect and SAML 2.0, just-in-time provisioning."""
