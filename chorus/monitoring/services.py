"""Writes for monitoring: settings, consent and links, ingestion, alerts, retention.

Guarantees, relied on by the pages, the API, the poller and `chorus stream`:

- An account is read only while its consent stands, and only posts published at or after
  `read_from` (the consent time, or the start date chosen for uploads) are ever stored.
- A post is stored once per (network, external id); the account cursor moves in the same
  transaction as the posts it covers, so a crash at any point loses and duplicates nothing.
- Every new or edited post is screened with the organization's policy. A finding at or above
  the threshold creates one alert per post, told to the employee first; only a critical or a
  repeated finding reaches the report queue. Protected activity never creates an alert.
- Revoking stops reading at once; the account's posts are deleted after the retention period
  by `monitoring_purge` (run on a schedule).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.conf import settings as django_settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from chorus.audit.services import audit_record
from chorus.common.errors import (
    Conflict,
    DomainError,
    InvalidInput,
    NotFound,
    PermissionDenied,
)
from chorus.connectors.base import (
    AccountRef,
    ConnectorError,
    RemotePost,
    call_with_retries,
    get_connector,
)
from chorus.monitoring.consent import CONSENT_VERSION, consent_text, text_sha256
from chorus.monitoring.models import (
    ARCHIVE_NETWORKS,
    SEVERITIES,
    ConsentRecord,
    IngestedPost,
    LinkedAccount,
    MonitoringAlert,
    MonitoringSettings,
    Network,
)
from chorus.monitoring.screening import ScreenFn, screener_for_organization
from chorus.people.models import Organization, Person, User

logger = logging.getLogger(__name__)
RANK = {name: rank for rank, name in enumerate(SEVERITIES)}
# Screening categories -> the report queue's categories (what HR triages).
REPORT_CATEGORY = {
    "harassment": "harassment", "secret": "security", "confidential": "leak", "mnpi": "leak",
    "pii": "leak", "spokesperson": "impersonation",
}
REPORT_NETWORK = {"x_archive": "x", "linkedin_export": "linkedin", "rss": "web"}
MAX_ARCHIVE_BYTES = 50 * 1024 * 1024


class MonitoringError(InvalidInput):
    """A monitoring rule refused the input; the message says what to do."""


# ---------------------------------------------------------------- settings


def settings_get(*, organization: Organization) -> MonitoringSettings:
    """The organization's monitoring settings, created with safe defaults (no network on)."""
    found, _ = MonitoringSettings.objects.get_or_create(organization=organization)
    return found


@transaction.atomic
def settings_update(
    *, organization: Organization, actor: User, enabled_networks: list[str],
    alert_threshold: str, retention_days: int, escalate_after: int,
    dpia_reference: str = "", works_council_reference: str = "",
) -> MonitoringSettings:
    """Change what may be linked and how findings are handled. EU organizations cannot enable
    a network without a DPIA reference, German ones without a works-council agreement."""
    if not actor.has_role("admin"):
        raise PermissionDenied("Only administrators change monitoring settings.")
    unknown = [n for n in enabled_networks if n not in Network.values]
    if unknown:
        raise MonitoringError(f"Unknown network {unknown[0]!r}.", field="enabled_networks")
    if alert_threshold not in MonitoringSettings.Threshold.values:
        raise MonitoringError("Choose low, medium, high or critical.", field="alert_threshold")
    if not 1 <= retention_days <= 365:
        raise MonitoringError("Keep posts between 1 and 365 days.", field="retention_days")
    if escalate_after < 1:
        raise MonitoringError("Use 1 or more.", field="escalate_after")
    problems = readiness_problems(organization=organization, dpia_reference=dpia_reference,
                                  works_council_reference=works_council_reference)
    if enabled_networks and problems:
        raise MonitoringError(problems[0][1], field=problems[0][0])
    current = settings_get(organization=organization)
    before = {"networks": current.enabled_networks, "threshold": current.alert_threshold,
              "retention_days": current.retention_days}
    current.enabled_networks = sorted(set(enabled_networks))
    current.alert_threshold = alert_threshold
    current.retention_days = retention_days
    current.escalate_after = escalate_after
    current.dpia_reference = dpia_reference.strip()
    current.works_council_reference = works_council_reference.strip()
    current.save()
    audit_record(
        organization=organization, actor=actor, action="monitoring.settings_changed",
        target=current,
        data={"before": before, "after": {"networks": current.enabled_networks,
                                          "threshold": alert_threshold,
                                          "retention_days": retention_days}},
    )
    return current


def readiness_problems(
    *, organization: Organization, dpia_reference: str | None = None,
    works_council_reference: str | None = None,
) -> list[tuple[str, str]]:
    """What must be recorded before monitoring may start: (field, message) pairs."""
    current = settings_get(organization=organization)
    dpia = current.dpia_reference if dpia_reference is None else dpia_reference
    council = (current.works_council_reference if works_council_reference is None
               else works_council_reference)
    problems = []
    if organization.in_eu and not dpia.strip():
        problems.append(("dpia_reference",
                         "Record the data protection impact assessment (DPIA) before enabling "
                         "monitoring: employee monitoring in the EU needs one (GDPR Art. 35)."))
    codes = {j.split("-")[0] for j in organization.jurisdictions}
    if "DE" in codes and not council.strip():
        problems.append(("works_council_reference",
                         "Record the works-council agreement before enabling monitoring in "
                         "Germany (BetrVG §87(1) no. 6)."))
    return problems


# ---------------------------------------------------------------- consent and links


def consent_text_for(
    *, organization: Organization, network: str, handle: str, read_from: datetime | None = None,
) -> str:
    current = settings_get(organization=organization)
    return consent_text(
        organization=organization, network=network, handle=handle or "(the account you enter)",
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
    (the account must exist) and read from now on; uploads are read from `read_from`, the date
    the person chose.
    """
    person = _person_of(user)
    organization = person.organization
    current = settings_get(organization=organization)
    if network not in Network.values:
        raise MonitoringError("Choose a network.", field="network")
    if network not in current.enabled_networks:
        raise MonitoringError(
            f"{Network(network).label} is not enabled for your organization. Ask an "
            "administrator to enable it under Monitoring settings.", field="network")
    problems = readiness_problems(organization=organization)
    if problems:
        raise MonitoringError(problems[0][1] + " Ask an administrator.", field="network")
    handle = handle.strip()
    if not handle:
        raise MonitoringError("Enter the account's handle or address.", field="handle")
    if not agreed:
        raise MonitoringError("Tick the box to give your consent; nothing is read without it.",
                              field="agreed")
    if consent_version != CONSENT_VERSION:
        raise MonitoringError("The consent text changed while you were reading it. Read the "
                              "new text and agree again.", field="agreed")
    now = timezone.now()
    if network in ARCHIVE_NETWORKS:
        start = read_from or now
        if start > now:
            raise MonitoringError("The start date cannot be in the future.", field="read_from")
        external_id, profile_url = f"{user.pk}:{handle.lower()}", ""
    else:
        start = now
        try:
            profile = call_with_retries(lambda: connector_for(network).resolve(
                AccountRef(handle=handle, instance=instance.strip())))
        except ConnectorError as exc:
            raise MonitoringError(f"We could not find this account: {exc.message}",
                                  field="handle") from None
        external_id, profile_url, handle = profile.external_id, profile.url, profile.handle
    # The network was asked above, outside any transaction: no row lock waits on a slow server.
    with transaction.atomic():
        return _account_create(user=user, person=person, network=network, handle=handle,
                               instance=instance, external_id=external_id,
                               profile_url=profile_url, now=now, start=start)


def _account_create(
    *, user: User, person: Person, network: str, handle: str, instance: str, external_id: str,
    profile_url: str, now: datetime, start: datetime,
) -> LinkedAccount:
    organization = person.organization
    taken = LinkedAccount.objects.filter(network=network, external_id=external_id).exclude(
        status=LinkedAccount.Status.REVOKED)
    if taken.exists():
        raise Conflict("This account is already linked. Revoke the existing link first.",
                       field="handle")
    text = consent_text_for(organization=organization, network=network, handle=handle,
                            read_from=start)
    try:
        with transaction.atomic():
            account = LinkedAccount.objects.create(
                organization=organization, person=person, network=network,
                handle=handle[:300], instance=instance.strip()[:300], external_id=external_id,
                profile_url=profile_url[:500], consented_at=now, read_from=start,
                consent_version=CONSENT_VERSION,
            )
    except IntegrityError:  # linked at the same moment by another request
        raise Conflict("This account is already linked. Revoke the existing link first.",
                       field="handle") from None
    ConsentRecord.objects.create(
        organization=organization, account=account, person=person, actor=user,
        action=ConsentRecord.Action.GRANTED, version=CONSENT_VERSION, text=text,
        text_sha256=text_sha256(text),
    )
    audit_record(organization=organization, actor=user, action="monitoring.consent_granted",
                 target=account, data={"network": network, "version": CONSENT_VERSION})
    if network not in ARCHIVE_NETWORKS:
        from chorus.monitoring.tasks import poll_account_task

        transaction.on_commit(partial(poll_account_task.enqueue, account_id=account.pk))
    return account


@transaction.atomic
def account_revoke(*, user: User, account: LinkedAccount) -> LinkedAccount:
    """Withdraw consent: reading stops now; stored posts are deleted after the retention
    period. Only the account's owner withdraws their consent."""
    account = LinkedAccount.objects.select_for_update().get(pk=account.pk)
    if account.person.user_id != user.pk:
        raise NotFound("No such linked account.")
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


def _person_of(user: User) -> Person:
    person = user.person
    if person is None or person.organization_id != user.organization_id:
        raise MonitoringError("Your account is not linked to an employee record; ask HR.")
    return person


# ---------------------------------------------------------------- ingestion


@dataclass
class IngestResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped_before_consent: int = 0
    skipped_reposts: int = 0
    alerts: list[int] = field(default_factory=list)


def _account_ref(account: LinkedAccount) -> AccountRef:
    return AccountRef(handle=account.handle, external_id=account.external_id,
                      instance=account.instance)


def _screen(post: IngestedPost, screen: ScreenFn) -> dict[str, Any]:
    result = screen(post.text, post.network)
    post.verdict = result.get("verdict", "allow")
    post.findings = result.get("findings", [])
    post.protected_activity = "protected_activity" in result.get("signals", [])
    return result


def apply_remote_post(
    *, account: LinkedAccount, remote: RemotePost, screen: ScreenFn, result: IngestResult,
    alert_settings: MonitoringSettings,
) -> IngestedPost | None:
    """Store or update one post of `account` (inside the caller's transaction)."""
    if remote.published_at < account.read_from:
        result.skipped_before_consent += 1
        return None
    if remote.is_repost:
        # A plain repost carries someone else's words, not the employee's.
        result.skipped_reposts += 1
        return None
    existing = IngestedPost.objects.filter(network=account.network,
                                           external_id=remote.external_id).first()
    if existing is not None:
        if existing.account_id != account.pk:
            result.unchanged += 1  # the same post under an older, revoked link
            return existing
        if existing.text == remote.text and existing.deleted_at is None:
            result.unchanged += 1
            return existing
        existing.text = remote.text
        existing.edited_at = remote.edited_at or timezone.now()
        existing.deleted_at = None
        _screen(existing, screen)
        existing.save(update_fields=["text", "edited_at", "deleted_at", "verdict", "findings",
                                     "protected_activity", "updated_at"])
        result.updated += 1
        _alert_after_screening(post=existing, settings=alert_settings, result=result,
                               edited=True)
        return existing
    post = IngestedPost(
        organization_id=account.organization_id, account=account, network=account.network,
        external_id=remote.external_id, url=remote.url[:500], text=remote.text,
        published_at=remote.published_at, edited_at=remote.edited_at,
    )
    _screen(post, screen)
    post.save()
    result.created += 1
    _alert_after_screening(post=post, settings=alert_settings, result=result, edited=False)
    return post


def store_new_posts(
    *, items: list[tuple[LinkedAccount, RemotePost]], screen_for: Any, settings_for: Any,
    result: IngestResult,
) -> None:
    """Store a batch of posts (the stream's hot path), inside the caller's transaction.

    Existing ids are found with one query and new posts inserted with one `bulk_create`; a post
    seen before (a replay, an edit) goes through `apply_remote_post`. If another process stored
    one of the posts meanwhile, the batch falls back to one savepoint per post.
    """
    if not items:
        return
    network = items[0][0].network
    ids = {remote.external_id for _, remote in items}
    known = set(IngestedPost.objects.filter(network=network, external_id__in=ids)
                .values_list("external_id", flat=True))
    fresh: list[tuple[LinkedAccount, IngestedPost]] = []
    for account, remote in items:
        if remote.external_id in known:
            apply_remote_post(account=account, remote=remote, result=result,
                              screen=screen_for(account),
                              alert_settings=settings_for(account))
            continue
        if remote.published_at < account.read_from:
            result.skipped_before_consent += 1
            continue
        if remote.is_repost:
            result.skipped_reposts += 1
            continue
        post = IngestedPost(
            organization_id=account.organization_id, account=account, network=account.network,
            external_id=remote.external_id, url=remote.url[:500], text=remote.text,
            published_at=remote.published_at, edited_at=remote.edited_at,
        )
        _screen(post, screen_for(account))
        fresh.append((account, post))
        known.add(remote.external_id)
    if not fresh:
        return
    try:
        with transaction.atomic():
            IngestedPost.objects.bulk_create([post for _, post in fresh])
    except IntegrityError:
        for account, post in fresh:
            remote = RemotePost(external_id=post.external_id, text=post.text,
                                published_at=post.published_at, url=post.url,
                                edited_at=post.edited_at)
            try:
                with transaction.atomic():
                    apply_remote_post(account=account, remote=remote, result=result,
                                      screen=screen_for(account),
                                      alert_settings=settings_for(account))
            except IntegrityError:
                result.unchanged += 1
        return
    result.created += len(fresh)
    for account, post in fresh:
        if post.findings and not post.protected_activity:
            _alert_after_screening(post=post, settings=settings_for(account), result=result,
                                   edited=False)


def apply_remote_delete(*, account: LinkedAccount, external_id: str) -> bool:
    """The author deleted the post: forget its text and close its alert."""
    post = IngestedPost.objects.filter(account=account, network=account.network,
                                       external_id=external_id, deleted_at__isnull=True).first()
    if post is None:
        return False
    post.deleted_at = timezone.now()
    post.text = ""
    post.findings = []
    post.save(update_fields=["deleted_at", "text", "findings", "updated_at"])
    MonitoringAlert.objects.filter(post=post).exclude(
        status=MonitoringAlert.Status.RESOLVED).update(
        status=MonitoringAlert.Status.RESOLVED, resolution="The post was deleted.",
        updated_at=timezone.now())
    return True


def ingest_posts(
    *, account_id: int, posts: list[RemotePost], cursor: str | None,
    screen: ScreenFn | None = None, recent: list[RemotePost] | None = None,
) -> IngestResult:
    """Store a batch read from one account and move its cursor, in one transaction.

    `recent` (the newest page as the network shows it now) reconciles edits and deletions:
    a stored post inside that page's id range but missing from it was deleted.
    """
    result = IngestResult()
    with transaction.atomic():
        account = LinkedAccount.objects.select_for_update().select_related("organization").get(
            pk=account_id)
        if account.status == LinkedAccount.Status.REVOKED:
            return result  # consent was withdrawn while we were reading: store nothing
        screen = screen or screener_for_organization(account.organization)
        alert_settings = settings_get(organization=account.organization)
        for remote in posts:
            apply_remote_post(account=account, remote=remote, screen=screen, result=result,
                              alert_settings=alert_settings)
        if recent is not None:
            _reconcile_recent(account=account, recent=recent, screen=screen, result=result,
                              alert_settings=alert_settings)
        fields = ["last_read_at", "last_error", "consecutive_failures", "status", "updated_at"]
        if cursor:
            account.cursor = cursor
            fields.append("cursor")
        account.last_read_at = timezone.now()
        account.last_error = ""
        account.consecutive_failures = 0
        account.status = LinkedAccount.Status.ACTIVE
        account.save(update_fields=fields)
    return result


def _reconcile_recent(
    *, account: LinkedAccount, recent: list[RemotePost], screen: ScreenFn, result: IngestResult,
    alert_settings: MonitoringSettings,
) -> None:
    if not recent:
        return
    oldest = min(p.published_at for p in recent)
    by_id = {p.external_id: p for p in recent}
    stored = IngestedPost.objects.filter(account=account, published_at__gte=oldest,
                                         deleted_at__isnull=True)
    for post in stored:
        remote = by_id.get(post.external_id)
        if remote is None:
            apply_remote_delete(account=account, external_id=post.external_id)
        elif remote.text != post.text:
            apply_remote_post(account=account, remote=remote, screen=screen, result=result,
                              alert_settings=alert_settings)


@dataclass
class PollOutcome:
    ok: bool
    created: int = 0
    updated: int = 0
    error: str = ""


def account_poll(*, account_id: int, sleep: Any = None) -> PollOutcome:
    """Read new posts of one account now. Transient errors are retried with backoff (and
    Retry-After); a permanent one marks the account as needing attention with its message."""
    account = LinkedAccount.objects.select_related("organization").get(pk=account_id)
    if account.status == LinkedAccount.Status.REVOKED or account.is_archive:
        return PollOutcome(ok=True)
    connector = connector_for(account.network)
    ref = _account_ref(account)
    kwargs = {"sleep": sleep} if sleep is not None else {}
    try:
        page = call_with_retries(
            lambda: connector.fetch_new(ref, cursor=account.cursor or None,
                                        since=account.read_from), **kwargs)
        recent = call_with_retries(lambda: connector.fetch_recent(ref), **kwargs)
    except ConnectorError as exc:
        _record_failure(account_id=account.pk, error=exc)
        return PollOutcome(ok=False, error=exc.message)
    outcome = ingest_posts(account_id=account.pk, posts=page.posts, cursor=page.cursor,
                           recent=recent)
    return PollOutcome(ok=True, created=outcome.created, updated=outcome.updated)


def _record_failure(*, account_id: int, error: ConnectorError) -> None:
    with transaction.atomic():
        account = LinkedAccount.objects.select_for_update().get(pk=account_id)
        if account.status == LinkedAccount.Status.REVOKED:
            return
        account.last_error = error.message
        account.last_error_at = timezone.now()
        account.consecutive_failures += 1
        # A transient failure that keeps happening also needs a person to look at it.
        if error.permanent or account.consecutive_failures >= 5:
            account.status = LinkedAccount.Status.NEEDS_ATTENTION
        account.save(update_fields=["last_error", "last_error_at", "consecutive_failures",
                                    "status", "updated_at"])


def account_mark_attention(*, account: LinkedAccount, message: str) -> None:
    """Used by the stream when the network reports the account deactivated or deleted."""
    _record_failure(account_id=account.pk, error=ConnectorError(message, permanent=True))


def archive_import(*, user: User, account: LinkedAccount, data: bytes,
                   filename: str = "") -> IngestResult:
    """Import posts from an export the person uploaded for their own upload-type account."""
    if account.person.user_id != user.pk:
        raise NotFound("No such linked account.")
    if not account.is_archive:
        raise MonitoringError("This account is read automatically; there is nothing to upload.")
    if account.status == LinkedAccount.Status.REVOKED:
        raise MonitoringError("You withdrew consent for this account; link it again first.")
    if not data:
        raise MonitoringError("The file is empty. Choose the file from your export.",
                              field="file")
    if len(data) > MAX_ARCHIVE_BYTES:
        raise MonitoringError("The file is larger than 50 MB. Upload only data/tweets.js or "
                              "Shares.csv rather than the whole archive.", field="file")
    try:
        posts = connector_for(account.network).parse_archive(data, filename=filename)
    except ConnectorError as exc:
        raise MonitoringError(exc.message, field="file") from None
    result = ingest_posts(account_id=account.pk, posts=posts, cursor=None)
    audit_record(organization=account.organization, actor=user, action="monitoring.imported",
                 target=account, data={"file": filename[:100], "posts": len(posts),
                                       "created": result.created})
    return result


# ---------------------------------------------------------------- alerts


def _alert_after_screening(*, post: IngestedPost, settings: MonitoringSettings,
                           result: IngestResult, edited: bool) -> MonitoringAlert | None:
    threshold = RANK.get(settings.alert_threshold, RANK["medium"])
    hits = [f for f in post.findings if RANK.get(f.get("severity", "info"), 0) >= threshold]
    # A new post has no alert yet: skip the lookup on the stream's hot path.
    existing = MonitoringAlert.objects.filter(post=post).first() if edited else None
    if post.protected_activity or not hits:
        if existing is not None and existing.status != MonitoringAlert.Status.RESOLVED:
            existing.status = MonitoringAlert.Status.RESOLVED
            existing.resolution = "The edited post no longer raises a finding."
            existing.save(update_fields=["status", "resolution", "updated_at"])
        return None
    severity = max((f["severity"] for f in hits), key=lambda s: RANK.get(s, 0))
    categories = sorted({f.get("category", "") for f in hits if f.get("category")})
    summary = [
        {k: f.get(k, "") for k in ("rule_id", "category", "severity", "message", "suggestion",
                                   "excerpt")}
        for f in hits
    ]
    if existing is not None:
        existing.severity, existing.categories, existing.findings = severity, categories, summary
        existing.status = MonitoringAlert.Status.OPEN
        existing.resolution = ""
        existing.save(update_fields=["severity", "categories", "findings", "status",
                                     "resolution", "updated_at"])
        alert = existing
    else:
        alert = MonitoringAlert.objects.create(
            organization_id=post.organization_id, post=post, account=post.account,
            person=post.account.person, severity=severity, categories=categories,
            findings=summary, post_url=post.url,
        )
        result.alerts.append(alert.pk)
        from chorus.monitoring.tasks import alert_notify_task

        transaction.on_commit(partial(alert_notify_task.enqueue, alert_id=alert.pk))
    if alert.escalated_at is None:
        _maybe_escalate(alert=alert, settings=settings)
    return alert


def _maybe_escalate(*, alert: MonitoringAlert, settings: MonitoringSettings) -> None:
    since = timezone.now() - timedelta(days=settings.repeat_window_days)
    recent = MonitoringAlert.objects.filter(person_id=alert.person_id, created_at__gte=since)
    if alert.severity == "critical":
        reason = "Critical finding."
    elif recent.count() >= settings.escalate_after:
        reason = f"{recent.count()} findings within {settings.repeat_window_days} days."
    else:
        return
    alert.escalated_at = timezone.now()
    alert.escalation_reason = reason
    try:
        from chorus.reports.services import report_create_from_monitoring
    except ImportError:
        logger.warning("monitoring alert %s should escalate but chorus.reports is missing",
                       alert.pk)
        alert.escalation_reason = f"{reason} (report queue not installed)"
        alert.save(update_fields=["escalated_at", "escalation_reason", "updated_at"])
        return
    lines = [f"Monitoring found {', '.join(alert.categories) or 'a policy issue'} "
             f"({alert.severity}) on a linked {alert.account.get_network_display()} account.",
             f"Why it reached the queue: {reason}", ""]
    lines += [f"- {f['message']}" + (f" (\u201c{f['excerpt']}\u201d)" if f.get("excerpt") else "")
              for f in alert.findings]
    lines += ["", "The employee was told first and can respond; nothing was decided "
                  "automatically."]
    category = next((REPORT_CATEGORY[c] for c in alert.categories if c in REPORT_CATEGORY),
                    "other")
    try:
        with transaction.atomic():
            report = report_create_from_monitoring(
                organization=alert.account.organization, url=alert.post_url,
                network=REPORT_NETWORK.get(alert.account.network, alert.account.network),
                category=category,
                description="\n".join(lines), subject=alert.person,
            )
    except DomainError as exc:
        # The alert stays with the employee; the failed hand-over is visible on the alert.
        logger.warning("monitoring alert %s could not reach the queue: %s", alert.pk, exc)
        alert.escalation_reason = f"{reason} (not queued: {exc.message})"[:200]
        alert.save(update_fields=["escalated_at", "escalation_reason", "updated_at"])
        return
    alert.report_id = str(report.pk)
    alert.save(update_fields=["escalated_at", "escalation_reason", "report_id", "updated_at"])


@transaction.atomic
def alert_acknowledge(*, user: User, alert: MonitoringAlert) -> MonitoringAlert:
    """The employee read the coaching note. Only the alert's own employee acknowledges it."""
    if alert.person.user_id != user.pk:
        raise NotFound("No such alert.")
    if alert.status == MonitoringAlert.Status.OPEN:
        alert.status = MonitoringAlert.Status.ACKNOWLEDGED
        alert.save(update_fields=["status", "updated_at"])
    return alert


# ---------------------------------------------------------------- retention


@dataclass
class PurgeResult:
    accounts_purged: int = 0
    posts_deleted: int = 0


@transaction.atomic
def monitoring_purge(*, now: datetime | None = None) -> PurgeResult:
    """Delete what we no longer may keep: every post of an account whose consent was revoked
    once its retention period is over, and any post older than its organization's retention
    period. Alerts keep their metadata but lose the quoted text."""
    now = now or timezone.now()
    result = PurgeResult()
    due = LinkedAccount.objects.filter(status=LinkedAccount.Status.REVOKED, purge_after__lte=now,
                                       purged_at__isnull=True)
    for account in due.select_for_update():
        deleted, _ = IngestedPost.objects.filter(account=account).delete()
        _scrub_alerts(MonitoringAlert.objects.filter(account=account))
        account.purged_at = now
        account.cursor = ""
        account.save(update_fields=["purged_at", "cursor", "updated_at"])
        result.accounts_purged += 1
        result.posts_deleted += deleted
        audit_record(organization=account.organization, actor=None,
                     action="monitoring.purged", target=account, data={"posts": deleted})
    for current in MonitoringSettings.objects.all():
        old = IngestedPost.objects.filter(
            organization_id=current.organization_id,
            created_at__lt=now - timedelta(days=current.retention_days))
        _scrub_alerts(MonitoringAlert.objects.filter(post__in=old))
        deleted, _ = old.delete()
        result.posts_deleted += deleted
    return result


def _scrub_alerts(alerts: Any) -> None:
    for alert in alerts:
        alert.findings = [{**f, "excerpt": ""} for f in alert.findings]
        alert.save(update_fields=["findings", "updated_at"])
