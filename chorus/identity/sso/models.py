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

__all__ = ["MAPPABLE_ROLES", "DirectoryLink", "DirectoryProfile", "GroupRoleMapping"]

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
