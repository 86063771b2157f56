"""Cleaning the files people add to a concern before anyone sees them.

Images are decoded and re-encoded from their pixels (Pillow): EXIF (camera, GPS position, the
owner's name), XMP, ICC comments and anything appended after the image data are gone, which
also defeats polyglots (a PNG that is also a ZIP or a script). PDFs are rewritten page by page
(pypdf) without the document information dictionary, XMP metadata, JavaScript and automatic
actions. A .zip is a container only: its members are read with the shared capped reader
(`chorus.connectors.archives.read_members`, so a zip bomb is refused while it inflates) and
each image or PDF in it is cleaned the same way. Anything else is refused with a message that
says what to send instead. Type is decided by content (magic bytes), never by the file name.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

from chorus.common.errors import InvalidInput
from chorus.common.uploads import validate_image

MAX_FILES = 10
MAX_PIXELS = 40_000_000  # a 40-megapixel photo; beyond that a "picture" is a decompression bomb
ZIP_MAX_BYTES = 25 * 1024 * 1024
ZIP_MAX_MEMBERS = MAX_FILES


@dataclass(frozen=True)
class CleanFile:
    data: bytes
    mime: str
    stripped: str  # what was removed, for the handler ("EXIF and other metadata removed")

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def _fail(name: str, why: str) -> InvalidInput:
    return InvalidInput(f"{name}: {why}", field="files")


def _clean_image(name: str, data: bytes) -> CleanFile:
    from PIL import Image

    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as img:
                fmt = (img.format or "").upper()
                img.load()
                frame = img.copy()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _fail(name, f"the image is larger than {MAX_PIXELS // 1_000_000} megapixels. "
                          "Send a smaller picture or a screenshot.") from None
    except Exception:  # Pillow raises many types for broken files
        raise _fail(name, "the image is damaged and cannot be opened. Send it again or "
                          "take a screenshot of it.") from None
    out = io.BytesIO()
    if fmt == "JPEG":
        frame.convert("RGB").save(out, "JPEG", quality=92)
        mime = "image/jpeg"
    else:
        # PNG, GIF and WebP become PNG: lossless, and no animation frames to hide data in.
        if frame.mode not in ("RGB", "RGBA", "L", "LA"):
            frame = frame.convert("RGBA")
        frame.save(out, "PNG")
        mime = "image/png"
    return CleanFile(out.getvalue(), mime, "Image metadata (EXIF, GPS, XMP) removed")


def _clean_pdf(name: str, data: bytes) -> CleanFile:
    from pypdf import PdfReader, PdfWriter
    from pypdf.errors import PyPdfError
    from pypdf.generic import NameObject

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise _fail(name, "the PDF is password-protected. Send it without a password.")
        writer = PdfWriter()
        for page in reader.pages:
            added = writer.add_page(page)
            for key in ("/AA",):
                if key in added:
                    del added[NameObject(key)]
            for annot in added.get("/Annots") or []:
                obj = annot.get_object()
                action = obj.get("/A")
                if action is not None and action.get_object().get("/S") == "/JavaScript":
                    del obj[NameObject("/A")]
                if "/AA" in obj:
                    del obj[NameObject("/AA")]
        writer.metadata = None
        out = io.BytesIO()
        writer.write(out)
    except InvalidInput:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, OSError, RecursionError):
        raise _fail(name, "the PDF is damaged and cannot be read. Export it again "
                          "(Print → Save as PDF) and send that.") from None
    return CleanFile(out.getvalue(), "application/pdf",
                     "PDF document information, XMP and scripts removed")


def _clean_bytes(name: str, data: bytes) -> CleanFile:
    if data.startswith(b"%PDF-"):
        return _clean_pdf(name, data)
    head = data[:16]
    if (head.startswith((b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a"))
            or (head.startswith(b"RIFF") and head[8:12] == b"WEBP")):
        return _clean_image(name, data)
    raise _fail(name, "we accept photos and screenshots (PNG, JPEG, GIF, WebP) and PDF "
                      "documents, or a .zip of them. Save other documents as PDF first.")


def clean_uploads(uploads: list[UploadedFile]) -> list[CleanFile]:
    """Validate and clean every upload (all or nothing); return the cleaned files in order.

    Raises InvalidInput (field `files`) naming the file and what to do.
    """
    from chorus.connectors.archives import read_members
    from chorus.connectors.base import ConnectorError

    if len(uploads) > MAX_FILES:
        raise InvalidInput(f"Add at most {MAX_FILES} files at a time (you chose {len(uploads)}).",
                           field="files")
    cleaned: list[CleanFile] = []
    for upload in uploads:
        name = (upload.name or "file")[:80]
        head = upload.read(4)
        upload.seek(0)
        if head.startswith(b"PK\x03\x04"):
            if upload.size is not None and upload.size > ZIP_MAX_BYTES:
                raise _fail(name, f"the .zip is over {ZIP_MAX_BYTES // 1_048_576} MB.")
            try:
                members = list(read_members(
                    upload.read(), select=lambda n: not n.startswith("__MACOSX/"),
                    what="the photos or PDFs themselves", missing="The .zip is empty.",
                    max_bytes=ZIP_MAX_BYTES, max_members=ZIP_MAX_MEMBERS))
            except ConnectorError as exc:
                raise _fail(name, str(exc)) from None
            for member, data in members:
                if len(data) > settings.UPLOAD_MAX_BYTES:
                    raise _fail(f"{name} › {member[:60]}", "this file is over the "
                                f"{settings.UPLOAD_MAX_BYTES // 1_048_576} MB limit.")
                cleaned.append(_clean_bytes(f"{name} › {member[:60]}", data))
            continue
        if head.startswith(b"%PDF"):
            if upload.size is not None and upload.size > settings.UPLOAD_MAX_BYTES:
                raise _fail(name, f"the file is {upload.size / 1_048_576:.1f} MB; the limit is "
                            f"{settings.UPLOAD_MAX_BYTES // 1_048_576} MB.")
        else:
            validate_image(upload, field="files")  # size and type by magic bytes
        cleaned.append(_clean_bytes(name, upload.read()))
        upload.seek(0)
    if len(cleaned) > MAX_FILES:
        raise InvalidInput(f"Add at most {MAX_FILES} files at a time (these hold "
                           f"{len(cleaned)}).", field="files")
    return cleaned
