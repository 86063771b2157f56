"""Consent and linked accounts: linking (consent first), revoking, the connector to use."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.conf import settings as django_settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from chorus.audit.services import audit_record
from chorus.common.errors import Conflict, NotFound
from chorus.common.http import OutboundError, check_url
from chorus.connectors.base import AccountRef, ConnectorError, call_with_retries, get_connector
from chorus.monitoring.consent import CONSENT_VERSION, consent_text, text_sha256
from chorus.monitoring.models import ARCHIVE_NETWORKS, ConsentRecord, LinkedAccount, Network
from chorus.monitoring.services.base import MonitoringError
from chorus.monitoring.services.configuration import readiness_problems, settings_get
from chorus.people.models import Organization, Person, User


def consent_text_for(
    *, organization: Organization, network: str, handle: str, read_from: datetime | None = None,
) -> str:
    """The consent text for linking `handle` on `network`; without a handle it names "the
    account I enter above", so it reads as a sentence before anything is typed. An unknown
    network is refused with a MonitoringError naming the field (never a KeyError)."""
    if network not in Network.values:
        raise MonitoringError(
            gettext("Unknown network %(network)s; use one of %(join)s.")
            % {"network": repr(network), "join": ", ".join(Network.values)},
            field="network",
        )
    current = settings_get(organization=organization)
    return consent_text(
        organization=organization, network=network, handle=handle,
        retention_days=current.retention_days, read_from=read_from,
        dpia_reference=current.dpia_reference,
        works_council_reference=current.works_council_reference,
    )


def connector_for(network: str) -> Any:
    """The adapter for a network, configured from settings (base URLs for tests or mirrors)."""
    options: dict[str, Any] = {}
    if network == Network.BLUESKY:
        options["appview_url"] = getattr(django_settings, "CONNECTOR_BLUESKY_APPVIEW_URL",
                                         "https://public.api.bsky.app")
    return get_connector(network, **options)


def account_link(
    *, user: User, network: str, handle: str, agreed: bool, consent_version: str,
    instance: str = "", read_from: datetime | None = None,
) -> LinkedAccount:
    """Link one of the user's own accounts with their explicit consent.

    The consent text shown is recorded verbatim with its version. Live networks are checked
    (the account must exist; an RSS feed is only checked for shape here, never fetched in
    the request) and wait, read by nobody, until the owner proves the account is theirs
    (`account_verify`); they are read from that moment on, by the worker. Uploads are proof
    by upload and are read from `read_from`, the date the person chose.
    """
    person = _person_of(user)
    organization = person.organization
    current = settings_get(organization=organization)
    if network not in Network.values:
        raise MonitoringError(gettext("Choose a network."), field="network")
    if network not in current.enabled_networks:
        raise MonitoringError(
            gettext(
                "%(Network)s is not enabled for your organization. Ask an administrator to "
                "enable it under Monitoring settings."
            )
            % {"Network": Network(network).label},
            field="network",
        )
    problems = readiness_problems(organization=organization)
    if problems:
        raise MonitoringError(problems[0][1] + " Ask an administrator.", field="network")
    handle = handle.strip()
    if not handle:
        raise MonitoringError(gettext("Enter the account's handle or address."), field="handle")
    if not agreed:
        raise MonitoringError(
            gettext("Tick the box to give your consent; nothing is read without it."),
            field="agreed",
        )
    if consent_version != CONSENT_VERSION:
        raise MonitoringError(
            gettext(
                "The consent text changed while you were reading it. Read the "
                "new text and agree again."
            ),
            field="agreed",
        )
    now = timezone.now()
    if network in ARCHIVE_NETWORKS:
        start = read_from or now
        if start > now:
            raise MonitoringError(
                gettext("The start date cannot be in the future."), field="read_from"
            )
        external_id, profile_url = f"{user.pk}:{handle.lower()}", ""
    elif network == Network.RSS:
        # The feed is fetched for the first time by the worker (poll_account_task, enqueued on
        # commit), never in this request: a typed address must not make the web process
        # wait on, or probe, whatever it points at. Problems show on the account afterwards.
        start = now
        handle = _feed_address(handle)
        external_id, profile_url = handle, handle
    else:
        start = now
        try:
            profile = call_with_retries(lambda: connector_for(network).resolve(
                AccountRef(handle=handle, instance=instance.strip())))
        except ConnectorError as exc:
            # Nothing is saved, so nothing is retried: say so rather than the network's hint.
            raise MonitoringError(
                gettext("%(message)s Nothing was saved.") % {"message": exc.message}, field="handle"
            ) from None
        external_id, profile_url, handle = profile.external_id, profile.url, profile.handle
    # The network was asked above, outside any transaction: no row lock waits on a slow server.
    with transaction.atomic():
        return _account_create(user=user, person=person, network=network, handle=handle,
                               instance=instance, external_id=external_id,
                               profile_url=profile_url, now=now, start=start)


def _feed_address(handle: str) -> str:
    """A feed address as typed, checked for shape only (http/https, a host, no password)."""
    try:
        check_url(handle)
    except OutboundError:
        raise MonitoringError(gettext("Enter the feed's full address, starting with https://, "
                              "like https://social.example/@name.rss."), field="handle") from None
    if len(handle) > 300:
        raise MonitoringError(
            gettext("The feed address is longer than 300 characters."), field="handle"
        )
    return handle


def _account_create(
    *, user: User, person: Person, network: str, handle: str, instance: str, external_id: str,
    profile_url: str, now: datetime, start: datetime,
) -> LinkedAccount:
    organization = person.organization
    links = LinkedAccount.objects.filter(network=network, external_id=external_id).exclude(
        status=LinkedAccount.Status.REVOKED)
    if links.exclude(status=LinkedAccount.Status.PENDING).exists():
        raise Conflict(gettext("This account is already linked. Revoke the existing link first."),
                       field="handle")
    if links.filter(person=person).exists():
        raise Conflict(gettext("You already started linking this account. Open it under Linked "
                       "accounts and prove that it is yours."), field="handle")
    archive = network in ARCHIVE_NETWORKS
    text = consent_text_for(organization=organization, network=network, handle=handle,
                            read_from=start)
    try:
        with transaction.atomic():
            account = LinkedAccount.objects.create(
                organization=organization, person=person, network=network,
                handle=handle[:300], instance=instance.strip()[:300], external_id=external_id,
                profile_url=profile_url[:500], consented_at=now, read_from=start,
                consent_version=CONSENT_VERSION,
                status=LinkedAccount.Status.ACTIVE if archive else LinkedAccount.Status.PENDING,
                verified_at=now if archive else None,
                verification_method=LinkedAccount.Proof.UPLOAD if archive else "",
                verification_code="" if archive else new_verification_code(),
            )
    except IntegrityError:  # linked at the same moment by another request
        raise Conflict(gettext("This account is already linked. Revoke the existing link first."),
                       field="handle") from None
    ConsentRecord.objects.create(
        organization=organization, account=account, person=person, actor=user,
        action=ConsentRecord.Action.GRANTED, version=CONSENT_VERSION, text=text,
        text_sha256=text_sha256(text),
    )
    audit_record(organization=organization, actor=user, action="monitoring.consent_granted",
                 target=account, data={"network": network, "version": CONSENT_VERSION})
    return account


def new_verification_code() -> str:
    """A one-time code the owner places in the account's profile or a post: long enough that
    nobody guesses it, short enough to type into a bio, without look-alike characters."""
    return "chorus-" + "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))


CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def account_verify(*, user: User, account: LinkedAccount, sleep: Any = None) -> LinkedAccount:
    """Prove that the person who consented owns the account, then start reading it.

    Chorus looks for the account's one-time code in what the network shows publicly: the
    profile (Mastodon note and profile fields, including a rel="me" link to the proof page;
    Bluesky description; a feed's title and description) and the latest own posts (feed
    entries). Found: the link becomes active, is read from this moment, and a first read is
    scheduled. Not found or the network failed: nothing changes and the message says what to
    do. Only the owner verifies their own link.
    """
    if account.person.user_id != user.pk:
        raise NotFound(gettext("No such linked account."))
    if account.status == LinkedAccount.Status.REVOKED:
        raise MonitoringError(
            gettext("You withdrew consent for this account; link it again first.")
        )
    if account.verified_at is not None:
        return account
    code = account.verification_code
    ref = AccountRef(handle=account.handle, external_id=account.external_id,
                     instance=account.instance)
    connector = connector_for(account.network)
    kwargs = {"sleep": sleep} if sleep is not None else {}
    try:
        if hasattr(connector, "resolve_and_recent"):  # a feed: one download gives both
            profile, recent = call_with_retries(lambda: connector.resolve_and_recent(ref),
                                                attempts=2, **kwargs)
        else:
            profile = call_with_retries(lambda: connector.resolve(ref), attempts=2, **kwargs)
            recent = call_with_retries(lambda: connector.fetch_recent(ref), attempts=2, **kwargs)
    except ConnectorError as exc:
        raise MonitoringError(
            gettext("%(message)s Nothing has changed; check again when it answers.")
            % {"message": exc.message}
        ) from None
    if profile.external_id != account.external_id:
        raise MonitoringError(
            gettext(
                "This handle now belongs to a different account than the one you "
                "linked. Withdraw this link and link the account again."
            )
        )
    method = ""
    if _contains(profile.bio, code) or _contains(profile.url, code):
        method = (LinkedAccount.Proof.FEED if account.network == Network.RSS
                  else LinkedAccount.Proof.PROFILE)
    elif any(_contains(post.text, code) or _contains(post.url, code)
             for post in recent if not post.is_repost):
        method = (LinkedAccount.Proof.FEED if account.network == Network.RSS
                  else LinkedAccount.Proof.POST)
    if not method:
        where = ("the feed's title, description or latest entries"
                 if account.network == Network.RSS else
                 "its profile text or links, or in its latest public posts")
        raise MonitoringError(
            gettext(
                "We did not find the code %(code)s in %(where)s. Add it exactly as shown, save, "
                "then check again (a server can take a minute to show the change)."
            )
            % {"code": code, "where": where}
        )
    return _verified(user=user, account=account, method=method)


def account_verify_request(*, user: User, account: LinkedAccount) -> LinkedAccount:
    """Ask the worker to look for the one-time code ("Check now"): the web request never
    waits on the network. The page shows the check as running until the worker is done."""
    if account.person.user_id != user.pk:
        raise NotFound(gettext("No such linked account."))
    if account.status == LinkedAccount.Status.REVOKED:
        raise MonitoringError(
            gettext("You withdrew consent for this account; link it again first.")
        )
    if account.verified_at is None:
        from chorus.monitoring.tasks import account_verify_task

        account.verify_requested_at, account.verify_result = timezone.now(), ""
        account.save(update_fields=["verify_requested_at", "verify_result", "updated_at"])
        transaction.on_commit(partial(account_verify_task.enqueue, account_id=account.pk))
    return account


def account_verify_run(*, account_id: int) -> str:
    """The worker's half of "Check now": verify, record the outcome, end the pending state.
    Safe to run twice (a verified or withdrawn account is left as it is)."""
    account = (LinkedAccount.objects.select_related("person", "person__user")
               .filter(pk=account_id).first())
    if account is None or account.person.user is None:
        return "gone"
    outcome = ""
    try:
        account = account_verify(user=account.person.user, account=account)
    except (MonitoringError, Conflict) as exc:
        outcome = exc.message
    LinkedAccount.objects.filter(pk=account_id).update(
        verify_requested_at=None, verify_result=outcome, updated_at=timezone.now())
    return "verified" if not outcome else "not found"


@transaction.atomic
def _verified(*, user: User, account: LinkedAccount, method: str) -> LinkedAccount:
    account = LinkedAccount.objects.select_for_update().get(pk=account.pk)
    if account.verified_at is not None or account.status == LinkedAccount.Status.REVOKED:
        return account
    if LinkedAccount.objects.filter(network=account.network, external_id=account.external_id,
                                    status__in=[LinkedAccount.Status.ACTIVE,
                                                LinkedAccount.Status.NEEDS_ATTENTION]).exists():
        raise Conflict(
            gettext(
                "This account is already linked and proven by someone else. If it is "
                "yours, tell HR."
            )
        )
    now = timezone.now()
    account.verified_at = now
    account.verification_method = method
    account.status = LinkedAccount.Status.ACTIVE
    account.read_from = now  # monitoring starts once ownership is proven, not before
    account.save(update_fields=["verified_at", "verification_method", "status", "read_from",
                                "updated_at"])
    audit_record(organization=account.organization, actor=user,
                 action="monitoring.ownership_verified", target=account,
                 data={"network": account.network, "method": method})
    from chorus.monitoring.tasks import poll_account_task

    transaction.on_commit(partial(poll_account_task.enqueue, account_id=account.pk))
    return account


def _contains(text: str, code: str) -> bool:
    return bool(code) and code.casefold() in (text or "").casefold()


@transaction.atomic
def account_revoke(*, user: User, account: LinkedAccount) -> LinkedAccount:
    """Withdraw consent: reading stops now; stored posts are deleted after the retention
    period. Only the account's owner withdraws their consent."""
    account = LinkedAccount.objects.select_for_update().get(pk=account.pk)
    if account.person.user_id != user.pk:
        raise NotFound(gettext("No such linked account."))
    if account.status == LinkedAccount.Status.REVOKED:
        return account
    now = timezone.now()
    retention = settings_get(organization=account.organization).retention_days
    account.status = LinkedAccount.Status.REVOKED
    account.revoked_at = now
    account.purge_after = now + timedelta(days=retention)
    account.save(update_fields=["status", "revoked_at", "purge_after", "updated_at"])
    text = (f"I withdraw my consent for {account.handle}. Reading stops now; what was stored is "
            f"deleted on {account.purge_after:%Y-%m-%d}.")
    ConsentRecord.objects.create(
        organization=account.organization, account=account, person=account.person, actor=user,
        action=ConsentRecord.Action.REVOKED, version=CONSENT_VERSION, text=text,
        text_sha256=text_sha256(text),
    )
    audit_record(organization=account.organization, actor=user,
                 action="monitoring.consent_revoked", target=account,
                 data={"network": account.network, "purge_after": account.purge_after})
    return account


def accounts_end_for_leaver(*, person: Person, actor: User | None) -> int:
    """End monitoring for someone who left (offboarding): every link that is not already
    revoked stops being read now (not polled, not streamed), a consent record says why,
    and what was stored is deleted after the retention period as for a withdrawal. Runs
    inside the caller's transaction; returns how many links were ended (0 on a rerun)."""
    now = timezone.now()
    ended = 0
    for account in (LinkedAccount.objects.select_for_update()
                    .filter(person=person).exclude(status=LinkedAccount.Status.REVOKED)):
        retention = settings_get(organization=account.organization).retention_days
        account.status = LinkedAccount.Status.REVOKED
        account.revoked_at = now
        account.purge_after = now + timedelta(days=retention)
        account.save(update_fields=["status", "revoked_at", "purge_after", "updated_at"])
        text = (f"Consent for {account.handle} ended because {person.full_name} left "
                f"{account.organization.name}. Reading stopped now; what was stored is deleted "
                f"on {account.purge_after:%Y-%m-%d}.")
        ConsentRecord.objects.create(
            organization=account.organization, account=account, person=person, actor=actor,
            action=ConsentRecord.Action.REVOKED, version=CONSENT_VERSION, text=text,
            text_sha256=text_sha256(text),
        )
        ended += 1
    return ended


def _person_of(user: User) -> Person:
    person = user.person
    if person is None or person.organization_id != user.organization_id:
        raise MonitoringError(gettext("Your account is not linked to an employee record; ask HR."))
    return person
