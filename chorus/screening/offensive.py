"""The statistical offensive-language scorer (TF-IDF word 1-2 + char_wb 2-5, logistic regression).

The model is trained by ``tools/train_offensive.py`` with scikit-learn and exported as plain
numbers (vocabulary, idf, coefficient) to ``models/offensive-v1.json.gz``. Scoring here is pure
Python over dicts, so the runtime needs neither scikit-learn nor pickle nor numpy, and is not bound
to a scikit-learn version. ``features_word``/``features_char`` are the exact analyzers used in
training, so train-time and run-time vectors are identical (checked by the training script).

Guarantees: the model is read once, lazily, from the package's own files
(``importlib.resources``), never from a user path; ``score`` never raises on any ``str``.
"""

from __future__ import annotations

import base64
import gzip
import itertools
import json
import math
import re
import sys
import threading
import unicodedata
from array import array
from collections import Counter
from dataclasses import dataclass
from importlib import resources
from typing import Any

MODEL_RESOURCE = "offensive-v1.json.gz"
FORMAT = "chorus-offensive/2"

_URL = re.compile(r"https?://\S+|www\.\S+")
_MENTION = re.compile(r"@\w+")
_REPEAT = re.compile(r"(.)\1{2,}")
_WHITE = re.compile(r"\s\s+")
_WORD = re.compile(r"(?u)\b\w\w+\b")


def model_text(text: str) -> str:
    """The text the model sees: NFKC, casefolded, URLs and @handles replaced, runs capped at 2."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = _URL.sub(" http ", text)
    text = _MENTION.sub("@user", text)
    return _REPEAT.sub(r"\1\1", text)


def features_word(doc: str) -> list[str]:
    """Word 1-2-grams over ``model_text`` (sklearn's default token pattern)."""
    tokens = _WORD.findall(doc)
    grams = list(tokens)
    grams.extend(f"{a} {b}" for a, b in itertools.pairwise(tokens))
    return grams


def features_char(doc: str) -> list[str]:
    """char_wb 2-5-grams over ``model_text``, identical to sklearn's ``_char_wb_ngrams``."""
    grams: list[str] = []
    extend = grams.extend
    for word in _WHITE.sub(" ", doc).split():
        padded = f" {word} "
        size = len(padded)
        for n in range(2, 6):
            if size <= n:
                # sklearn counts a word shorter than n once, then stops growing n.
                grams.append(padded)
                break
            extend([padded[i : i + n] for i in range(size - n + 1)])
    return grams


@dataclass(frozen=True)
class Block:
    """One vectorizer's exported weights: feature -> row, with idf and coefficient arrays."""

    index: dict[str, int]
    idf: array[float]
    coef: array[float]
    sublinear_tf: bool

    def get(self, gram: str) -> tuple[float, float] | None:
        i = self.index.get(gram)
        return None if i is None else (self.idf[i], self.coef[i])


def _floats(encoded: str) -> array[float]:
    values = array("f")
    values.frombytes(base64.b64decode(encoded))
    if sys.byteorder != "little":  # pragma: no cover - artifacts are written little-endian
        values.byteswap()
    return values


def encode_floats(values: list[float]) -> str:
    """float32 little-endian, base64: compact and loads without numpy or pickle."""
    packed = array("f", values)
    if sys.byteorder != "little":  # pragma: no cover
        packed.byteswap()
    return base64.b64encode(packed.tobytes()).decode("ascii")


_APC_TOKEN = re.compile(r"(?u)\b\w\w+\b")


@dataclass(frozen=True)
class Partner:
    """alt-profanity-check's linear model re-expressed as numbers (word TF-IDF, five
    sigmoid-calibrated LinearSVC folds averaged, exactly as ``CalibratedClassifierCV``)."""

    index: dict[str, int]
    idf: array[float]
    coefs: tuple[array[float], ...]
    intercepts: tuple[float, ...]
    calibration: tuple[tuple[float, float], ...]

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Partner:
        vocab = data["vocab"].split("\n")
        folds = data["folds"]
        return cls(
            index=dict(zip(vocab, range(len(vocab)), strict=True)),
            idf=_floats(data["idf"]),
            coefs=tuple(_floats(fold["coef"]) for fold in folds),
            intercepts=tuple(float(f["intercept"]) for f in folds),
            calibration=tuple((float(f["a"]), float(f["b"])) for f in folds),
        )

    def score(self, text: str) -> float:
        counts = Counter(_APC_TOKEN.findall(text.lower()))
        k = len(self.intercepts)
        dots = [0.0] * k
        sumsq = 0.0
        index, idf, coefs = self.index, self.idf, self.coefs
        for gram, count in counts.items():
            i = index.get(gram)
            if i is None:
                continue
            value = count * idf[i]
            sumsq += value * value
            for j in range(k):
                dots[j] += value * coefs[j][i]
        norm = math.sqrt(sumsq) if sumsq else 1.0
        total = 0.0
        for j in range(k):
            decision = dots[j] / norm + self.intercepts[j]
            a, b = self.calibration[j]
            total += _sigmoid(-(a * decision + b))
        return total / k


@dataclass(frozen=True)
class OffensiveModel:
    """The exported model. ``score`` gives the blended P(offensive) in [0, 1]."""

    word: Block
    char: Block
    intercept: float
    threshold: float
    meta: dict[str, object]
    partner: Partner | None = None
    weight_own: float = 1.0

    @staticmethod
    def _block_score(block: Block, grams: list[str]) -> float:
        """This block's share of the logit: (tf-idf . coef) / ||tf-idf||."""
        index, idf, coef = block.index, block.idf, block.coef
        sumsq = 0.0
        dot = 0.0
        sublinear = block.sublinear_tf
        for gram, count in Counter(grams).items():
            i = index.get(gram)
            if i is None:
                continue
            tf = 1.0 + math.log(count) if sublinear else count
            value = tf * idf[i]
            sumsq += value * value
            dot += value * coef[i]
        return dot / math.sqrt(sumsq) if sumsq else 0.0

    def _block_terms(self, block: Block, grams: list[str]) -> tuple[float, dict[str, float]]:
        counts = Counter(g for g in grams if g in block.index)
        if not counts:
            return 0.0, {}
        contributions: dict[str, float] = {}
        sumsq = 0.0
        for gram, count in counts.items():
            i = block.index[gram]
            idf, coef = block.idf[i], block.coef[i]
            tf = 1.0 + math.log(count) if block.sublinear_tf else float(count)
            value = tf * idf
            sumsq += value * value
            contributions[gram] = value * coef
        norm = math.sqrt(sumsq)
        return sum(contributions.values()) / norm, {g: c / norm for g, c in contributions.items()}

    def decision(self, text: str) -> float:
        """The raw logit for ``text``."""
        doc = model_text(text)
        word = self._block_score(self.word, features_word(doc))
        char = self._block_score(self.char, features_char(doc))
        return word + char + self.intercept

    def own_score(self, text: str) -> float:
        """P(offensive) from our own TF-IDF LR alone."""
        return _sigmoid(self.decision(text))

    def partner_score(self, text: str) -> float:
        """P(offensive) from the blend partner alone (0 when none is packaged)."""
        return self.partner.score(text) if self.partner is not None else 0.0

    def score(self, text: str) -> float:
        """Blended P(offensive) for ``text``; compare with ``threshold``. Never raises."""
        own = self.own_score(text)
        if self.partner is None or self.weight_own >= 1.0:
            return own
        return self.weight_own * own + (1.0 - self.weight_own) * self.partner.score(text)

    def score_if_at_least(self, text: str, threshold: float) -> float | None:
        """The blended score if it can reach ``threshold``, else ``None``.

        Exact short-cut: the cheap partner (word unigrams) bounds the blend, because the own
        model contributes at most ``weight_own``; the char n-gram model runs only when needed.
        """
        if self.partner is not None and self.weight_own < 1.0:
            partner = self.partner.score(text)
            if self.weight_own + (1.0 - self.weight_own) * partner < threshold:
                return None
            score = self.weight_own * self.own_score(text) + (1.0 - self.weight_own) * partner
        else:
            score = self.own_score(text)
        return score if score >= threshold else None

    def top_word_terms(self, text: str, limit: int = 3) -> list[str]:
        """The word n-grams pushing hardest toward "offensive" (used to place a span)."""
        _, contributions = self._block_terms(self.word, features_word(model_text(text)))
        ranked = sorted(contributions.items(), key=lambda item: -item[1])
        return [gram for gram, value in ranked[:limit] if value > 0]


def _sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


def _block_from_json(data: dict[str, Any]) -> Block:
    vocab = data["vocab"].split("\n")
    return Block(
        index=dict(zip(vocab, range(len(vocab)), strict=True)),
        idf=_floats(data["idf"]),
        coef=_floats(data["coef"]),
        sublinear_tf=bool(data["sublinear_tf"]),
    )


def load_model_bytes(raw: bytes) -> OffensiveModel:
    """Build the model from the exported gzip JSON bytes."""
    data = json.loads(gzip.decompress(raw).decode("utf-8"))
    if data.get("format") != FORMAT:
        raise ValueError(f"unsupported model format {data.get('format')!r}; expected {FORMAT}")
    return OffensiveModel(
        word=_block_from_json(data["word"]),
        char=_block_from_json(data["char"]),
        intercept=float(data["intercept"]),
        threshold=float(data["threshold"]),
        meta=dict(data.get("meta", {})),
        partner=Partner.from_json(data["partner"]) if data.get("partner") else None,
        weight_own=float(data.get("blend", {}).get("weight_own", 1.0)),
    )


_LOCK = threading.Lock()
_MODEL: OffensiveModel | None = None
_MISSING = False


def get_model() -> OffensiveModel | None:
    """The packaged model, loaded once; ``None`` if the artifact is not installed."""
    global _MODEL, _MISSING
    if _MODEL is not None or _MISSING:
        return _MODEL
    with _LOCK:
        if _MODEL is None and not _MISSING:
            try:
                ref = resources.files("chorus.screening").joinpath("models", MODEL_RESOURCE)
                _MODEL = load_model_bytes(ref.read_bytes())
            except (FileNotFoundError, ModuleNotFoundError, OSError):
                _MISSING = True
    return _MODEL
