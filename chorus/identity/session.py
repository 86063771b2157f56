"""Session keys shared by the sign-in paths of the identity app (password, SSO, second factor).

`MFA_SESSION_KEY` is set once the session has passed a second factor. Its value says how:
"totp", "webauthn" or "recovery" (the second-factor pages), or "idp": single sign-on sets it
when the identity provider reports that the person used a second factor (OIDC `amr`/`acr`,
SAML AuthnContextClassRef the organization lists). The second-factor middleware treats any of
them as satisfied.
"""

MFA_SESSION_KEY = "identity_mfa_satisfied"
MFA_SATISFIED_BY_IDP = "idp"
