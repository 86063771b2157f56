"""SCIM tokens and resources, offboarding records and verified affiliation.

A `ScimUser` is the identity provider's view of one person (the SCIM resource as last written,
its id, externalId, userName and version); the person's HR record stays `people.Person`, kept
in step through `chorus.identity.directory`. A `ScimGroup` is an IdP group; what a group means
for roles is the organization's group → role mapping (shared with single sign-on).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower

from chorus.common.models import OrgOwnedModel


class ScimToken(OrgOwnedModel):
    """A bearer token the organization's identity provider uses for `/scim/v2/`.

    Only its SHA-256 is stored; the secret is shown once when an administrator creates it.
    A token only ever reaches its own organization's resources.
    """

    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16)
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, related_name="+")
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class ScimUser(OrgOwnedModel):
    """One SCIM User resource. `document` is the resource as the IdP last set it (without
    `id` and `meta`, which are computed); `version` grows with every write (the ETag)."""

    scim_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.OneToOneField("people.Person", on_delete=models.PROTECT,
                                  related_name="scim_user")
    user_name = models.CharField(max_length=254)
    external_id = models.CharField(max_length=254, blank=True)
    email = models.CharField(max_length=254, blank=True)  # the primary address, for filters
    display_name = models.CharField(max_length=254, blank=True)
    active = models.BooleanField(default=True)
    document = models.JSONField(default=dict)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [
            models.UniqueConstraint("organization", Lower("user_name"),
                                    name="scimuser_username_unique_per_org"),
        ]
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.user_name


class ScimGroup(OrgOwnedModel):
    """One SCIM Group resource and its members (SCIM users of the same organization)."""

    scim_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    display_name = models.CharField(max_length=254)
    external_id = models.CharField(max_length=254, blank=True)
    members = models.ManyToManyField(ScimUser, related_name="groups", blank=True,
                                     through="ScimGroupMember")
    version = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [
            models.UniqueConstraint("organization", Lower("display_name"),
                                    name="scimgroup_name_unique_per_org"),
        ]
        ordering = ["display_name", "pk"]

    def __str__(self) -> str:
        return self.display_name


class ScimGroupMember(models.Model):
    """One member of a SCIM group, with the member attributes the identity provider sent
    (`display`, `type`, `$ref`), returned as sent."""

    group = models.ForeignKey(ScimGroup, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(ScimUser, on_delete=models.CASCADE, related_name="memberships")
    attributes = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["group", "user"],
                                               name="scimgroupmember_unique")]
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.group_id}"


class Offboarding(OrgOwnedModel):
    """That a person was offboarded, by whom or what, and the plain-language summary of what
    each app did (`steps`: list of {key, title, summary, count}). One row per person; a
    rehire sets `reactivated_at`, and a later offboarding starts the row over."""

    class Source(models.TextChoices):
        SCIM = "scim", "Identity provider (SCIM)"
        HR = "hr", "HR marked the person as having left"
        SSO = "sso", "Identity provider (single sign-on)"
        ADMIN = "admin", "Administrator"

    person = models.OneToOneField("people.Person", on_delete=models.CASCADE,
                                  related_name="offboarding")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                              blank=True, related_name="+")
    source = models.CharField(max_length=10, choices=Source.choices)
    reason = models.CharField(max_length=300, blank=True)
    offboarded_at = models.DateTimeField()
    steps = models.JSONField(default=list)
    runs = models.PositiveIntegerField(default=1)
    reactivated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-offboarded_at"]

    def __str__(self) -> str:
        return f"Offboarding of {self.person_id}"


class VerifiedHandle(OrgOwnedModel):
    """A verified affiliation an employee asked for: a Bluesky handle on the organization's
    domain and/or a public profile page.

    Served at `https://<handle>/.well-known/atproto-did` while active; revoking (by the
    employee, an administrator or offboarding) makes that answer a 404 at once. The public
    profile page `/people/<profile_slug>/` carries `rel="me"` links to the person's proven
    linked accounts, for Mastodon's link verification.
    """

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE,
                               related_name="verified_handles")
    # Empty when the employee asked for the profile page only.
    handle = models.CharField(max_length=253, blank=True)
    did = models.CharField(max_length=2048, blank=True)
    profile_slug = models.SlugField(max_length=64, unique=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [
            # A handle names one person at a time; a revoked one may be issued again later.
            models.UniqueConstraint(Lower("handle"),
                                    condition=Q(revoked_at__isnull=True) & ~Q(handle=""),
                                    name="verifiedhandle_one_live_handle"),
            models.UniqueConstraint("person", condition=Q(revoked_at__isnull=True),
                                    name="verifiedhandle_one_live_per_person"),
        ]
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.handle

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    @property
    def dns_name(self) -> str:
        return f"_atproto.{self.handle}"

    @property
    def dns_text(self) -> str:
        return f"did={self.did}"
