"""Link previews of content items: fetched in the background, cached on the item."""

from __future__ import annotations

import logging

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django.utils.translation import gettext

from chorus.advocacy import previews
from chorus.advocacy.models import ContentItem
from chorus.common.errors import InvalidInput
from chorus.common.uploads import validate_image

logger = logging.getLogger(__name__)
EXTENSIONS = {"image/png": "png", "image/jpeg": "jpg", "image/gif": "gif", "image/webp": "webp"}


def item_preview_refresh(*, item_id: int) -> ContentItem | None:
    """Fetch the item link's title and image and cache them on the item.

    Guarantees: only public addresses are fetched, within a time and size limit; an image is
    kept only if its bytes are a PNG, JPEG, GIF or WebP image; a failure keeps any earlier
    preview and records why in `preview_error`. Never raises for a network problem."""
    item = ContentItem.objects.filter(pk=item_id).first()
    if item is None:
        return None
    fields = ["preview_fetched_at", "preview_error", "updated_at"]
    item.preview_fetched_at = timezone.now()
    try:
        page = previews.fetch(item.link, max_bytes=previews.PAGE_MAX_BYTES)
        if "html" not in page.content_type.lower():
            raise previews.PreviewError(gettext("The link is not a web page."))
        title, image_url = previews.parse_preview(page.body.decode("utf-8", "replace"),
                                                  base_url=page.url)
        item.preview_title, item.preview_image_url = title, image_url
        fields += ["preview_title", "preview_image_url"]
        if image_url:
            image = previews.fetch(image_url, max_bytes=previews.IMAGE_MAX_BYTES)
            upload = SimpleUploadedFile("preview", image.body)
            try:
                mime = validate_image(upload, field="preview",
                                      max_bytes=previews.IMAGE_MAX_BYTES)
            except InvalidInput:
                raise previews.PreviewError(gettext("The page's image is not a PNG, JPEG, GIF or "
                                            "WebP image.")) from None
            item.preview_image.save(f"{item.pk}.{EXTENSIONS[mime]}", ContentFile(image.body),
                                    save=False)
            item.preview_image_mime = mime
            fields += ["preview_image", "preview_image_mime"]
        item.preview_error = ""
    except previews.PreviewError as exc:
        item.preview_error = str(exc)[:300]
        logger.info("link preview of item %s failed: %s", item.pk, exc)
    item.save(update_fields=fields)
    return item
