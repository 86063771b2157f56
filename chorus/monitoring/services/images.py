"""Text in images attached to monitored posts (issue 18).

Ingestion records each image of a new or edited post as a `PostImage` and enqueues
``post_image_ocr_task`` after commit; the worker downloads it through the guarded client
(`chorus.common.http.fetch`: public addresses only, ``OCR_MEDIA_MAX_BYTES`` cap, deadline),
decodes it within the pixel cap (`chorus.common.images.clean_image`), reads it with Tesseract
and screens the text with the organization's screener. The image's findings join the post's
(each with ``image`` = the PostImage id and ``regions`` = word boxes), which raises or updates
the post's alert as a text finding would; protected activity still never alerts.
"""

from __future__ import annotations

import logging
from functools import partial
from typing import Any

from django.conf import settings
from django.db import transaction

from chorus.common.errors import InvalidInput
from chorus.common.images import clean_image
from chorus.common.ocr import OcrError, ocr_image, regions_for
from chorus.connectors.base import RemoteMedia
from chorus.monitoring.models import IngestedPost, PostImage

logger = logging.getLogger(__name__)
MAX_IMAGES_PER_POST = 4  # Mastodon and Bluesky allow four images per post
VERDICT_RANK = {"allow": 0, "warn": 1, "block": 2}


def post_images_queue(*, post: IngestedPost, media: tuple[RemoteMedia, ...]) -> None:
    """Record the post's images (inside the caller's transaction) and read them after commit.
    An image already recorded at the same position and URL is not read again."""
    for position, item in enumerate(media[:MAX_IMAGES_PER_POST]):
        if not item.url.startswith(("https://", "http://")):
            continue
        image, created = PostImage.objects.get_or_create(
            post=post,
            position=position,
            defaults={
                "organization_id": post.organization_id,
                "url": item.url[:1000],
                "description": item.description[:2000],
            },
        )
        if not created and image.url == item.url[:1000]:
            continue
        if not created:
            image.url, image.status, image.findings = item.url[:1000], PostImage.Status.QUEUED, []
            image.save(update_fields=["url", "status", "findings", "updated_at"])
        from chorus.monitoring.tasks import post_image_ocr_task

        transaction.on_commit(partial(post_image_ocr_task.enqueue, image_id=image.pk))


def image_findings(post: IngestedPost) -> list[dict[str, Any]]:
    """The findings of the post's images that were read, to keep beside its text findings."""
    if post.pk is None:
        return []
    out: list[dict[str, Any]] = []
    for image in PostImage.objects.filter(post=post, status=PostImage.Status.DONE):
        out.extend(image.findings)
    return out


def _download(url: str) -> bytes:
    from chorus.common.http import OutboundError, fetch

    try:
        response = fetch(url, max_bytes=settings.OCR_MEDIA_MAX_BYTES, deadline=30.0)
    except OutboundError as exc:
        raise OcrError(f"The image could not be downloaded ({exc.kind}).") from None
    if response.status_code != 200:
        raise OcrError(f"The image could not be downloaded (HTTP {response.status_code}).")
    return bytes(response.content)


def post_image_read(*, image_id: int) -> PostImage | None:
    """The worker's half: download, OCR, screen, attach the findings to the post. Safe to
    repeat: an image already read is left alone."""
    from chorus.monitoring.screening import screener_for_organization
    from chorus.monitoring.services.alerts import _alert_after_screening
    from chorus.monitoring.services.base import IngestResult
    from chorus.monitoring.services.configuration import settings_get

    image = (
        PostImage.objects.select_related("post__account__person", "organization")
        .filter(pk=image_id)
        .first()
    )
    if image is None or image.status != PostImage.Status.QUEUED:
        return image
    post = image.post
    if post.deleted_at is not None or not post.account.is_monitored:
        PostImage.objects.filter(pk=image.pk).update(
            status=PostImage.Status.FAILED, error="The post was deleted or consent withdrawn."
        )
        return image
    try:
        clean = clean_image(
            _download(image.url),
            name="The image",
            field="image",
            max_bytes=settings.OCR_MEDIA_MAX_BYTES,
        )
        ocr = ocr_image(
            clean.data, width=clean.width, height=clean.height, language=image.organization.language
        )
    except (OcrError, InvalidInput) as exc:
        PostImage.objects.filter(pk=image.pk).update(
            status=PostImage.Status.FAILED, error=exc.message[:2000]
        )
        image.refresh_from_db()
        return image
    result: dict[str, Any] = (
        screener_for_organization(image.organization)(ocr.text, post.network)
        if ocr.text.strip()
        else {"verdict": "allow", "findings": [], "signals": []}
    )
    verdict = str(result.get("verdict", "allow"))
    findings = []
    regions = []
    for index, f in enumerate(result.get("findings", [])):
        boxes = regions_for(ocr, int(f.get("start", 0)), int(f.get("end", 0)))
        regions.append({"finding": index, "boxes": boxes})
        findings.append({**f, "image": image.pk, "regions": boxes})
    with transaction.atomic():
        locked = IngestedPost.objects.select_for_update().get(pk=post.pk)
        PostImage.objects.filter(pk=image.pk).update(
            status=PostImage.Status.DONE,
            sha256=clean.sha256,
            width=clean.width,
            height=clean.height,
            text=ocr.text,
            words=ocr.words_json(),
            verdict=verdict,
            findings=findings,
            regions=regions,
            error="",
        )
        text_findings = [f for f in locked.findings or [] if "image" not in f]
        locked.findings = text_findings + image_findings(locked)
        if VERDICT_RANK.get(verdict, 0) > VERDICT_RANK.get(locked.verdict, 0):
            locked.verdict = verdict
        locked.protected_activity = locked.protected_activity or (
            "protected_activity" in result.get("signals", [])
        )
        locked.save(update_fields=["findings", "verdict", "protected_activity", "updated_at"])
        if findings:
            _alert_after_screening(
                post=locked,
                settings=settings_get(organization=image.organization),
                result=IngestResult(),
                edited=True,
            )
    image.refresh_from_db()
    return image
