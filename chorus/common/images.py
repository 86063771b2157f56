"""Decoding untrusted images safely: type by content, pixel cap, metadata stripped.

`clean_image` is the one place an uploaded or downloaded picture is opened. It refuses a file
that is not a PNG, JPEG, GIF or WebP (by magic bytes), one larger than ``max_bytes``, a picture
with more than ``IMAGE_MAX_PIXELS`` pixels (checked from the header before any pixel is
decoded, so a decompression bomb never inflates) and a damaged file, each with a message that
names the field and says what to do. What it returns is re-encoded from the pixels, so EXIF
(camera, GPS position, owner), XMP and anything appended to the file are gone.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

from chorus.common.errors import InvalidInput

IMAGE_MAX_PIXELS = 40_000_000  # a 40-megapixel photo; beyond that a "picture" is a bomb
SIGNATURES: dict[str, tuple[bytes, ...]] = {
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/gif": (b"GIF87a", b"GIF89a"),
    "image/webp": (b"RIFF",),
}


@dataclass(frozen=True)
class CleanImage:
    data: bytes  # PNG, re-encoded from the pixels
    width: int
    height: int
    source_mime: str

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def sniff_image(head: bytes) -> str | None:
    """The MIME type of an image from its first bytes, or None."""
    for mime, signatures in SIGNATURES.items():
        if any(head.startswith(sig) for sig in signatures):
            if mime == "image/webp" and head[8:12] != b"WEBP":
                continue
            return mime
    return None


def clean_image(
    data: bytes,
    *,
    name: str = "image",
    field: str = "image",
    max_bytes: int | None = None,
    max_pixels: int = IMAGE_MAX_PIXELS,
) -> CleanImage:
    """Decode `data` within the limits and return it re-encoded as PNG without metadata."""
    from PIL import Image

    limit = max_bytes or settings.UPLOAD_MAX_BYTES
    if not data:
        raise InvalidInput(
            _("%(name)s is empty. Choose an image file.") % {"name": name}, field=field
        )
    if len(data) > limit:
        raise InvalidInput(
            _("%(name)s is %(size).1f MB; the limit is %(limit).0f MB. Upload a smaller image.")
            % {"name": name, "size": len(data) / 1_048_576, "limit": limit / 1_048_576},
            field=field,
        )
    mime = sniff_image(data[:16])
    if mime is None:
        raise InvalidInput(
            _(
                "%(name)s is not a PNG, JPEG, GIF or WebP image. Upload a screenshot or photo "
                "in one of those formats."
            )
            % {"name": name},
            field=field,
        )
    too_big = InvalidInput(
        _("%(name)s is larger than %(mp)d megapixels. Upload a smaller picture or a screenshot.")
        % {"name": name, "mp": max_pixels // 1_000_000},
        field=field,
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as img:
                # The header gives the size before any pixel is decoded.
                if img.width * img.height > max_pixels:
                    raise too_big
                img.load()
                frame = img.copy()
    except InvalidInput:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise too_big from None
    except Exception:  # Pillow raises many types for broken files
        raise InvalidInput(
            _("%(name)s is damaged and cannot be opened. Save it again or take a new screenshot.")
            % {"name": name},
            field=field,
        ) from None
    if frame.mode not in ("RGB", "L"):
        frame = frame.convert("RGBA")
        background = Image.new("RGB", frame.size, "white")
        background.paste(frame, mask=frame.split()[-1])
        frame = background
    out = io.BytesIO()
    frame.save(out, "PNG")
    return CleanImage(data=out.getvalue(), width=frame.width, height=frame.height, source_mime=mime)
