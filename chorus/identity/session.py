"""Session keys the identity app shares between its parts.

`MFA_SESSION_KEY` is set by single sign-on when the identity provider reports that the person
used a second factor (OIDC `amr`/`acr`, SAML AuthnContextClassRef the organization lists); the
second-factor middleware treats a session carrying it as having passed the second factor.
Its value says who satisfied it: `"idp"` for the identity provider.
"""

MFA_SESSION_KEY = "identity_mfa_satisfied"
MFA_SATISFIED_BY_IDP = "idp"
