"""Session keys shared by the sign-in paths of the identity app (password, SSO, second factor).

`MFA_SESSION_KEY` is set once the session has passed a second factor. Its value says how:
"totp", "webauthn", "recovery", or "idp" (the identity provider reported that it did
multi-factor authentication, set by single sign-on). The second-factor middleware treats any
of them as satisfied.
"""

MFA_SESSION_KEY = "identity_mfa_satisfied"
