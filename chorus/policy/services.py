"""Writes for policies: create drafts, edit them with a version check, publish, retire,
import and export YAML, apply lint suggestions, switch lints off.

Guarantees:
- Every stored document is valid and canonical (`documents.normalize_document`).
- Published and retired versions are never changed; their `content_hash` verifies.
- A stale `lock_version` never overwrites a newer save: the update is a conditional UPDATE.
- Import is atomic: an invalid file creates nothing.
- Publish, retire, create and import are written to the audit trail in the same transaction.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.formats import date_format

from chorus.audit.services import audit_record
from chorus.common.errors import Conflict, InvalidInput, NotFound
from chorus.people.models import Organization, User
from chorus.policy import hooks
from chorus.policy.documents import (
    FixError,
    apply_fix,
    canonical_order,
    document_outline,
    document_plain_text,
    normalize_document,
)
from chorus.policy.lints import ERROR, REGISTRY, LintFinding
from chorus.policy.models import (
    ALLOWED_TRANSITIONS,
    Policy,
    PolicyLintSettings,
    PolicyVersion,
    PolicyVersionEvent,
    document_hash,
)
from chorus.policy.presets import PRESET_INFO, preset_document
from chorus.policy.selectors import document_lint_findings, require_author
from chorus.policy.visibility import protected_names_in
from chorus.screening.policy import Policy as ScreeningPolicy
from chorus.screening.policy import PolicyError, dump_policy_yaml, parse_policy_yaml

MAX_YAML_BYTES = 256 * 1024


class PolicyDocumentInvalid(InvalidInput):
    """The document does not follow the policy schema; names the field and, for YAML, the line."""

    def __init__(self, message: str, *, field: str | None = None, line: int | None = None) -> None:
        super().__init__(message, field=field)
        self.line = line


def document_error(err: PolicyError) -> PolicyDocumentInvalid:
    where = f"Line {err.line}: " if err.line else ""
    field = f"{err.field}: " if err.field else ""
    return PolicyDocumentInvalid(
        f"{where}{field}{err.message}.", field=err.field or None, line=err.line
    )


def validate_document(document: Any) -> dict[str, Any]:
    """The canonical form of `document`, or PolicyDocumentInvalid naming the field."""
    try:
        return normalize_document(document)
    except PolicyError as err:
        raise document_error(err) from err


# --------------------------------------------------------------------------- drafts


def _next_number(policy: Policy) -> int:
    # Lock the policy row so two drafts created at once cannot get the same number.
    Policy.objects.select_for_update().filter(pk=policy.pk).first()
    return (policy.versions.aggregate(n=Max("number"))["n"] or 0) + 1


def _event(
    version: PolicyVersion, *, actor: User | None, from_status: str, to_status: str, note: str = ""
) -> None:
    PolicyVersionEvent.objects.create(
        version=version, actor=actor, from_status=from_status, to_status=to_status, note=note
    )


def _create_version(
    *,
    policy: Policy,
    actor: User | None,
    document: dict[str, Any],
    origin: str,
    previous: PolicyVersion | None = None,
    note: str = "",
) -> PolicyVersion:
    version = PolicyVersion.objects.create(
        organization_id=policy.organization_id,
        policy=policy,
        number=_next_number(policy),
        document=document,
        origin=origin,
        previous=previous,
        created_by=actor,
        updated_by=actor,
    )
    _event(version, actor=actor, from_status="", to_status=PolicyVersion.Status.DRAFT, note=note)
    return version


def _with_org_facts(document: dict[str, Any], organization: Organization) -> dict[str, Any]:
    """Carry the organization's facts (names, products, entity lists, hashtags) over from the
    policy in force: they describe the company, not the preset, and dropping them would
    silently switch off screening for customers, competitors and codenames."""
    current = (
        PolicyVersion.objects.filter(
            organization=organization, status=PolicyVersion.Status.PUBLISHED
        )
        .only("document")
        .first()
    )
    if current is None:
        return document
    source = current.document
    merged = dict(document)
    org = dict(merged["organization"])
    for key in ("aliases", "products", "ticker", "regions"):
        if key in source.get("organization", {}):
            org[key] = source["organization"][key]
    merged["organization"] = org
    for key in ("entities", "allowlist", "languages"):
        if key in source:
            merged[key] = source[key]
    disclosure = dict(merged.get("disclosure", {}))
    for key in ("hashtags", "phrases", "disclaimer"):
        if key in source.get("disclosure", {}):
            disclosure[key] = source["disclosure"][key]
    merged["disclosure"] = disclosure
    return validate_document(merged)


@transaction.atomic
def policy_create_from_preset(
    *, organization: Organization, actor: User, preset: str, title: str
) -> PolicyVersion:
    """Create a policy and its first draft from a preset. Returns the draft."""
    require_author(actor)
    title = " ".join((title or "").split())
    if not title:
        raise InvalidInput(
            "Give the policy a title, for example “Social media policy”.", field="title"
        )
    if preset not in PRESET_INFO:
        raise InvalidInput(f"Choose a preset: {', '.join(PRESET_INFO)}.", field="preset")
    document = preset_document(
        preset,
        organization_name=organization.name,
        jurisdictions=organization.jurisdictions,
        title=title,
    )
    document = _with_org_facts(document, organization)
    policy = Policy.objects.create(organization=organization, title=title[:200], created_by=actor)
    version = _create_version(
        policy=policy,
        actor=actor,
        document=document,
        origin=f"preset:{preset}",
        note=f"Created from the {PRESET_INFO[preset].label.lower()} preset.",
    )
    audit_record(
        organization=organization,
        actor=actor,
        action="policy.created",
        target=version,
        data={"policy": policy.title, "origin": version.origin},
    )
    return version


@transaction.atomic
def policy_version_create_draft(*, version: PolicyVersion, actor: User) -> PolicyVersion:
    """Start a new draft from any version of the same policy (one open draft per policy)."""
    require_author(actor)
    existing = PolicyVersion.objects.filter(
        policy=version.policy, status=PolicyVersion.Status.DRAFT
    ).first()
    if existing is not None:
        raise Conflict(
            f"Version {existing.number} of “{version.policy.title}” is already a draft. Edit that "
            "draft instead of starting another one."
        )
    draft = _create_version(
        policy=version.policy,
        actor=actor,
        document=normalize_document(version.document),
        origin=f"version:{version.number}",
        previous=version,
        note=f"Started from version {version.number}.",
    )
    audit_record(
        organization=version.organization,
        actor=actor,
        action="policy.draft_created",
        target=draft,
        data={"from_version": version.number},
    )
    return draft


def _refuse_frozen(version: PolicyVersion) -> None:
    if version.status != PolicyVersion.Status.DRAFT:
        raise Conflict(
            f"Version {version.number} is {version.get_status_display().lower()} and can no longer "
            "be changed. Start a new draft from it instead.",
        )


@transaction.atomic
def policy_version_update(
    *, version: PolicyVersion, actor: User, document: Any, lock_version: int
) -> PolicyVersion:
    """Save a draft's document if nobody saved it since `lock_version` was read.

    A stale `lock_version` raises Conflict and changes nothing (the caller keeps its edits).
    """
    require_author(actor)
    _refuse_frozen(version)
    clean = validate_document(document)
    updated = PolicyVersion.objects.filter(
        pk=version.pk, status=PolicyVersion.Status.DRAFT, lock_version=lock_version
    ).update(
        document=clean,
        lock_version=F("lock_version") + 1,
        updated_by=actor,
        updated_at=timezone.now(),
    )
    if not updated:
        current = PolicyVersion.objects.select_related("updated_by").get(pk=version.pk)
        _refuse_frozen(current)
        who = current.updated_by.full_name if current.updated_by else "someone else"
        when = date_format(timezone.localtime(current.updated_at), "H:i")
        raise Conflict(
            f"{who} saved this draft at {when}, after you opened it. Your changes were not saved, "
            "so nothing was overwritten: copy your edits, reload the draft and apply them again.",
            field="lock_version",
        )
    version.refresh_from_db()
    return version


@transaction.atomic
def policy_version_apply_suggestion(
    *, version: PolicyVersion, actor: User, document: Any, lock_version: int, finding_key: str
) -> tuple[PolicyVersion, LintFinding]:
    """Apply one lint suggestion to `document` (the editor's current content) and save it."""
    require_author(actor)
    _refuse_frozen(version)
    clean = validate_document(document)
    findings = document_lint_findings(organization=version.organization, document=clean)
    finding = next((f for f in findings if f.key == finding_key), None)
    if finding is None:
        raise InvalidInput(
            "That lint no longer fires on the current text, so there is nothing to apply.",
            field="apply",
        )
    if finding.apply is None:
        raise InvalidInput(
            "This lint has to be fixed by hand; its suggestion explains how.", field="apply"
        )
    try:
        fixed = apply_fix(clean, finding.apply)
    except (FixError, PolicyError) as exc:
        raise InvalidInput(str(exc), field="apply") from exc
    version = policy_version_update(
        version=version, actor=actor, document=fixed, lock_version=lock_version
    )
    return version, finding


# --------------------------------------------------------------------------- status changes


def _transition(version: PolicyVersion, *, to: str, actor: User | None, note: str = "") -> None:
    if to not in ALLOWED_TRANSITIONS[version.status]:
        raise Conflict(
            f"Version {version.number} is {version.get_status_display().lower()}; it cannot become "
            f"{PolicyVersion.Status(to).label.lower()}."
        )
    old = version.status
    version.status = to
    _event(version, actor=actor, from_status=old, to_status=to, note=note)


def publish_blockers(document: dict[str, Any]) -> list[str]:
    """Why this document cannot be published (empty when it can)."""
    outline = document_outline(document)
    problems = []
    if not outline.rules:
        problems.append(
            "The policy has no rules switched on. Switch on at least one rule so employees know "
            "what the policy asks of them."
        )
    if not (outline.leading or outline.trailing):
        problems.append(
            "The policy has no sections. Write at least its purpose or scope so employees know "
            "why it exists and who it applies to."
        )
    named = protected_names_in(document, document_plain_text(document))
    if named:
        problems.append(
            f"The text employees read names {_names(named)}, which this policy keeps "
            "confidential. Every employee and candidate reads that text: describe the rule "
            "without the name (the screening still finds it)."
        )
    return problems


def _names(named: list[tuple[str, str]]) -> str:
    return ", ".join(f"{name!r} ({label})" for name, label in named)


@transaction.atomic
def policy_version_publish(
    *,
    version: PolicyVersion,
    actor: User,
    material: bool,
    change_summary: str = "",
    acknowledge_lint_errors: bool = False,
) -> PolicyVersion:
    """Publish a draft: freeze it with its content hash and retire the version in force.

    Refuses an empty policy, and a policy with error-level lints unless the author
    acknowledges them (after legal review). Publish hooks run after commit.
    """
    require_author(actor)
    version = PolicyVersion.objects.select_for_update().select_related("policy").get(pk=version.pk)
    _refuse_frozen(version)
    document = validate_document(version.document)
    problems = publish_blockers(document)
    if problems:
        raise InvalidInput(" ".join(problems), field="document")
    errors = [
        f
        for f in document_lint_findings(organization=version.organization, document=document)
        if f.severity == ERROR
    ]
    if errors and not acknowledge_lint_errors:
        ids = ", ".join(sorted({f.lint_id for f in errors}))
        raise InvalidInput(
            f"This draft has {len(errors)} error-level lint "
            f"finding{'s' if len(errors) != 1 else ''} "
            f"({ids}). Fix them, or confirm that legal has reviewed them and publish anyway.",
            field="acknowledge_lint_errors",
        )
    summary = (change_summary or "").strip()
    named = protected_names_in(document, summary)
    if named:
        raise InvalidInput(
            f"The change summary is shown to every employee and candidate, and it names "
            f"{_names(named)}, which this policy keeps confidential. Describe the change "
            'without the name (for example "updated the list of unreleased products").',
            field="change_summary",
        )
    previous_published = (
        PolicyVersion.objects.select_for_update()
        .filter(organization_id=version.organization_id, status=PolicyVersion.Status.PUBLISHED)
        .first()
    )
    if previous_published is not None:
        _transition(
            previous_published,
            to=PolicyVersion.Status.RETIRED,
            actor=actor,
            note=f"Replaced by {version.policy.title} v{version.number}.",
        )
        previous_published.save(update_fields=["status", "updated_at"])
        audit_record(
            organization=version.organization,
            actor=actor,
            action="policy.retired",
            target=previous_published,
            data={"replaced_by": version.pk, "hash": previous_published.content_hash},
        )
    now = timezone.now()
    _transition(
        version,
        to=PolicyVersion.Status.PUBLISHED,
        actor=actor,
        note=summary or ("Material change." if material else "Not a material change."),
    )
    version.document = document
    version.content_hash = document_hash(document)
    version.published_at = now
    version.published_by = actor
    version.material = bool(material)
    version.change_summary = summary
    version.save(
        update_fields=[
            "status",
            "document",
            "content_hash",
            "published_at",
            "published_by",
            "material",
            "change_summary",
            "updated_at",
        ]
    )
    audit_record(
        organization=version.organization,
        actor=actor,
        action="policy.published",
        target=version,
        data={
            "number": version.number,
            "hash": version.content_hash,
            "material": version.material,
            "lint_errors_acknowledged": sorted({f.lint_id for f in errors}),
        },
    )
    for hook in list(hooks.PUBLISH_HOOKS):
        transaction.on_commit(partial(hook, version))
    from chorus.notifications.events import emit_event

    emit_event(organization=version.organization, type="policy.published", data={
        "policy_version_id": version.pk, "number": version.number,
        "content_hash": version.content_hash, "material": version.material,
        "published_at": now.isoformat(),
    })  # fmt: skip
    return version


@transaction.atomic
def policy_version_retire(
    *, version: PolicyVersion, actor: User, reason: str = ""
) -> PolicyVersion:
    """Withdraw the published version; employees then see that no policy is in force."""
    require_author(actor)
    version = PolicyVersion.objects.select_for_update().get(pk=version.pk)
    _transition(version, to=PolicyVersion.Status.RETIRED, actor=actor, note=reason.strip())
    version.save(update_fields=["status", "updated_at"])
    audit_record(
        organization=version.organization,
        actor=actor,
        action="policy.retired",
        target=version,
        data={"reason": reason.strip(), "hash": version.content_hash},
    )
    return version


# --------------------------------------------------------------------------- YAML


def policy_version_export_yaml(version: PolicyVersion) -> str:
    """The version as policy-as-code YAML; importing it gives back an equal document."""
    return dump_policy_yaml(ScreeningPolicy.from_dict(canonical_order(version.document)))


@transaction.atomic
def policy_import_yaml(
    *,
    organization: Organization,
    actor: User,
    text: str | bytes,
    title: str = "",
    policy: Policy | None = None,
    source: str = "policy.yaml",
) -> PolicyVersion:
    """Create a new draft from YAML, in a new policy or as the next version of `policy`.

    Errors name the line and field; nothing is created unless the whole file is valid.
    """
    require_author(actor)
    if isinstance(text, bytes):
        if len(text) > MAX_YAML_BYTES:
            raise InvalidInput(_too_big(len(text)), field="file")
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = exc.object[: exc.start].count(b"\n") + 1
            raise PolicyDocumentInvalid(
                f"Line {line}: the file is not UTF-8 text.", field="file", line=line
            ) from exc
    if len(text.encode("utf-8")) > MAX_YAML_BYTES:
        raise InvalidInput(_too_big(len(text.encode("utf-8"))), field="file")
    if not text.strip():
        raise InvalidInput(
            "The YAML is empty. Paste a policy or choose a .yaml file.", field="yaml"
        )
    try:
        parsed = parse_policy_yaml(text, source=source)
    except PolicyError as err:
        raise document_error(err) from err
    document = validate_document(parsed.to_dict())
    if policy is not None and policy.organization_id != organization.pk:
        raise NotFound("No such policy in your organization.")
    if policy is not None and policy.versions.filter(status=PolicyVersion.Status.DRAFT).exists():
        raise Conflict(
            f"“{policy.title}” already has a draft. Publish or edit it before importing another."
        )
    if policy is None:
        title = " ".join((title or parsed.title or "Imported policy").split())[:200]
        policy = Policy.objects.create(organization=organization, title=title, created_by=actor)
    version = _create_version(
        policy=policy,
        actor=actor,
        document=document,
        origin="import",
        note=f"Imported from {source}.",
    )
    audit_record(
        organization=organization,
        actor=actor,
        action="policy.imported",
        target=version,
        data={"source": source[:200], "policy": policy.title},
    )
    return version


def _too_big(size: int) -> str:
    return (
        f"The file is {size / 1024:.0f} KB; policy files are limited to "
        f"{MAX_YAML_BYTES // 1024} KB. Remove unused text and try again."
    )


# --------------------------------------------------------------------------- lint switches


@transaction.atomic
def lint_settings_update(
    *, organization: Organization, actor: User, disabled: list[str]
) -> PolicyLintSettings:
    """Replace the organization's list of switched-off lints (unknown ids are refused)."""
    require_author(actor)
    unknown = sorted(set(disabled) - set(REGISTRY))
    if unknown:
        raise InvalidInput(
            f"Unknown lint {unknown[0]}; see the lint list for valid ids.", field="disabled"
        )
    settings, _ = PolicyLintSettings.objects.select_for_update().get_or_create(
        organization=organization
    )
    before = sorted(settings.disabled)
    settings.disabled = sorted(set(disabled))
    settings.save(update_fields=["disabled", "updated_at"])
    if before != settings.disabled:
        audit_record(
            organization=organization,
            actor=actor,
            action="policy.lints_changed",
            target=settings,
            data={"before": before, "after": settings.disabled},
        )
    return settings
