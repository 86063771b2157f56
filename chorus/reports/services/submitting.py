"""Submitting reports (signed in or anonymous), merging reports of one post into one case,
and the protected-activity screen that gates discipline."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable, Sequence
from datetime import timedelta
from functools import partial
from typing import Any

from django.apps import apps
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from chorus.audit.services import audit_record
from chorus.common.errors import Conflict, InvalidInput
from chorus.common.uploads import validate_image
from chorus.people.models import Organization, Person, User
from chorus.reports.links import detect_network, normalize_url, validate_report_url
from chorus.reports.models import (
    DEFAULT_SLA_HOURS,
    Category,
    Evidence,
    Network,
    Report,
    ReportEvent,
    RoutingRule,
    Submission,
)
from chorus.reports.selectors import key_hash
from chorus.reports.services.base import (
    ANONYMOUS,
    KEY_ALPHABET,
    MAX_SCREENSHOTS,
    SubmitResult,
    _clean_text,
)
from chorus.reports.services.routing import _route
from chorus.reports.services.triage import _enqueue_outcome


def _generate_key() -> str:
    # 20 symbols of a 32-letter alphabet: 100 bits, far beyond guessing through the key page.
    raw = "".join(secrets.choice(KEY_ALPHABET) for _ in range(20))
    return "-".join(raw[i : i + 5] for i in range(0, 20, 5))


def _resolve_network(url: str, network: str | None) -> str:
    detected = detect_network(url)
    if detected:
        return detected  # the link is authoritative over a hand-picked network
    if network and network in Network.values:
        return network
    if network:
        raise InvalidInput(
            f"“{network}” is not a network we know. Choose one from the list.", field="network"
        )
    raise InvalidInput(
        "We could not tell the network from this link. Choose it from the list "
        "(“Other website” for news sites, blogs and forums).",
        field="network",
    )


def screen_for_protected_activity(
    *, organization: Organization, texts: Iterable[str], network: str | None = None
) -> tuple[bool, bool]:
    """Screen texts with the organization's policy. Returns (screened, protected_activity).

    `screened` is False only when the screening app is not installed; such reports are treated
    as possibly protected (legal review before discipline).
    """
    if not apps.is_installed("chorus.checks"):
        return False, False
    from chorus.checks.services import screen_text

    protected = False
    for text in texts:
        if text and text.strip():
            result = screen_text(organization=organization, text=text, network=network)
            protected = protected or "protected_activity" in result.signals
    return True, protected


def _open_or_merge(
    *,
    organization: Organization,
    url: str,
    network: str,
    category: str,
    source: str,
    subject: Person | None,
) -> tuple[Report, bool]:
    """The open case for this post, locked, or a new one. Safe against concurrent reports."""
    normalized = normalize_url(url)
    for _ in range(2):
        existing = (
            Report.objects.select_for_update()
            .filter(organization=organization, url_normalized=normalized)
            .exclude(status=Report.Status.CLOSED)
            .first()
        )
        if existing is not None:
            existing.submission_count += 1
            fields = ["submission_count", "updated_at"]
            if subject is not None and existing.subject_id is None:
                existing.subject = subject
                fields.append("subject")
            existing.save(update_fields=fields)
            return existing, True
        rule = RoutingRule.objects.filter(organization=organization, category=category).first()
        sla = rule.sla_hours if rule else DEFAULT_SLA_HOURS[Category(category)]
        try:
            with transaction.atomic():
                report = Report.objects.create(
                    organization=organization,
                    url=url,
                    url_normalized=normalized,
                    network=network,
                    category=category,
                    source=source,
                    subject=subject,
                    rule=rule,
                    sla_hours=sla,
                    due_at=timezone.now() + timedelta(hours=sla),
                )
            return report, False
        except IntegrityError:
            continue  # someone opened the case a moment ago: merge into theirs
    raise Conflict("This post was reported at the same moment by someone else. Send it again.")


def _store_screenshots(*, submission: Submission, screenshots: Sequence[UploadedFile]) -> None:
    for upload in screenshots:
        mime = validate_image(upload, field="screenshots")
        digest = hashlib.sha256()
        for chunk in upload.chunks():
            digest.update(chunk)
        upload.seek(0)
        evidence = Evidence(
            organization_id=submission.organization_id,
            submission=submission,
            sha256=digest.hexdigest(),
            mime=mime,
            size=upload.size or 0,
            original_name=(upload.name or "")[:255],
        )
        evidence.file.save("screenshot", upload, save=False)
        evidence.save()


@transaction.atomic
def report_submit(
    *,
    organization: Organization,
    reporter: User,
    url: str,
    category: str,
    description: str,
    network: str | None = None,
    post_text: str = "",
    anonymous: bool = False,
    screenshots: Sequence[UploadedFile] = (),
) -> SubmitResult:
    """File an employee's report of a post; merge it into the open case for that post.

    Validates everything (URL, network, category, texts, every screenshot) before writing, so
    a bad file never leaves a half-saved report. Anonymous: no identity is stored anywhere and
    the returned `key` (shown once) is the only way back to the report.
    """
    url = validate_report_url(url)
    network = _resolve_network(url, network)
    if category not in Category.values:
        raise InvalidInput("Choose what kind of concern this is from the list.", field="category")
    description = _clean_text(description, field="description", label="the concern", required=True)
    post_text = _clean_text(post_text, field="post_text", label="the post's text", required=False)
    if len(screenshots) > MAX_SCREENSHOTS:
        raise InvalidInput(
            f"Attach at most {MAX_SCREENSHOTS} screenshots (you chose {len(screenshots)}).",
            field="screenshots",
        )
    for upload in screenshots:
        validate_image(upload, field="screenshots")

    report, merged = _open_or_merge(
        organization=organization,
        url=url,
        network=network,
        category=category,
        source=Report.Source.EMPLOYEE,
        subject=None,
    )
    key = _generate_key() if anonymous else None
    submission = Submission.objects.create(
        organization=organization,
        report=report,
        reporter=None if anonymous else reporter,
        anonymous=anonymous,
        key_hash=key_hash(key) if key else None,
        url=url,
        category=category,
        description=description,
        post_text=post_text,
    )
    _store_screenshots(submission=submission, screenshots=screenshots)
    _after_submission(
        report=report, submission=submission, merged=merged, actor=None if anonymous else reporter
    )
    audit_record(
        organization=organization,
        actor=ANONYMOUS if anonymous else reporter,
        action="reports.merged" if merged else "reports.submitted",
        target=report,
        data={
            "submission": submission.pk,
            "category": category,
            "anonymous": anonymous,
            "screenshots": len(screenshots),
        },
    )
    from chorus.notifications.events import emit_event

    # Neutral facts only: never the description, the post or who reported it.
    emit_event(organization=organization, type="report.submitted", data={
        "report_id": report.pk, "reference": report.reference, "category": category,
        "network": network, "merged": merged, "submission_id": submission.pk,
    })  # fmt: skip
    return SubmitResult(submission=submission, report=report, merged=merged, key=key)


def _after_submission(*, report: Report, submission: Submission, merged: bool, actor: Any) -> None:
    texts = [submission.description, submission.post_text]
    screened, protected = screen_for_protected_activity(
        organization=report.organization, texts=texts, network=report.network
    )
    fields = []
    if screened and not report.screened and not merged:
        report.screened = True
        fields.append("screened")
    if protected and not report.protected_activity:
        report.protected_activity = True
        fields.append("protected_activity")
    if fields:
        report.save(update_fields=[*fields, "updated_at"])
    ReportEvent.objects.create(
        organization_id=report.organization_id,
        report=report,
        submission=submission,
        actor=actor,
        kind=ReportEvent.Kind.MERGED if merged else ReportEvent.Kind.CREATED,
        note=(
            f"Reported again ({report.submission_count} reports of this post)."
            if merged
            else "Report received."
        ),
    )
    _route(report=report, texts=[*texts, submission.url], actor=actor)
    if not merged:
        from chorus.reports.hooks import REPORT_HOOKS

        for hook in list(REPORT_HOOKS):
            hook(report=report, texts=[*texts, submission.url])
    if merged and report.status in (Report.Status.ACTIONED, Report.Status.NO_ACTION):
        # The decision is already taken: tell this reporter too.
        transaction.on_commit(partial(_enqueue_outcome, report.pk))


def report_create_from_monitoring(
    *,
    organization: Organization,
    url: str,
    network: str,
    category: str,
    description: str,
    subject: Person | None = None,
) -> Report:
    """Put a monitoring finding in the report queue (merging with reports of the same post).

    Fixed interface used by `chorus.monitoring`. The finding becomes a submission without a
    reporter; routing, SLA and the protected-activity screen apply as for employee reports.
    """
    with transaction.atomic():
        url = validate_report_url(url)
        network = _resolve_network(url, network or None)
        if category not in Category.values:
            raise InvalidInput(f"Unknown report category “{category}”.", field="category")
        description = _clean_text(
            description, field="description", label="the finding", required=True
        )
        if subject is not None and subject.organization_id != organization.pk:
            raise InvalidInput("The subject belongs to another organization.", field="subject")
        report, merged = _open_or_merge(
            organization=organization,
            url=url,
            network=network,
            category=category,
            source=Report.Source.MONITORING,
            subject=subject,
        )
        submission = Submission.objects.create(
            organization=organization,
            report=report,
            reporter=None,
            anonymous=False,
            url=url,
            category=category,
            description=description,
        )
        _after_submission(report=report, submission=submission, merged=merged, actor=None)
        audit_record(
            organization=organization,
            actor=None,
            action="reports.merged" if merged else "reports.submitted",
            target=report,
            data={"submission": submission.pk, "category": category, "source": "monitoring"},
        )
        return report
