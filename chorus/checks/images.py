"""Images on the check page: upload, OCR in the worker, findings drawn on the picture.

`image_check_upload` validates in the request what is cheap to know (size from
``upload.size``, type by magic bytes, pixel count from the header, a full decode bounded by
those two limits) so a wrong file is refused at once with a clear message and the draft on the
page is untouched; it stores only the cleaned PNG. `image_check_run` (``image_check_task``)
reads the text with Tesseract, screens it with the organization's policy and records, per
finding, the boxes of the words it covers. Progress is on the row for the polling page.
"""

from __future__ import annotations

import logging
import secrets
from functools import partial
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from chorus.audit.services import audit_record
from chorus.checks.models import ImageCheck
from chorus.common.errors import Conflict, DomainError, InvalidInput, NotFound
from chorus.common.images import clean_image
from chorus.common.ocr import OcrError, OcrResult, ocr_image, regions_for

logger = logging.getLogger(__name__)
ACTIVE = (ImageCheck.Status.QUEUED, ImageCheck.Status.RUNNING)


def image_check_upload(
    *, user: Any, upload: UploadedFile | None, language: str = "", network: str = ""
) -> ImageCheck:
    """Accept one image for OCR and screening by the worker (after commit)."""
    if upload is None:
        raise InvalidInput(_("Choose an image (PNG, JPEG, GIF or WebP) to check."), field="image")
    name = (upload.name or "image").rsplit("/", 1)[-1][:255]
    limit = settings.UPLOAD_MAX_BYTES
    if upload.size is not None and upload.size > limit:
        raise InvalidInput(
            _("%(name)s is %(size).1f MB; the limit is %(limit).0f MB. Upload a smaller image.")
            % {"name": name, "size": upload.size / 1_048_576, "limit": limit / 1_048_576},
            field="image",
        )
    data = upload.read(limit + 1)
    clean = clean_image(data, name=name, field="image", max_bytes=limit)
    del data
    organization = user.org
    with transaction.atomic():
        active = ImageCheck.objects.filter(requested_by=user, status__in=ACTIVE).count()
        if active >= settings.CHECK_MAX_ACTIVE_JOBS:
            raise Conflict(
                _(
                    "You already have %(n)d images being read. Wait until they are "
                    "done, then upload the next one."
                )
                % {"n": active},
                field="image",
            )
        record = ImageCheck(
            organization=organization,
            requested_by=user,
            filename=name,
            sha256=clean.sha256,
            width=clean.width,
            height=clean.height,
            language=language[:10],
            network=network[:30],
            stage=_("Waiting for the worker"),
        )
        # The stored name is ours, never the uploaded one (no path games in storage).
        record.file.save(f"{secrets.token_hex(12)}.png", ContentFile(clean.data), save=False)
        record.save()
        audit_record(
            organization=organization,
            actor=user,
            action="checks.image_queued",
            target=record,
            data={"sha256": clean.sha256, "bytes": len(clean.data)},
        )
        from chorus.checks.tasks import image_check_task

        transaction.on_commit(partial(image_check_task.enqueue, image_check_id=record.pk))
    return record


def image_check_get(*, user: Any, pk: int) -> ImageCheck:
    """The user's own image check in their organization, else NotFound."""
    record = ImageCheck.objects.filter(
        pk=pk, organization_id=user.organization_id, requested_by=user
    ).first()
    if record is None:
        raise NotFound(_("No such image check."))
    return record


def finding_regions(ocr: OcrResult, findings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """For each finding (contract dicts), the boxes of the image words its span covers."""
    return [
        {"finding": index, "boxes": regions_for(ocr, int(f.get("start", 0)), int(f.get("end", 0)))}
        for index, f in enumerate(findings)
    ]


def image_check_run(*, image_check_id: int) -> ImageCheck:
    """The worker's half: OCR, screen, record. Safe to repeat (a finished check is kept)."""
    with transaction.atomic():
        record = (
            ImageCheck.objects.select_for_update()
            .select_related("organization")
            .filter(pk=image_check_id)
            .first()
        )
        if record is None or not record.is_active:
            return record  # type: ignore[return-value]
        record.status, record.progress = ImageCheck.Status.RUNNING, 10
        record.stage = _("Reading the text in the image")
        record.save(update_fields=["status", "progress", "stage", "updated_at"])
    try:
        if not record.file:
            raise OcrError(_("The image is no longer stored; upload it again."))
        with record.file.open("rb") as handle:
            png = handle.read()
        ocr = ocr_image(
            png,
            width=record.width,
            height=record.height,
            language=record.language or record.organization.language,
        )
        ImageCheck.objects.filter(pk=record.pk).update(
            progress=70,
            stage=_("Checking the text against the policy"),
            text=ocr.text,
            words=ocr.words_json(),
        )
        from chorus.checks.services import screen_text

        result = screen_text(
            organization=record.organization,
            text=ocr.text,
            network=record.network or None,
            post_id=f"image-{record.pk}",
        )
        contract = result.to_dict()
    except (OcrError, DomainError) as exc:
        _finish(record.pk, status=ImageCheck.Status.FAILED, error=exc.message)
    except Exception:
        logger.exception("image check %s failed", record.pk)
        _finish(
            record.pk,
            status=ImageCheck.Status.FAILED,
            error=_(
                "Something went wrong while reading the image. Try again with a clearer screenshot."
            ),
        )
    else:
        _finish(
            record.pk,
            status=ImageCheck.Status.DONE,
            result=contract,
            regions=finding_regions(ocr, contract.get("findings", [])),
        )
    record.refresh_from_db()
    return record


def _finish(
    pk: int,
    *,
    status: str,
    error: str = "",
    result: dict[str, Any] | None = None,
    regions: list[dict[str, Any]] | None = None,
) -> None:
    done = status == ImageCheck.Status.DONE
    ImageCheck.objects.filter(pk=pk).update(
        status=status,
        error=error[:2000],
        result=result or {},
        regions=regions or [],
        finished_at=timezone.now(),
        progress=100 if done else F("progress"),
        stage="" if done else _("Stopped"),
        updated_at=timezone.now(),
    )


def image_checks_purge(*, cutoff: Any) -> int:
    """Delete image checks created before `cutoff`, with their stored pictures."""
    old = list(ImageCheck.objects.filter(created_at__lt=cutoff))
    for record in old:
        if record.file:
            record.file.delete(save=False)
    ImageCheck.objects.filter(pk__in=[r.pk for r in old]).delete()
    return len(old)
