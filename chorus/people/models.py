"""Organizations, their users (who log in) and people (who the programme is about).

A `User` is an account that can log in; a `Person` is the HR record of an employee, candidate
or leaver, with or without an account. Everything else in Chorus belongs to one organization.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db import models
from django.db.models.functions import Lower
from django.utils.crypto import salted_hmac

from chorus.common.models import OrgOwnedModel, TimeStampedModel
from chorus.people.roles import Role

EU_JURISDICTIONS = {
    "EU",
    "AT",
    "BE",
    "BG",
    "HR",
    "CY",
    "CZ",
    "DK",
    "EE",
    "FI",
    "FR",
    "DE",
    "GR",
    "HU",
    "IE",
    "IT",
    "LV",
    "LT",
    "LU",
    "MT",
    "NL",
    "PL",
    "PT",
    "RO",
    "SK",
    "SI",
    "ES",
    "SE",
}


class Organization(TimeStampedModel):
    """A tenant. `jurisdictions` (e.g. ["US", "US-CA", "EU", "UK"]) gate the policy lints."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    jurisdictions = models.JSONField(default=list, blank=True)
    timezone = models.CharField(max_length=64, default="UTC")
    # Administration (chorus.administration edits these through its services).
    language = models.CharField(max_length=12, default="en")
    verified_domains = models.JSONField(
        default=list, blank=True, help_text="E-mail domains of the organization (lower case)."
    )
    email_sender = models.CharField(
        max_length=254, blank=True, help_text="From address of Chorus mail; empty: the default."
    )
    # Served only through a view that checks the organization (never from MEDIA_URL).
    logo = models.FileField(upload_to="organizations/logos/", blank=True)
    logo_content_type = models.CharField(max_length=40, blank=True)
    # A suspended organization keeps its data; its members cannot log in or use the API.
    suspended_at = models.DateTimeField(null=True, blank=True)
    suspended_reason = models.CharField(max_length=300, blank=True)

    def __str__(self) -> str:
        return self.name

    @property
    def is_suspended(self) -> bool:
        return self.suspended_at is not None

    @property
    def suspension_message(self) -> str:
        """What members of a suspended organization are told (login page, pages, API)."""
        reason = f" ({self.suspended_reason})" if self.suspended_reason else ""
        return (
            f"{self.name} is suspended on this Chorus installation{reason}. Nobody in it can "
            "sign in or use the API until the platform operator lifts the suspension; your "
            "data is kept."
        )

    @property
    def in_eu(self) -> bool:
        return any(j.split("-")[0] in EU_JURISDICTIONS for j in self.jurisdictions)


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **extra: Any) -> User:
        if not email:
            raise ValueError("A user needs an e-mail address.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.update(is_staff=True, is_superuser=True)
        return self._create(email, password, **extra)

    def get_by_natural_key(self, username: str | None) -> User:
        """The account for a login e-mail in any case (addresses are stored lower-case, so
        `Ann@X.example` signs in as `ann@x.example`, and login throttling counts them as one)."""
        try:
            return self.get(email=username)
        except self.model.DoesNotExist:
            if not username or username.strip().lower() == username:
                raise
            return self.get(email=username.strip().lower())


class User(AbstractUser):
    """An account that logs in with its e-mail address. Roles are its groups."""

    username = None  # type: ignore[assignment]
    first_name = None  # type: ignore[assignment]
    last_name = None  # type: ignore[assignment]
    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=200)
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="users", null=True, blank=True
    )
    # Bumped to end every session of this account at once (deactivation), whatever the
    # session backend: it is part of the hash each session is checked against.
    session_epoch = models.PositiveIntegerField(default=0)
    # IANA zone the user reads dates in; blank means the organization's zone.
    timezone = models.CharField(max_length=64, blank=True, default="")
    # Interface and policy language (a code from settings.LANGUAGES); blank: the browser's,
    # else the organization's. Set on the account page or from the IdP's locale claim.
    language = models.CharField(max_length=12, blank=True, default="")

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]
    # Replaces the username-based manager the stubs declare on AbstractUser (e-mail login).
    objects = UserManager()  # type: ignore[assignment, misc]

    def __str__(self) -> str:
        return self.full_name or self.email

    def _get_session_auth_hash(self, secret: str | None = None) -> str:
        # Epoch 0 hashes exactly what Django hashes, so existing sessions stay valid.
        key_salt = "django.contrib.auth.models.AbstractBaseUser.get_session_auth_hash"
        value = self.password if not self.session_epoch else f"{self.password}:{self.session_epoch}"
        return salted_hmac(key_salt, value, secret=secret, algorithm="sha256").hexdigest()

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email

    @property
    def role_names(self) -> set[str]:
        cached = getattr(self, "_role_names", None)
        if cached is None:
            cached = set(self.groups.values_list("name", flat=True))
            self._role_names = cached
        return cached

    def has_role(self, role: str) -> bool:
        """True if the user holds `role`; administrators hold every role."""
        names = self.role_names
        return role in names or Role.ADMIN in names or self.is_superuser

    @property
    def org(self) -> Organization:
        """The organization of a member account, for tenant pages, the API and services.

        Only a superuser made for the Django admin may have none; tenant code refuses it with
        a 403 rather than running without a scope.
        """
        if self.organization is None:
            raise DjangoPermissionDenied("This account belongs to no organization.")
        return self.organization

    @property
    def org_id(self) -> int:
        """`org.pk` without loading the organization row (see `org`)."""
        if self.organization_id is None:
            raise DjangoPermissionDenied("This account belongs to no organization.")
        return self.organization_id

    @property
    def person(self) -> Person | None:
        try:
            return self.person_record
        except Person.DoesNotExist:
            return None


class Department(OrgOwnedModel):
    name = models.CharField(max_length=120)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                "organization", Lower("name"), name="department_name_unique_per_org"
            )
        ]
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Person(OrgOwnedModel):
    """An employee, candidate or leaver. E-mail is unique per organization (case-insensitive),
    which is what makes HR re-imports update instead of duplicate."""

    class Status(models.TextChoices):
        CANDIDATE = "candidate", "Candidate"
        EMPLOYEE = "employee", "Employee"
        LEAVER = "leaver", "Leaver"

    user = models.OneToOneField(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="person_record"
    )
    full_name = models.CharField(max_length=200)
    email = models.EmailField()
    department = models.ForeignKey(
        Department, on_delete=models.SET_NULL, null=True, blank=True, related_name="people"
    )
    manager = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="reports"
    )
    title = models.CharField(max_length=200, blank=True)
    location = models.CharField(max_length=120, blank=True)
    start_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.EMPLOYEE)
    external_id = models.CharField(max_length=120, blank=True, help_text="ID in the HR system.")
    # Containment (incidents) can pause someone's advocacy access without any discipline.
    advocacy_paused_at = models.DateTimeField(null=True, blank=True)
    advocacy_paused_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                "organization", Lower("email"), name="person_email_unique_per_org"
            )
        ]
        ordering = ["full_name"]

    def __str__(self) -> str:
        return self.full_name


class ApiToken(TimeStampedModel):
    """A personal API token. Only its SHA-256 is stored; the secret is shown once at creation.

    The `prefix` (first characters) lets a user recognise a token in the list without the secret.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16, db_index=True)
    token_hash = models.CharField(max_length=64, unique=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
