"""Evidence: stored hashed and never edited; every view of it is recorded."""

from __future__ import annotations

import hashlib
import mimetypes
import uuid

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from chorus.audit.services import audit_record
from chorus.common.errors import Conflict, InvalidInput
from chorus.common.uploads import validate_image
from chorus.incidents.models import Evidence, Incident, IncidentEvent
from chorus.incidents.services.base import _audit, _event, _require_role, _sha256_text
from chorus.incidents.services.gates import incident_run_screen
from chorus.people.models import User
from chorus.people.roles import Role


def _add_text_evidence(*, incident: Incident, actor: User | None, kind: str, text: str, url: str,
                       network: str, note: str) -> Evidence:
    text, url = text.strip(), url.strip()
    if not text and not url:
        raise InvalidInput("Paste the post text or its link.", field="text")
    evidence = Evidence.objects.create(
        organization_id=incident.organization_id, incident=incident, kind=kind, text=text,
        url=url[:500], network=network.strip()[:40], sha256=_sha256_text(text, url),
        note=note.strip()[:300], added_by=actor,
    )
    _event(incident, actor, IncidentEvent.Kind.EVIDENCE_ADDED,
           f"{evidence.get_kind_display()} added (SHA-256 {evidence.sha256[:12]}…)")
    _audit(incident, actor, "incident.evidence_added", evidence=evidence.pk, kind=kind,
           sha256=evidence.sha256)
    return evidence


@transaction.atomic
def store_image_evidence(
    *, incident: Incident, actor: User, upload: UploadedFile, note: str = "",
    network: str = "", url: str = "", field: str = "attachments",
) -> Evidence:
    """Validate an image by its bytes, store it under a random name with its SHA-256, and
    record it on the timeline and in the audit trail. The caller checks who may add it."""
    mime = validate_image(upload, field=field)
    digest = hashlib.sha256()
    content = b"".join(upload.chunks())
    digest.update(content)
    ext = mimetypes.guess_extension(mime) or ".img"
    evidence = Evidence(
        organization_id=incident.organization_id, incident=incident,
        kind=Evidence.Kind.SCREENSHOT, network=network.strip()[:40], url=url.strip()[:500],
        file_name=(upload.name or "screenshot")[:200], content_type=mime,
        size=len(content), sha256=digest.hexdigest(), note=note.strip()[:300],
        added_by=actor,
    )
    evidence.file.save(f"{uuid.uuid4().hex}{ext}", ContentFile(content), save=False)
    evidence.save()
    _event(incident, actor, IncidentEvent.Kind.EVIDENCE_ADDED,
           f"Screenshot {evidence.file_name} added (SHA-256 {evidence.sha256[:12]}…)")
    _audit(incident, actor, "incident.evidence_added", evidence=evidence.pk,
           kind=evidence.kind, sha256=evidence.sha256, size=evidence.size)
    return evidence


def evidence_add(
    *, incident: Incident, actor: User, text: str = "", url: str = "", network: str = "",
    screenshot: UploadedFile | None = None, note: str = "",
) -> list[Evidence]:
    """Add post text / a link and/or a screenshot. Files are checked by content and stored
    under a random name with their SHA-256; nothing stored here is ever edited."""
    _require_role(actor, Role.HR, doing="add evidence")
    if incident.evidence_purged_at:
        raise Conflict("This incident's evidence was purged after retention; it cannot take more.")
    added = []
    if text.strip() or url.strip():
        added.append(_add_text_evidence(
            incident=incident, actor=actor,
            kind=Evidence.Kind.POST if text.strip() else Evidence.Kind.LINK,
            text=text, url=url, network=network, note=note))
    if screenshot is not None:
        added.append(store_image_evidence(incident=incident, actor=actor, upload=screenshot,
                                          note=note, network=network, url=url,
                                          field="screenshot"))
    if not added:
        raise InvalidInput("Add the post text, its link or a screenshot.", field="text")
    if any(e.text for e in added):
        incident_run_screen(incident=incident)
    return added


def evidence_record_view(*, evidence: Evidence, user: User, channel: str) -> None:
    """Write the audit entry every evidence view must leave (who, which item, how)."""
    audit_record(organization=evidence.incident.organization, actor=user,
                 action="incident.evidence_viewed", target=evidence.incident,
                 data={"evidence": evidence.pk, "kind": evidence.kind, "channel": channel})
