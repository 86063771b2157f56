"""Validation of uploaded files: type by content (magic bytes), not by name, and size."""

from __future__ import annotations

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

from chorus.common.errors import InvalidInput

IMAGE_SIGNATURES: dict[str, tuple[bytes, ...]] = {
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/gif": (b"GIF87a", b"GIF89a"),
    "image/webp": (b"RIFF",),
}


def validate_image(
    upload: UploadedFile, *, field: str = "image", max_bytes: int | None = None
) -> str:
    """Return the image's MIME type, or raise InvalidInput naming the field and the fix."""
    limit = max_bytes or settings.UPLOAD_MAX_BYTES
    if upload.size is not None and upload.size > limit:
        raise InvalidInput(
            f"{upload.name} is {upload.size / 1_048_576:.1f} MB; the limit is "
            f"{limit / 1_048_576:.0f} MB. Upload a smaller image.",
            field=field,
        )
    head = upload.read(16)
    upload.seek(0)
    for mime, signatures in IMAGE_SIGNATURES.items():
        if any(head.startswith(sig) for sig in signatures):
            if mime == "image/webp" and head[8:12] != b"WEBP":
                continue
            return mime
    raise InvalidInput(
        f"{upload.name} is not a PNG, JPEG, GIF or WebP image. Upload a screenshot or photo "
        "in one of those formats.",
        field=field,
    )
