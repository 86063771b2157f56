from django.apps import AppConfig


class IdentityConfig(AppConfig):
    """Sign-in: single sign-on per organization (OpenID Connect, SAML 2.0) with just-in-time
    provisioning, and second factors (TOTP, recovery codes, WebAuthn passkeys) enforced by role."""

    name = "chorus.identity"
    label = "identity"
    verbose_name = "Identity and sign-in"

    def ready(self) -> None:
        from chorus.common.navigation import NavItem, register_nav
        from chorus.identity.mfa.registry import ready as mfa_ready

        register_nav(
            NavItem("Single sign-on", "identity:sso-settings", order=915, roles=("admin",))
        )
        mfa_ready()
