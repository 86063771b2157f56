"""A whole organization's data, for the platform operator: export it, delete it.

Which rows belong to an organization is worked out from the models, so a new app is covered
without changes here: a row belongs when it has a foreign key to `people.Organization`, or
when it has no such key and a required (non-null) foreign key points at a row that belongs
(an event of an incident, a caption of a content item, the membership rows of a user). Shared
rows (roles, content types, the scheduler's bookkeeping, daily click salts) belong to nobody
and are never touched.

Guarantees:
- `org_export` writes one tar archive: `manifest.json` (organization, counts, every file with
  its SHA-256), `data.json` (Django's serialization of every row) and the organization's
  uploaded files under `media/`. Secrets are left out (password hashes, API token hashes).
- `org_delete` needs the organization's exact name as confirmation, deletes every belonging
  row in one transaction, checks every foreign key before committing (a reference from another
  organization aborts the whole deletion, which then changes nothing), and removes the uploaded
  files only after the commit. Other organizations' rows are never selected.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import tarfile
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from django.apps import apps
from django.core import serializers
from django.core.files.storage import default_storage
from django.db import connection, models, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from chorus.ops.backup import _sha256_file, chorus_version

logger = logging.getLogger(__name__)

# Secrets an export never carries: (model label, field) pairs blanked in data.json.
SECRET_FIELDS = {("people.User", "password"), ("people.ApiToken", "token_hash")}


class OrgDataError(Exception):
    """The export or deletion was refused; the message says why and what to do."""


def _organization_model() -> type[models.Model]:
    return apps.get_model("people", "Organization")


def _foreign_keys(model: type[models.Model]) -> list[models.ForeignKey[Any, Any]]:
    return [f for f in model._meta.concrete_fields if isinstance(f, models.ForeignKey)]


@dataclass(frozen=True)
class _Owner:
    direct: str | None  # the field pointing at Organization, if any
    via: tuple[tuple[str, type[models.Model]], ...]  # required FKs to owned models


def _owners() -> dict[type[models.Model], _Owner]:
    """Each model that can hold organization data, with how its rows are found."""
    organization = _organization_model()
    found: dict[type[models.Model], _Owner] = {}
    all_models = [
        m
        for m in apps.get_models(include_auto_created=True)
        if m._meta.managed and not m._meta.proxy
    ]
    for model in all_models:
        direct = [f.name for f in _foreign_keys(model) if f.related_model is organization]
        if direct:
            found[model] = _Owner(direct=direct[0], via=())
    changed = True
    while changed:  # grow to the fixed point: children of owned models, then their children
        changed = False
        for model in all_models:
            if model in found or model is organization:
                continue
            via = tuple(
                (f.name, f.related_model)
                for f in _foreign_keys(model)
                if f.related_model in found and (not f.null or model._meta.auto_created)
            )
            if via:
                found[model] = _Owner(direct=None, via=via)  # type: ignore[arg-type]
                changed = True
    return found


def _rows(
    model: type[models.Model],
    organization_id: int,
    owners: dict[type[models.Model], _Owner],
    depth: int = 0,
) -> QuerySet[Any]:
    owner = owners[model]
    manager = model._base_manager
    if owner.direct:
        return manager.filter(**{f"{owner.direct}_id": organization_id})
    if depth > 20:
        raise OrgDataError(f"{model._meta.label}: ownership chain too deep to resolve.")
    condition = Q()
    for name, target in owner.via:
        condition |= Q(
            **{f"{name}__in": _rows(target, organization_id, owners, depth + 1).values("pk")}
        )
    return manager.filter(condition)


def _depth(model: type[models.Model], owners: dict[type[models.Model], _Owner]) -> int:
    owner = owners[model]
    if owner.direct:
        return 1
    return 1 + max(_depth(target, owners) for _, target in owner.via)


def _get_organization(organization_id: int) -> Any:
    organization = _organization_model()._base_manager.filter(pk=organization_id).first()
    if organization is None:
        raise OrgDataError(
            f"No organization with id {organization_id}. List them with "
            '`chorus shell -c "from chorus.people.models import Organization; '
            "print(list(Organization.objects.values_list('id', 'name')))\"`."
        )
    return organization


def org_row_counts(*, organization_id: int) -> dict[str, int]:
    """Rows per model that belong to the organization (the organization row itself included)."""
    owners = _owners()
    counts = {
        model._meta.label: _rows(model, organization_id, owners).count()
        for model in sorted(owners, key=lambda m: m._meta.label)
    }
    counts[_organization_model()._meta.label] = (
        _organization_model()._base_manager.filter(pk=organization_id).count()
    )
    return {label: n for label, n in counts.items() if n}


def _file_names(model: type[models.Model], rows: QuerySet[Any]) -> list[str]:
    file_fields = [f.name for f in model._meta.concrete_fields if isinstance(f, models.FileField)]
    names: list[str] = []
    for field_name in file_fields:
        names += [
            n for n in rows.exclude(**{field_name: ""}).values_list(field_name, flat=True) if n
        ]
    return names


def org_export(*, organization_id: int, output: Path) -> dict[str, Any]:
    """Write the organization's complete export archive to `output`; return its manifest."""
    organization = _get_organization(organization_id)
    owners = _owners()
    exported: list[Any] = json.loads(serializers.serialize("json", [organization]))
    files: list[str] = []
    counts = {organization._meta.label: 1}
    for model in sorted(owners, key=lambda m: (_depth(m, owners), m._meta.label)):
        if model._meta.auto_created:  # many-to-many rows travel inside their parent objects
            continue
        rows = _rows(model, organization_id, owners).order_by("pk")
        if not rows.exists():
            continue
        objects = json.loads(serializers.serialize("json", rows))
        for obj in objects:
            for label, field_name in SECRET_FIELDS:
                if obj["model"] == label.lower() and field_name in obj["fields"]:
                    obj["fields"][field_name] = ""
        exported += objects
        counts[model._meta.label] = len(objects)
        files += _file_names(model, rows)
    data = json.dumps(exported, indent=1, sort_keys=True, default=str).encode()
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    partial_path = output.with_name(output.name + ".partial")
    media_entries: list[dict[str, Any]] = []
    for name in sorted(set(files)):
        path = Path(default_storage.path(name))
        if path.is_file():
            media_entries.append(
                {
                    "path": f"media/{name}",
                    "size": path.stat().st_size,
                    "sha256": _sha256_file(path),
                    "_source": path,
                }
            )
    manifest = {
        "format": "chorus-organization-export",
        "format_version": 1,
        "created_at": timezone.now().isoformat(),
        "chorus_version": chorus_version(),
        "organization": {
            "id": organization.pk,
            "name": organization.name,
            "slug": getattr(organization, "slug", ""),
        },
        "counts": counts,
        "secrets_left_out": sorted(f"{m}.{f}" for m, f in SECRET_FIELDS),
        "files": [
            {"path": "data.json", "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
        ]
        + [{k: v for k, v in e.items() if k != "_source"} for e in media_entries],
        "missing_files": sorted(set(files) - {e["path"][6:] for e in media_entries}),
    }
    mode = "w:gz" if output.name.endswith(".gz") else "w"
    try:
        with tarfile.open(partial_path, mode) as archive:  # type: ignore[call-overload]
            for name, payload in (
                ("manifest.json", json.dumps(manifest, indent=2).encode()),
                ("data.json", data),
            ):
                info = tarfile.TarInfo(name)
                info.size, info.mtime, info.mode = (
                    len(payload),
                    int(timezone.now().timestamp()),
                    0o600,
                )
                archive.addfile(info, io.BytesIO(payload))
            for entry in media_entries:
                archive.add(entry["_source"], arcname=entry["path"], recursive=False)
        os.replace(partial_path, output)
    except BaseException:
        partial_path.unlink(missing_ok=True)
        raise
    return manifest


def _delete_files(names: list[str]) -> None:
    for name in names:
        try:
            default_storage.delete(name)
        except OSError:
            logger.warning("organization delete: could not remove file %s", name)


def org_delete(*, organization_id: int, confirm_name: str) -> dict[str, int]:
    """Delete the organization and everything that belongs to it; return rows deleted per model.

    `confirm_name` must equal the organization's name exactly (a guard against a wrong id)."""
    organization = _get_organization(organization_id)
    if confirm_name != organization.name:
        raise OrgDataError(
            f"--confirm {confirm_name!r} does not match organization {organization_id}'s name "
            f"{organization.name!r}. Give the exact name to delete it."
        )
    owners = _owners()
    deleted: dict[str, int] = {}
    with transaction.atomic():
        files: list[str] = []
        # Deepest first: a row found through its parent must go before the parent does.
        for model in sorted(owners, key=lambda m: -_depth(m, owners)):
            rows = _rows(model, organization_id, owners)
            files += _file_names(model, rows)
            count = rows._raw_delete(rows.db)
            if count:
                deleted[model._meta.label] = count
        _organization_model()._base_manager.filter(pk=organization_id)._raw_delete(connection.alias)
        deleted[_organization_model()._meta.label] = 1
        # Foreign keys are checked at commit; check now so a dangling reference from another
        # organization aborts with a clear error and nothing is deleted.
        try:
            connection.check_constraints()
        except Exception as exc:
            raise OrgDataError(
                f"Another organization's data refers to this one ({exc}); nothing was deleted. "
                "Resolve that reference first."
            ) from exc
        transaction.on_commit(partial(_delete_files, sorted(set(files))))
    logger.warning(
        "organization %s (%s) deleted: %s",
        organization_id,
        organization.name,
        json.dumps(deleted, sort_keys=True),
    )
    return deleted
