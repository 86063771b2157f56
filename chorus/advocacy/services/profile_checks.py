"""Profile checks of employees' linked accounts (issue 19).

Guarantees:
- only an account whose consent stands and whose ownership is proven is checked, and only
  after its owner switched the check on (`profile_check_enable`); switching it off deletes
  the stored profile;
- the profile is fetched by the worker only (`profile_check_task`), through the connectors:
  Mastodon account lookup, Bluesky `app.bsky.actor.getProfile`;
- a failed fetch loses nothing: the last good result stays, `status` says what happened
  (profile gone, network busy until its Retry-After, temporarily failing with backoff);
- staff read counts only (`profile_check_summary`) unless the organization allows more
  (`AdvocacySettings.profile_detail_for_staff`) and the owner agreed (`share_with_staff`).
"""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta
from functools import partial
from typing import Any

from django.db import transaction
from django.db.models import Count, QuerySet
from django.utils import timezone

from chorus.advocacy.models import AdvocacySettings, ProfileCheck, Share
from chorus.advocacy.presence import PRESENCE_NETWORKS, BioLine, profile_kit
from chorus.advocacy.profile_check import Assessment, ProfileFacts, ProfileRules, assess
from chorus.advocacy.screening import disclosure_rule
from chorus.advocacy.services.configuration import settings_for
from chorus.audit.services import audit_record
from chorus.checks.services import screening_policy
from chorus.common.errors import InvalidInput, NotFound
from chorus.connectors.base import AccountRef, ConnectorError
from chorus.monitoring.models import LinkedAccount
from chorus.people.models import Organization, User

CHECKABLE_NETWORKS = ("mastodon", "bluesky")
CHECK_EVERY = timedelta(days=1)
DEFAULT_RETRY = timedelta(minutes=15)
MAX_BACKOFF = timedelta(hours=12)


def _own_account(user: User, account_id: int) -> LinkedAccount:
    account = LinkedAccount.objects.filter(
        organization=user.organization, person__user=user, pk=account_id
    ).first()
    if account is None:
        raise NotFound("No such linked account.")
    return account


def _own_check(user: User, check_id: int) -> ProfileCheck:
    check = (
        ProfileCheck.objects.filter(organization=user.organization, user=user, pk=check_id)
        .select_related("account")
        .first()
    )
    if check is None:
        raise NotFound("No such profile check.")
    return check


def profile_checks_for_owner(*, user: User) -> list[dict[str, Any]]:
    """The user's checkable linked accounts, each with its check (or None) and suggestion."""
    accounts = (
        LinkedAccount.objects.filter(
            organization=user.organization,
            person__user=user,
            network__in=CHECKABLE_NETWORKS,
        )
        .exclude(status=LinkedAccount.Status.REVOKED)
        .order_by("network", "handle")
    )
    checks = {
        c.account_id: c
        for c in ProfileCheck.objects.filter(organization=user.organization, user=user)
    }
    return [
        {"account": a, "check": checks.get(a.pk), "monitored": a.is_monitored} for a in accounts
    ]


def profile_check_enable(*, user: User, account_id: int) -> ProfileCheck:
    """Switch the check on for one of the user's linked accounts; the first check is queued."""
    account = _own_account(user, account_id)
    if account.network not in CHECKABLE_NETWORKS:
        raise InvalidInput(
            "Profiles can be checked on Mastodon and Bluesky accounts only.", field="account"
        )
    if not account.is_monitored:
        raise InvalidInput(
            "Prove that the account is yours first (Linked accounts page); "
            "then its profile can be checked.",
            field="account",
        )
    check, created = ProfileCheck.objects.get_or_create(
        account=account, defaults={"organization": account.organization, "user": user}
    )
    if created:
        audit_record(
            organization=user.organization,
            actor=user,
            action="advocacy.profile_check_enabled",
            target=check,
            data={"network": account.network},
        )
    profile_check_queue(check=check)
    return check


def profile_check_disable(*, user: User, check_id: int) -> None:
    """Switch the check off: the stored profile and result are deleted."""
    check = _own_check(user, check_id)
    audit_record(
        organization=user.organization,
        actor=user,
        action="advocacy.profile_check_disabled",
        target=check,
        data={},
    )
    check.delete()


def profile_check_set_sharing(*, user: User, check_id: int, share: bool) -> ProfileCheck:
    check = _own_check(user, check_id)
    check.share_with_staff = share
    check.save(update_fields=["share_with_staff", "updated_at"])
    audit_record(
        organization=user.organization,
        actor=user,
        action="advocacy.profile_check_sharing",
        target=check,
        data={"share": share},
    )
    return check


def profile_check_request(*, user: User, check_id: int) -> ProfileCheck:
    check = _own_check(user, check_id)
    profile_check_queue(check=check)
    return check


def profile_check_queue(*, check: ProfileCheck) -> None:
    from chorus.advocacy.tasks import profile_check_task

    ProfileCheck.objects.filter(pk=check.pk).update(next_check_at=timezone.now())
    transaction.on_commit(partial(profile_check_task.enqueue, check_id=check.pk))


def profile_checks_changed(*, network: str, external_ids: set[str]) -> int:
    """The network said these accounts' profiles changed (Jetstream profile commits and
    identity events): check them again now."""
    checks = list(
        ProfileCheck.objects.filter(account__network=network, account__external_id__in=external_ids)
    )
    for check in checks:
        profile_check_queue(check=check)
    return len(checks)


def profile_checks_due(*, now: Any = None) -> list[int]:
    from django.db.models import Q

    moment = now or timezone.now()
    return list(
        ProfileCheck.objects.filter(
            Q(next_check_at__isnull=True) | Q(next_check_at__lte=moment),
        )
        .exclude(account__status=LinkedAccount.Status.REVOKED)
        .values_list("pk", flat=True)[:500]
    )


def rules_for(*, organization: Organization, user: User) -> ProfileRules:
    policy = screening_policy(organization=organization)
    rule = disclosure_rule(organization=organization, policy=policy)
    spec = getattr(policy, "organization", None)
    names = (
        organization.name,
        getattr(spec, "name", "") or "",
        *(getattr(spec, "aliases", ()) or ()),
    )
    advocates = Share.objects.filter(user=user, confirmed_at__isnull=False).exists()
    disclaimer = policy.disclosure.disclaimer or ""
    return ProfileRules(
        organization_names=tuple(dict.fromkeys(n for n in names if n)),
        disclaimer=disclaimer,
        disclaimer_required=bool(disclaimer),
        affiliation_required=rule.required and advocates,
        hashtags=rule.accepted,
    )


def suggested_bio(
    *, organization: Organization, user: User, network: str, language: str
) -> BioLine:
    """The profile kit's line for this network, in `language`, within its length limit."""
    policy = screening_policy(organization=organization)
    person = user.person
    kit = profile_kit(
        organization=organization.name,
        title=person.title if person else "",
        disclaimer=policy.disclosure.disclaimer or "",
        hashtags=tuple(policy.effective_hashtags()),
        language=language,
    )
    spec = PRESENCE_NETWORKS[network]
    return next(line for line in kit if line.network is spec)


def _fetch(account: LinkedAccount) -> ProfileFacts:
    from chorus.monitoring.services.accounts import connector_for

    if account.network == "bluesky":
        # By DID: a handle can change, the DID does not.
        ref = AccountRef(
            handle=account.external_id or account.handle, external_id=account.external_id
        )
    else:
        ref = AccountRef(
            handle=account.handle, external_id=account.external_id, instance=account.instance
        )
    profile = connector_for(account.network).resolve(ref)
    return ProfileFacts(
        display_name=profile.display_name, bio=profile.bio, fields=tuple(profile.fields)
    )


def _fail(check: ProfileCheck, exc: ConnectorError) -> None:
    now = timezone.now()
    check.checked_at, check.last_error = now, exc.message[:500]
    if exc.status == 429:
        check.status = ProfileCheck.Status.RATE_LIMITED
        wait = timedelta(seconds=min(exc.retry_after, 86400)) if exc.retry_after else DEFAULT_RETRY
        check.next_check_at = now + wait
    elif exc.permanent:
        check.consecutive_failures += 1
        check.status = ProfileCheck.Status.VANISHED
        check.next_check_at = now + CHECK_EVERY  # it may come back; the last result is kept
    else:
        check.consecutive_failures += 1
        check.status = ProfileCheck.Status.FAILING
        check.next_check_at = now + min(
            DEFAULT_RETRY * 2 ** (check.consecutive_failures - 1), MAX_BACKOFF
        )
    check.save()


def _apply(check: ProfileCheck, facts: ProfileFacts, result: Assessment) -> None:
    now = timezone.now()
    check.display_name, check.bio = facts.display_name[:300], facts.bio[:5000]
    check.fields = [list(f) for f in facts.fields]
    check.profile_hash = hashlib.sha256(
        json.dumps([facts.display_name, facts.bio, facts.fields]).encode()
    ).hexdigest()
    check.has_disclaimer, check.claims_official = result.has_disclaimer, result.claims_official
    check.states_affiliation, check.problems = result.states_affiliation, list(result.problems)
    check.status = ProfileCheck.Status.OK if result.compliant else ProfileCheck.Status.NEEDS_CHANGE
    check.checked_at = check.last_success_at = now
    check.next_check_at = now + CHECK_EVERY
    check.consecutive_failures, check.last_error = 0, ""
    check.save()


def profile_check_run(*, check_id: int) -> ProfileCheck | None:
    """Fetch the profile and assess it (the worker's job)."""
    check = (
        ProfileCheck.objects.select_related("account", "organization", "user")
        .filter(pk=check_id)
        .first()
    )
    if check is None:
        return None
    if not check.account.is_monitored:
        check.next_check_at = None
        check.save(update_fields=["next_check_at", "updated_at"])
        return check
    try:
        facts = _fetch(check.account)
    except ConnectorError as exc:
        _fail(check, exc)
        return check
    _apply(check, facts, assess(facts, rules_for(organization=check.organization, user=check.user)))
    return check


def profile_check_summary(*, organization: Organization) -> dict[str, Any]:
    """What staff see: counts per status and, only where allowed, the people's results."""
    rows = dict(
        ProfileCheck.objects.filter(organization=organization)
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    settings_row = AdvocacySettings.objects.filter(organization=organization).first()
    allowed = bool(settings_row and settings_row.profile_detail_for_staff)
    detail: QuerySet[ProfileCheck] | list[ProfileCheck] = []
    if allowed:
        detail = (
            ProfileCheck.objects.filter(organization=organization, share_with_staff=True)
            .select_related("account", "user")
            .order_by("status", "user__email")
        )
    return {
        "total": sum(rows.values()),
        "counts": [(s.label, rows.get(s.value, 0)) for s in ProfileCheck.Status],
        "compliant": rows.get(ProfileCheck.Status.OK, 0),
        "detail_allowed": allowed,
        "detail": list(detail),
    }


def profile_detail_for_staff_set(*, actor: User, allowed: bool) -> AdvocacySettings:
    """Allow (or stop) staff seeing the results of people who agreed to show theirs."""
    from chorus.advocacy.services.base import _require_editor

    _require_editor(actor)
    row = settings_for(organization=actor.org)
    row.profile_detail_for_staff = allowed
    row.save(update_fields=["profile_detail_for_staff", "updated_at"])
    audit_record(
        organization=actor.org,
        actor=actor,
        action="advocacy.profile_detail_for_staff",
        target=row,
        data={"allowed": allowed},
    )
    return row
