"""Verified affiliation: an employee asks for a Bluesky handle on the organization's domain
(`emery.northwind.example`) and a public profile page with `rel="me"` links to their proven
linked accounts. Opt-in only: nothing exists until the employee asks; the employee or an
administrator can revoke it, and offboarding revokes it at once."""

from __future__ import annotations

import re
import secrets

from django.apps import apps
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from chorus.audit.services import audit_record
from chorus.common.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from chorus.people.models import Person, User
from chorus.people.roles import Role
from chorus.provisioning.models import VerifiedHandle

LABEL_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
# did:plc is 24 base32 characters; did:web names a host (optionally with a path, ':'-joined).
DID_RE = re.compile(r"^(did:plc:[a-z2-7]{24}|did:web:[a-z0-9.-]+(?::[A-Za-z0-9._%-]+)*)$")


def _person_of(user: User) -> Person:
    person = user.person
    if person is None or person.organization_id != user.organization_id:
        raise PermissionDenied("Your account is not linked to an employee record; ask HR.")
    if person.status != Person.Status.EMPLOYEE or not user.is_active:
        raise PermissionDenied("Verified affiliation is for current employees.")
    return person


def affiliation_current(*, person: Person) -> VerifiedHandle | None:
    return VerifiedHandle.objects.filter(person=person, revoked_at__isnull=True).first()


@transaction.atomic
def affiliation_request(*, user: User, name: str = "", domain: str = "", did: str = "",
                        profile_page: bool = True) -> VerifiedHandle:
    """Issue the verified affiliation the employee asked for: a handle `<name>.<domain>`
    answering with `did` (both empty: the profile page only). `domain` must be one of the
    organization's verified domains. One live affiliation per person; a handle names one
    person at a time. Audited."""
    person = _person_of(user)
    organization = person.organization
    name, domain, did = name.strip().lower(), domain.strip().lower(), did.strip()
    handle = ""
    if name or did:
        if not LABEL_RE.match(name):
            raise InvalidInput("Use letters, digits and hyphens for the handle name (1–63, "
                               "not starting or ending with a hyphen).", field="name")
        domains = [d.lower() for d in organization.verified_domains or []]
        if domain not in domains:
            raise InvalidInput("Choose one of the organization's verified domains"
                               + (f" ({', '.join(domains)})." if domains
                                  else "; an administrator adds them under Admin → "
                                       "Organization."), field="domain")
        if not DID_RE.match(did):
            raise InvalidInput("Paste your Bluesky DID, such as did:plc:abcd… (Bluesky: "
                               "Settings → Account → Handle → I have my own domain).",
                               field="did")
        handle = f"{name}.{domain}"
        if len(handle) > 253:
            raise InvalidInput("That handle is too long.", field="name")
    elif not profile_page:
        raise InvalidInput("Ask for a handle, a profile page or both.", field="name")
    if affiliation_current(person=person) is not None:
        raise Conflict("You already have a verified affiliation; revoke it first to change it.")
    base = slugify(name or person.full_name)[:40] or "person"
    try:
        with transaction.atomic():
            record = VerifiedHandle.objects.create(
                organization=organization, person=person, handle=handle, did=did,
                profile_slug=f"{base}-{secrets.token_hex(4)}")
    except IntegrityError:
        raise Conflict(f"{handle} is already someone's handle; choose another name.",
                       field="name") from None
    audit_record(organization=organization, actor=user, action="provisioning.affiliation_issued",
                 target=person, data={"handle": handle, "did": did})
    return record


@transaction.atomic
def affiliation_revoke(*, user: User, affiliation_id: int, reason: str = "") -> VerifiedHandle:
    """Revoke now (the employee their own, or an administrator anyone's): the handle's
    `.well-known/atproto-did` answer and the profile page become 404 at once."""
    record = VerifiedHandle.objects.select_for_update().filter(
        pk=affiliation_id, organization_id=user.org_id).select_related("person").first()
    if record is None or (record.person.user_id != user.pk and not user.has_role(Role.ADMIN)):
        raise NotFound("No such verified affiliation.")
    if record.revoked_at is None:
        _revoke(record, reason=reason or "Revoked", actor=user)
    return record


def _revoke(record: VerifiedHandle, *, reason: str, actor: object) -> None:
    record.revoked_at = timezone.now()
    record.revoked_reason = reason[:300]
    record.save(update_fields=["revoked_at", "revoked_reason", "updated_at"])
    audit_record(organization=record.organization, actor=actor,
                 action="provisioning.affiliation_revoked", target=record.person,
                 data={"handle": record.handle, "reason": record.revoked_reason})


def affiliations_revoke_for_leaver(*, person: Person, actor: object) -> int:
    """Offboarding: revoke every live affiliation of the person; 0 on a rerun."""
    records = list(VerifiedHandle.objects.select_for_update().filter(
        person=person, revoked_at__isnull=True))
    for record in records:
        _revoke(record, reason="Left the organization", actor=actor or "offboarding")
    return len(records)


def did_for_host(host: str) -> str | None:
    """The DID the live handle `host` answers with (None: no such live handle)."""
    host = host.split(":", 1)[0].strip().lower().rstrip(".")
    if not host:
        return None
    return (VerifiedHandle.objects.filter(handle=host, revoked_at__isnull=True)
            .exclude(did="").values_list("did", flat=True).first())


def profile_for_slug(slug: str) -> tuple[VerifiedHandle, list[str]]:
    """A live profile page and its `rel="me"` links: the profile addresses of the person's
    proven, unrevoked linked accounts. NotFound once revoked."""
    record = (VerifiedHandle.objects.select_related("person", "organization")
              .filter(profile_slug=slug, revoked_at__isnull=True).first())
    if record is None:
        raise NotFound("No such profile.")
    links: list[str] = []
    if apps.is_installed("chorus.monitoring"):
        linked = apps.get_model("monitoring", "LinkedAccount")
        links = [url for url in linked.objects.filter(
            person=record.person, verified_at__isnull=False).exclude(status="revoked")
            .exclude(profile_url="").order_by("network", "handle")
            .values_list("profile_url", flat=True)]
    return record, links
