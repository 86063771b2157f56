"""The learned semantic tier: hashed n-gram features and per-category linear heads.

A post is normalized by the engine (``NormText.norm``: casefolded, accents dropped), the
policy's entities are replaced by their role (``zzcustomer``, ``zzcompetitor``, ``zzproduct``,
``zzorg``, ``zzticker``...), so the heads learn "a customer is disparaged" rather than one
customer's name and carry over to any organization's policy. Features are hashed byte
3-5-grams (language-agnostic: catches German compounds and inflections) plus word 1-2-grams,
into ``2**dim_bits`` buckets; each category has one logistic head. A sentence's score is its
share of the post's linear score, so every learned finding points at the sentence that drove
it.

Scoring is numpy only (one gather and one reduction per post); no file is read except the
heads given or the shipped ``models/learned-v1.npz`` (read once, from the package). Nothing is
downloaded. Pure Python + numpy; never imports Django.
"""

from __future__ import annotations

import io
import itertools
import json
import re
import threading
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from chorus.screening.types import Hit

__all__ = [
    "ENTITY_TOKENS",
    "HEAD_LABELS",
    "MODEL_RESOURCE",
    "Heads",
    "LabelledPost",
    "default_heads",
    "featurize",
]

MODEL_RESOURCE = "learned-v1.npz"
FORMAT = "chorus-learned/1"

#: The heads, in column order: the 11 contract categories plus the protected-activity signal.
HEAD_LABELS: tuple[str, ...] = (
    "harassment",
    "profanity",
    "customer_negative",
    "competitor_negative",
    "confidential",
    "mnpi",
    "pii",
    "secret",
    "undisclosed_endorsement",
    "spokesperson",
    "regulated_claim",
    "protected",
)

#: Entity kinds from the policy and the role token the model sees instead of the name.
ENTITY_TOKENS: Mapping[str, str] = {
    "org": " zzorg ",
    "product": " zzproduct ",
    "customer": " zzcustomer ",
    "competitor": " zzcompetitor ",
    "codename": " zzcodename ",
    "unreleased": " zzunreleased ",
    "executive": " zzexecutive ",
    "ticker": " zzticker ",
}

_URL = re.compile(r"https?://\S+|www\.\S+")
_DIGITS = re.compile(r"\d")
_REPEAT = re.compile(r"(.)\1{2,}")
_SPACE = re.compile(r"\s+")
_WORD = re.compile(r"\w+")
_P = np.uint32(16777619)
_MIX = np.uint32(0x45D9F3B)


@dataclass(frozen=True)
class LabelledPost:
    """One labelled example: the categories a reviewer flagged, and protected activity."""

    text: str
    language: str
    categories: frozenset[str]
    protected: bool = False


def _clean(piece: str) -> str:
    piece = _URL.sub(" zzurl ", piece)
    piece = _DIGITS.sub("0", piece)
    piece = _REPEAT.sub(r"\1\1", piece)
    return _SPACE.sub(" ", piece).strip()


def masked_sentences(
    norm: str, sentences: Sequence[tuple[int, int]], hits: Sequence[Hit]
) -> list[str]:
    """Each sentence of ``norm`` with entity mentions replaced by their role token."""
    entities = [h for h in hits if h.kind in ENTITY_TOKENS]
    out: list[str] = []
    for start, end in sentences:
        pieces: list[str] = []
        pos = start
        for hit in entities:
            if hit.start < pos or hit.start >= end:
                continue
            pieces.append(norm[pos : hit.start])
            pieces.append(ENTITY_TOKENS[hit.kind])
            pos = min(hit.end, end)
        pieces.append(norm[pos:end])
        out.append(_clean("".join(pieces)))
    return out


_SALTS = {n: np.uint32(n * 0x9E3779B1 & 0xFFFFFFFF) for n in (3, 4, 5)}


def featurize(sentences: Sequence[str], dim_bits: int) -> tuple[np.ndarray, np.ndarray]:
    """(bucket ids, sentence index of each) for already masked sentences.

    Byte 3-5-grams over the sentences joined by spaces (hashed in numpy, one pass per post),
    plus word 1-2-grams within each sentence (CRC-32).
    """
    mask = np.uint32((1 << dim_bits) - 1)
    encoded = [s.encode("utf-8", "replace") for s in sentences]
    joined = b" " + b" ".join(encoded) + b" "
    b = np.frombuffer(joined, dtype=np.uint8).astype(np.uint32)
    size = b.size
    parts: list[np.ndarray] = []
    h = b
    for n in range(2, 6):
        if size < n:
            break
        h = h[:-1] * _P + b[n - 1 :]
        if n >= 3:
            parts.append(h + _SALTS[n])
    starts = np.zeros(len(encoded), dtype=np.intp)
    pos = 0
    for i, piece in enumerate(encoded):
        starts[i] = pos
        pos += len(piece) + 1
    owners: list[np.ndarray] = []
    if parts:
        x = np.concatenate(parts) * _MIX
        x ^= x >> np.uint32(16)
        ids = [(x & mask).astype(np.intp)]
        positions = np.concatenate([np.arange(p.size) for p in parts])
        owners.append(np.searchsorted(starts, positions, side="right") - 1)
    else:
        ids = []
    grams: list[int] = []
    counts: list[int] = []
    crc = zlib.crc32
    for sentence in sentences:
        words = _WORD.findall(sentence)
        before = len(grams)
        grams.extend(crc(w.encode("utf-8", "replace"), 1) for w in words)
        grams.extend(
            crc(f"{a} {c}".encode("utf-8", "replace"), 2)
            for a, c in itertools.pairwise(words)
        )
        counts.append(len(grams) - before)
    if grams:
        ids.append(np.asarray(grams, dtype=np.intp) & int(mask))
        owners.append(np.repeat(np.arange(len(sentences), dtype=np.intp), counts))
    if not ids:
        empty = np.zeros(0, dtype=np.intp)
        return empty, empty
    return np.concatenate(ids), np.maximum(np.concatenate(owners), 0)


@dataclass
class Heads:
    """Per-category linear heads over hashed features (see the module docstring).

    ``weights`` is ``(2**dim_bits, len(labels))`` float32 (float16 on disk), ``bias`` and
    ``thresholds`` (the balanced-preset probability threshold per head) are float32 per label.
    """

    weights: np.ndarray
    bias: np.ndarray
    thresholds: np.ndarray
    labels: tuple[str, ...] = HEAD_LABELS
    dim_bits: int = 17
    version: str = "learned-v1"
    meta: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        rows, cols = self.weights.shape
        if rows != 1 << self.dim_bits or cols != len(self.labels):
            raise ValueError(
                f"weights have shape {self.weights.shape}; expected "
                f"({1 << self.dim_bits}, {len(self.labels)}) for dim_bits={self.dim_bits}"
            )
        if self.bias.shape != (cols,) or self.thresholds.shape != (cols,):
            raise ValueError(f"bias and thresholds need one value per label ({cols})")
        self._col = {label: i for i, label in enumerate(self.labels)}

    def column(self, label: str) -> int | None:
        return self._col.get(label)

    # ------------------------------------------------------------------ scoring
    def post_scores(self, sentences: Sequence[str]) -> tuple[np.ndarray, Any]:
        """(probabilities per label, an opaque handle for :meth:`sentence_contributions`)."""
        ids, owner = featurize(sentences, self.dim_bits)
        if not ids.size:
            return 1.0 / (1.0 + np.exp(-self.bias)), (ids, owner, 1.0, len(sentences))
        scale = 1.0 / float(np.sqrt(ids.size))
        logits = np.take(self.weights, ids, axis=0).sum(axis=0) * np.float32(scale) + self.bias
        return 1.0 / (1.0 + np.exp(-logits)), (ids, owner, scale, len(sentences))

    def sentence_contributions(self, handle: Any, label: str) -> np.ndarray:
        """Each sentence's share of ``label``'s linear score (for the finding's span)."""
        ids, owner, scale, count = handle
        column = self._col[label]
        if not ids.size:
            return np.zeros(max(1, count))
        values = self.weights[ids, column].astype(np.float64) * scale
        return np.bincount(owner, weights=values, minlength=max(1, count))

    def score_text(self, text: str) -> dict[str, float]:
        """Probabilities per label for a plain text (no policy: entities are not masked)."""
        from chorus.screening.text import normalize

        probs, _ = self.post_scores([_clean(normalize(text).norm)])
        return {label: float(p) for label, p in zip(self.labels, probs, strict=True)}

    def threshold(self, label: str, preset: str = "balanced") -> float:
        """The probability at which ``label`` fires under ``preset`` (strict fires earlier)."""
        i = self._col[label]
        base = float(self.thresholds[i])
        if preset == "strict":
            return max(0.05, base - 0.12)
        if preset == "loose":
            return min(0.97, base + 0.15)
        return base

    # ------------------------------------------------------------------ files
    def save(self, path: str | Path) -> None:
        """One ``.npz`` file (no pickle): weights, bias, thresholds and a JSON header."""
        header = {
            "format": FORMAT,
            "labels": list(self.labels),
            "dim_bits": self.dim_bits,
            "version": self.version,
            "meta": self.meta,
        }
        buffer = io.BytesIO()
        np.savez(
            buffer,
            weights=self.weights.astype(np.float16),
            bias=self.bias.astype(np.float32),
            thresholds=self.thresholds.astype(np.float32),
            header=np.frombuffer(json.dumps(header).encode("utf-8"), dtype=np.uint8),
        )
        Path(path).write_bytes(buffer.getvalue())

    @classmethod
    def load(cls, path: str | Path | Any) -> Heads:
        """Read heads written by :meth:`save`; a clear ``ValueError`` for anything else."""
        try:
            with np.load(path, allow_pickle=False) as data:
                header = json.loads(bytes(data["header"]).decode("utf-8"))
                if header.get("format") != FORMAT:
                    raise ValueError(f"not a {FORMAT} file (format {header.get('format')!r})")
                return cls(
                    weights=data["weights"].astype(np.float32),
                    bias=data["bias"].astype(np.float32),
                    thresholds=data["thresholds"].astype(np.float32),
                    labels=tuple(header["labels"]),
                    dim_bits=int(header["dim_bits"]),
                    version=str(header["version"]),
                    meta=dict(header.get("meta") or {}),
                )
        except (OSError, KeyError, ValueError, json.JSONDecodeError, zlib.error) as exc:
            if isinstance(exc, ValueError) and str(exc).startswith("not a "):
                raise
            raise ValueError(f"cannot read heads from {path}: {exc}") from exc


_DEFAULT: list[Heads] = []
_DEFAULT_LOCK = threading.Lock()


def default_heads() -> Heads:
    """The shipped model (``chorus/screening/models/learned-v1.npz``), read once."""
    if _DEFAULT:
        return _DEFAULT[0]
    with _DEFAULT_LOCK:
        if not _DEFAULT:
            ref = resources.files("chorus.screening").joinpath("models", MODEL_RESOURCE)
            with ref.open("rb") as fh:
                _DEFAULT.append(Heads.load(io.BytesIO(fh.read())))
    return _DEFAULT[0]
