"""Text in images: Tesseract OCR with word boxes, and mapping text spans back to image regions.

We call the ``tesseract`` binary (Debian ``tesseract-ocr`` plus the ``-deu -fra -spa -por``
language packs, see ``deploy/system-packages.txt``) with its TSV output rather than a Python
wrapper: TSV is Tesseract's stable, documented word-level format (level, block, paragraph,
line, word, left, top, width, height, confidence, text), one subprocess with a timeout is all
a wrapper would do for us, and there is no dependency to keep in step with the binary.

`ocr_image(png)` returns an `OcrResult`: the recognized text (words joined by spaces, lines by
newlines) and each word's character span in that text with its box in image pixels, so a
screening finding at ``start:end`` of the text becomes the boxes of the words it covers
(`regions_for`).
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
from dataclasses import asdict, dataclass
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

MIN_CONFIDENCE = 30.0  # below this Tesseract is guessing at texture, not reading words


class OcrError(Exception):
    """OCR could not run or read the image; ``message`` says what to do."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Word:
    text: str
    start: int  # character span in OcrResult.text
    end: int
    left: int
    top: int
    width: int
    height: int
    confidence: float


@dataclass(frozen=True)
class OcrResult:
    text: str
    words: tuple[Word, ...]
    width: int
    height: int

    def words_json(self) -> list[dict[str, Any]]:
        return [asdict(w) for w in self.words]

    @classmethod
    def from_json(
        cls, *, text: str, words: list[dict[str, Any]], width: int, height: int
    ) -> OcrResult:
        return cls(text=text, words=tuple(Word(**w) for w in words), width=width, height=height)


#: Tesseract's language packs for the interface languages. Order matters: the first pack
#: decides ambiguous letters, and English read first turns "Übernahme" into "Ubernahme", while
#: the packs with diacritics read English text just as well; so English goes last.
TESSERACT_LANGUAGES = {"de": "deu", "fr": "fra", "es": "spa", "pt": "por", "en": "eng"}


def languages(primary: str | None = None) -> str:
    """The ``-l`` argument: `primary` (an ISO code such as "de") first, then the others."""
    configured = getattr(settings, "OCR_LANGUAGES", "")
    if configured:
        return str(configured)
    packs = list(TESSERACT_LANGUAGES.values())
    first = TESSERACT_LANGUAGES.get((primary or "").split("-")[0].lower())
    if first:
        packs.remove(first)
        packs.insert(0, first)
    return "+".join(packs)


def _binary() -> str:
    path = shutil.which(str(getattr(settings, "OCR_TESSERACT", "tesseract")))
    if path is None:
        raise OcrError(
            _(
                "Text in images cannot be read: Tesseract OCR is not installed on this "
                "server. Ask your administrator to run `make system-deps`."
            )
        )
    return path


def ocr_image(
    png: bytes,
    *,
    width: int,
    height: int,
    language: str | None = None,
    timeout: float | None = None,
) -> OcrResult:
    """Run Tesseract on a cleaned image (see `chorus.common.images.clean_image`)."""
    limit = timeout or float(getattr(settings, "OCR_TIMEOUT_SECONDS", 60))
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}  # one core per job; the worker runs several
    try:
        done = subprocess.run(
            [_binary(), "stdin", "stdout", "-l", languages(language), "--psm", "3", "tsv"],
            input=png,
            capture_output=True,
            timeout=limit,
            env=env,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise OcrError(
            _(
                "Reading the text in this image took longer than %(s)d seconds. "
                "Crop the image to the part with text and try again."
            )
            % {"s": int(limit)}
        ) from None
    if done.returncode != 0:
        detail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
        raise OcrError(
            _("The text in this image could not be read (%(detail)s). Try a clearer screenshot.")
            % {"detail": detail[0][:200]}
        )
    return parse_tsv(done.stdout.decode("utf-8", "replace"), width=width, height=height)


def parse_tsv(tsv: str, *, width: int, height: int) -> OcrResult:
    """Words of Tesseract's TSV in reading order, joined into text with their spans."""
    parts: list[str] = []
    words: list[Word] = []
    line_key: tuple[str, ...] | None = None
    block_key: tuple[str, ...] | None = None
    length = 0
    reader = csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE)
    for row in reader:
        if row.get("level") != "5":
            continue
        token = (row.get("text") or "").strip()
        try:
            confidence = float(row.get("conf") or -1)
        except ValueError:
            continue
        if not token or confidence < MIN_CONFIDENCE:
            continue
        this_block = (row["page_num"], row["block_num"], row["par_num"])
        this_line = (*this_block, row["line_num"])
        if words:
            sep = " " if this_line == line_key else ("\n" if this_block == block_key else "\n\n")
            parts.append(sep)
            length += len(sep)
        line_key, block_key = this_line, this_block
        start = length
        parts.append(token)
        length += len(token)
        words.append(
            Word(
                text=token,
                start=start,
                end=length,
                left=int(row["left"]),
                top=int(row["top"]),
                width=int(row["width"]),
                height=int(row["height"]),
                confidence=confidence,
            )
        )
    return OcrResult(text="".join(parts), words=tuple(words), width=width, height=height)


def regions_for(result: OcrResult, start: int, end: int) -> list[dict[str, Any]]:
    """The boxes (one per text line) covering the words of ``text[start:end]``, in percent of
    the image's width and height so a page can draw them over a scaled image with CSS."""
    lines: dict[int, list[Word]] = {}
    for word in result.words:
        if word.end > start and word.start < end:
            lines.setdefault(word.top // max(word.height, 1), []).append(word)
    boxes = []
    for group in lines.values():
        left = min(w.left for w in group)
        top = min(w.top for w in group)
        right = max(w.left + w.width for w in group)
        bottom = max(w.top + w.height for w in group)
        boxes.append(_percent(left, top, right - left, bottom - top, result))
    return boxes


def _percent(left: int, top: int, width: int, height: int, result: OcrResult) -> dict[str, Any]:
    w, h = max(result.width, 1), max(result.height, 1)
    return {
        "left": round(100 * left / w, 2),
        "top": round(100 * top / h, 2),
        "width": round(100 * width / w, 2),
        "height": round(100 * height / h, 2),
        "px": [left, top, width, height],
    }
