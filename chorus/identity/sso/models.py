"""Single sign-on and directory models.

`GroupRoleMapping` says which identity-provider group grants which Chorus role;
`DirectoryLink` ties a directory's stable id for a person (OIDC `sub`, SAML NameID, SCIM
`externalId`) to the account, so a renamed e-mail address updates the account instead of
creating a second one; `DirectoryProfile` keeps what a directory last said about an account
that has no home elsewhere in Chorus (preferred language, groups).
"""

from __future__ import annotations

from django.db import models
from django.db.models.functions import Lower

from chorus.common.models import OrgOwnedModel
from chorus.people.models import User
from chorus.people.roles import Role

__all__ = [
    "MAPPABLE_ROLES",
    "DirectoryLink",
    "DirectoryProfile",
    "GroupRoleMapping",
    "IdentityProvider",
    "SamlAssertionSeen",
]

# The employee role is everyone's; a directory group grants one of the others.
MAPPABLE_ROLES = (Role.ADMIN, Role.COMMUNICATIONS, Role.HR, Role.LEGAL, Role.MANAGER)


class GroupRoleMapping(OrgOwnedModel):
    """Members of the identity-provider group `group` hold `role` in Chorus. Group names match
    case-insensitively. The roles that appear in an organization's mappings are managed by the
    directory: at each sign-in (or SCIM update) they are granted or taken away to match the
    person's groups; roles no mapping mentions stay as administrators set them."""

    group = models.CharField(max_length=200)
    role = models.CharField(max_length=20, choices=[(r.value, r.label) for r in MAPPABLE_ROLES])

    class Meta:
        constraints = [
            models.UniqueConstraint(
                "organization", Lower("group"), "role", name="grouprolemapping_unique"
            )
        ]
        ordering = ["group", "role"]

    def __str__(self) -> str:
        return f"{self.group} → {self.role}"


class DirectoryLink(OrgOwnedModel):
    """The directory `source` knows the account `user` as `external_id`. Unique per
    organization and source, so one directory id always means the same account."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="directory_links")
    source = models.CharField(max_length=60)
    external_id = models.CharField(max_length=255)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "source", "external_id"], name="directorylink_unique"
            ),
            models.UniqueConstraint(fields=["user", "source"], name="directorylink_user_source"),
        ]

    def __str__(self) -> str:
        return f"{self.source}:{self.external_id}"


class DirectoryProfile(OrgOwnedModel):
    """What a directory last told us about an account beyond the HR record: the preferred
    language and the groups (as sent, for the audit and the settings page)."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="directory_profile")
    source = models.CharField(max_length=60)
    preferred_language = models.CharField(max_length=35, blank=True)
    groups = models.JSONField(default=list, blank=True)
    synced_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.user} ({self.source})"


# What each protocol sends by default for each directory attribute; the organization's
# administrator may rename any of them (`IdentityProvider.attribute_map`).
DEFAULT_ATTRIBUTE_MAP = {
    "oidc": {
        "email": "email",
        "given_name": "given_name",
        "family_name": "family_name",
        "display_name": "name",
        "department": "department",
        "manager_email": "manager_email",
        "location": "location",
        "title": "title",
        "preferred_language": "locale",
        "groups": "groups",
        "active": "",
    },
    "saml": {
        "email": "email",
        "given_name": "firstName",
        "family_name": "lastName",
        "display_name": "displayName",
        "department": "department",
        "manager_email": "managerEmail",
        "location": "location",
        "title": "title",
        "preferred_language": "preferredLanguage",
        "groups": "groups",
        "active": "",
    },
}
DEFAULT_MFA_AMR = ["mfa", "otp", "hwk", "swk", "fpt", "face", "iris", "sc", "pop"]


class IdentityProvider(OrgOwnedModel):
    """The organization's single sign-on: one identity provider, OpenID Connect or SAML 2.0.

    The OIDC client secret is stored encrypted (`chorus.identity.sso.secrets`) and never shown
    again after it is saved. SAML IdP metadata is kept as XML (fetched from the URL or
    uploaded); assertions must be signed. `enforced` refuses passwords to the organization's
    members except `break_glass_user`, one administrator kept for when the IdP is down.
    """

    class Protocol(models.TextChoices):
        OIDC = "oidc", "OpenID Connect"
        SAML = "saml", "SAML 2.0"

    name = models.CharField(max_length=100, help_text="Shown to people, e.g. “Okta”.")
    protocol = models.CharField(max_length=10, choices=Protocol.choices)
    enabled = models.BooleanField(default=False)
    # OpenID Connect
    oidc_discovery_url = models.URLField(max_length=500, blank=True)
    oidc_client_id = models.CharField(max_length=255, blank=True)
    oidc_client_secret_encrypted = models.TextField(blank=True)
    oidc_scopes = models.CharField(max_length=300, default="openid email profile")
    oidc_metadata = models.JSONField(default=dict, blank=True)
    # SAML 2.0
    saml_metadata_url = models.URLField(max_length=500, blank=True)
    saml_metadata_xml = models.TextField(blank=True)
    saml_idp_entity_id = models.CharField(max_length=500, blank=True)
    # Both
    attribute_map = models.JSONField(default=dict, blank=True)
    mfa_values = models.JSONField(
        default=list, blank=True,
        help_text="acr values (OIDC) or AuthnContextClassRef values (SAML) that mean the IdP "
                  "checked a second factor.",
    )
    enforced = models.BooleanField(default=False)
    break_glass_user = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    last_tested_at = models.DateTimeField(null=True, blank=True)
    last_test_ok = models.BooleanField(default=False)
    last_test_claims = models.JSONField(default=dict, blank=True)
    last_test_error = models.CharField(max_length=500, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization"], name="identityprovider_one_per_org")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_protocol_display()})"

    @property
    def has_client_secret(self) -> bool:
        return bool(self.oidc_client_secret_encrypted)

    def mapping(self) -> dict[str, str]:
        """The attribute map in force: the protocol's defaults with the admin's renames."""
        merged = dict(DEFAULT_ATTRIBUTE_MAP[self.protocol])
        merged.update({k: v for k, v in (self.attribute_map or {}).items() if k in merged})
        return merged


class SamlAssertionSeen(OrgOwnedModel):
    """An assertion id already used to sign in: a second use is a replay and is refused.
    Rows are kept until the assertion would have expired anyway."""

    assertion_id = models.CharField(max_length=200)
    expires_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "assertion_id"], name="samlassertionseen_unique"
            )
        ]
