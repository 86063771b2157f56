"""Fitting and evaluating learned heads (numpy only, so organizations can retrain in-app).

- :func:`load_corpus` reads the shipped labelled corpus (``learned/corpus/*.txt``, see its
  ``LABELLING.md``) and splits it deterministically: a post whose CRC-32 is divisible by 5 is in
  the held-out ``test`` split, never used for training or for picking thresholds.
- :func:`fit_heads` fits one logistic head per label (full-batch Adam, L2) on the shipped
  training split plus an organization's examples (weighted higher), warm-started from ``base``,
  then picks each head's balanced-preset threshold on an internal validation fold.
- :func:`evaluate` runs the whole engine with the given heads and reports per-category
  precision/recall/F1, micro and macro figures.

Pure Python + numpy; never imports Django.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Sequence
from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np

from chorus.screening.learned.model import HEAD_LABELS, Heads, LabelledPost, masked_sentences
from chorus.screening.policy import Policy, parse_policy_yaml

__all__ = ["corpus_policy", "evaluate", "featurize_posts", "fit_heads", "load_corpus"]

LANGUAGES = ("en", "de", "fr", "es", "pt")
_CATEGORIES = HEAD_LABELS[:-1]


def _is_test(text: str) -> bool:
    return zlib.crc32(text.encode("utf-8")) % 5 == 0


@lru_cache(maxsize=1)
def corpus_policy() -> Policy:
    """The policy the corpus posts are written against (the fictional Northwind Robotics)."""
    ref = resources.files("chorus.screening.learned").joinpath("corpus", "policy.yaml")
    return parse_policy_yaml(ref.read_text(encoding="utf-8"))


def parse_corpus(text: str, language: str, source: str = "<corpus>") -> list[LabelledPost]:
    """Posts of one corpus file: ``## label label`` headers, then one post per line.

    ``protected`` in a header is the flag, ``clean`` means no label; ``\\n`` in a line is a
    newline. Unknown labels raise ``ValueError`` naming the line.
    """
    posts: list[LabelledPost] = []
    labels: frozenset[str] | None = None
    protected = False
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or (line.startswith("#") and not line.startswith("## ")):
            continue
        if line.startswith("## "):
            words = line[3:].split()
            protected = "protected" in words
            cats = frozenset(w for w in words if w not in ("protected", "clean"))
            unknown = cats - set(_CATEGORIES)
            if unknown:
                raise ValueError(f"{source}:{number}: unknown label(s) {sorted(unknown)}")
            labels = cats
            continue
        if labels is None:
            raise ValueError(f"{source}:{number}: a post before any '## labels' header")
        posts.append(LabelledPost(line.replace("\\n", "\n"), language, labels, protected))
    return posts


@lru_cache(maxsize=4)
def _load_all() -> tuple[LabelledPost, ...]:
    base = resources.files("chorus.screening.learned").joinpath("corpus")
    out: list[LabelledPost] = []
    for entry in sorted(base.iterdir(), key=lambda e: e.name):
        name = entry.name
        if not name.endswith(".txt"):
            continue
        language = name.split("_", 1)[0].split(".", 1)[0]
        out.extend(parse_corpus(entry.read_text(encoding="utf-8"), language, name))
    return tuple(out)


def load_corpus(split: str = "train") -> list[LabelledPost]:
    """The shipped corpus: ``train``, ``test`` (held out) or ``all``."""
    if split not in ("train", "test", "all"):
        raise ValueError(f"split must be 'train', 'test' or 'all', not {split!r}")
    posts = _load_all()
    if split == "all":
        return list(posts)
    want_test = split == "test"
    return [p for p in posts if _is_test(p.text) is want_test]


def featurize_posts(
    posts: Iterable[LabelledPost], policy: Policy | None = None, dim_bits: int = 17
) -> list[np.ndarray]:
    """Bucket ids of each post as the engine sees it (entities of ``policy`` masked)."""
    from chorus.screening.detectors.context import Context
    from chorus.screening.engine import collect_hits, compile_policy
    from chorus.screening.learned.model import featurize
    from chorus.screening.text import normalize
    from chorus.screening.types import Post

    compiled = compile_policy(policy or corpus_policy())
    out: list[np.ndarray] = []
    for post in posts:
        nt = normalize(post.text)
        ctx = Context(post=Post("x", post.text), nt=nt, compiled=compiled,
                      hits=collect_hits(compiled, nt))  # fmt: skip
        ids, _ = featurize(masked_sentences(nt.norm, ctx.sentences, ctx.hits), dim_bits)
        out.append(ids)
    return out


def _targets(posts: Sequence[LabelledPost]) -> np.ndarray:
    y = np.zeros((len(posts), len(HEAD_LABELS)), dtype=np.float32)
    for r, post in enumerate(posts):
        for c, label in enumerate(_CATEGORIES):
            y[r, c] = label in post.categories
        y[r, -1] = post.protected
    return y


def _train(
    feats: Sequence[np.ndarray],
    y: np.ndarray,
    weight: np.ndarray,
    dim_bits: int,
    init: Heads | None,
    epochs: int,
    l2: float,
) -> tuple[np.ndarray, np.ndarray]:
    n, k = y.shape
    dim = 1 << dim_bits
    lengths = np.array([max(1, f.size) for f in feats])
    idx = np.concatenate([f if f.size else np.zeros(1, np.intp) for f in feats])
    rows = np.repeat(np.arange(n), lengths)
    scale = (1.0 / np.sqrt(lengths)).astype(np.float32)
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    if init is not None and init.dim_bits == dim_bits:
        w = init.weights.astype(np.float32)
        b = init.bias.astype(np.float32).copy()
    else:
        w = np.zeros((dim, k), dtype=np.float32)
        prior = np.clip(y.mean(axis=0), 1e-3, 1 - 1e-3)
        b = np.log(prior / (1 - prior)).astype(np.float32)
    pos = y.sum(axis=0)
    pos_weight = np.clip((n - pos) / np.maximum(pos, 1), 1.0, 30.0).astype(np.float32) ** 0.75
    sample = (weight / weight.mean()).astype(np.float32)[:, None]
    mw = np.zeros_like(w)
    vw = np.zeros_like(w)
    mb = np.zeros_like(b)
    vb = np.zeros_like(b)
    lr, beta1, beta2, eps = 0.05, 0.9, 0.999, 1e-8
    for t in range(1, epochs + 1):
        z = np.add.reduceat(w[idx], starts, axis=0) * scale[:, None] + b
        p = 1.0 / (1.0 + np.exp(-z))
        cw = np.where(y > 0, pos_weight, 1.0) * sample
        g = (p - y) * cw / n  # (n, k)
        gs = g * scale[:, None]
        gw = np.empty_like(w)
        for c in range(k):
            gw[:, c] = np.bincount(idx, weights=gs[rows, c], minlength=dim)
        gw += l2 * w
        gb = g.sum(axis=0)
        mw = beta1 * mw + (1 - beta1) * gw
        vw = beta2 * vw + (1 - beta2) * gw * gw
        mb = beta1 * mb + (1 - beta1) * gb
        vb = beta2 * vb + (1 - beta2) * gb * gb
        corr1, corr2 = 1 - beta1**t, 1 - beta2**t
        w -= lr * (mw / corr1) / (np.sqrt(vw / corr2) + eps)
        b -= lr * (mb / corr1) / (np.sqrt(vb / corr2) + eps)
    return w, b


def _predict(w: np.ndarray, b: np.ndarray, feats: Sequence[np.ndarray]) -> np.ndarray:
    out = np.zeros((len(feats), w.shape[1]), dtype=np.float32)
    for r, f in enumerate(feats):
        if f.size:
            out[r] = w[f].sum(axis=0) / np.sqrt(f.size)
    return 1.0 / (1.0 + np.exp(-(out + b)))


def _pick_thresholds(p: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Per head, the threshold with the best F-beta (beta 0.5: precision weighs more), never
    below 0.3: the validation fold is small and a low threshold costs clean posts."""
    grid = np.arange(0.3, 0.96, 0.025)
    out = np.full(y.shape[1], 0.5, dtype=np.float32)
    beta2 = 0.5**2
    for c in range(y.shape[1]):
        best, best_t = -1.0, 0.5
        gold = y[:, c] > 0
        if not gold.any():
            out[c] = 0.9
            continue
        for t in grid:
            pred = p[:, c] >= t
            tp = float((pred & gold).sum())
            fp = float((pred & ~gold).sum())
            fn = float((~pred & gold).sum())
            denom = (1 + beta2) * tp + beta2 * fn + fp
            score = (1 + beta2) * tp / denom if denom else 0.0
            if score > best + 1e-9:
                best, best_t = score, float(t)
        out[c] = best_t
    return out


def fit_heads(
    examples: Sequence[LabelledPost],
    *,
    base: Heads | None = None,
    policy: Policy | None = None,
    example_weight: float = 3.0,
    include_shipped: bool = True,
    epochs: int = 120,
    l2: float = 1e-6,
    dim_bits: int = 17,
    version: str | None = None,
) -> Heads:
    """Heads fitted on the shipped training split plus ``examples`` (weighted ``example_weight``).

    ``policy`` is the organization's policy, used to mask its entities in ``examples``; the
    shipped corpus is always read with its own policy. ``base`` (e.g. the shipped model) is the
    starting point. Raises ``ValueError`` when there is nothing to train on.
    """
    shipped = load_corpus("train") if include_shipped else []
    if not shipped and not examples:
        raise ValueError("no training examples: give examples or include the shipped corpus")
    for i, ex in enumerate(examples):
        unknown = set(ex.categories) - set(_CATEGORIES)
        if unknown:
            raise ValueError(f"examples[{i}]: unknown categories {sorted(unknown)}")
    if base is not None:
        dim_bits = base.dim_bits
    feats = featurize_posts(shipped, None, dim_bits) + featurize_posts(examples, policy, dim_bits)
    posts = [*shipped, *examples]
    y = _targets(posts)
    weight = np.array([1.0] * len(shipped) + [example_weight] * len(examples), dtype=np.float32)
    # Thresholds from a validation fold (every fifth post by position), then refit on all.
    fold = np.arange(len(posts)) % 5 == 3
    if fold.sum() >= 20 and (~fold).sum() >= 20:
        train_feats = [f for f, v in zip(feats, fold, strict=True) if not v]
        val_feats = [f for f, v in zip(feats, fold, strict=True) if v]
        w, b = _train(train_feats, y[~fold], weight[~fold], dim_bits, base, epochs, l2)
        thresholds = _pick_thresholds(_predict(w, b, val_feats), y[fold])
    else:
        thresholds = (
            base.thresholds.copy() if base is not None
            else np.full(len(HEAD_LABELS), 0.5, np.float32)
        )  # fmt: skip
    w, b = _train(feats, y, weight, dim_bits, base, epochs, l2)
    meta: dict[str, Any] = {
        "trained_on": {"shipped": len(shipped), "examples": len(examples)},
        "example_weight": example_weight,
        "epochs": epochs,
        "l2": l2,
    }
    return Heads(
        weights=w.astype(np.float16),
        bias=b.astype(np.float32),
        thresholds=thresholds.astype(np.float32),
        dim_bits=dim_bits,
        version=version or f"learned-{zlib.crc32(w.tobytes()):08x}",
        meta=meta,
    )


def _prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": p, "recall": r, "f1": f, "support": tp + fn}


def evaluate(
    heads: Heads | None, examples: Sequence[LabelledPost], *, policy: Policy | None = None
) -> dict[str, Any]:
    """The whole engine with ``heads`` (``None``: rules only) on ``examples``.

    Returns ``{"per_category": {cat: {precision, recall, f1, support}}, "micro": {...},
    "macro_f1", "clean_fp_rate", "protected_blocked", "posts"}``; macro-F1 is over the
    categories with support or predictions.
    """
    from chorus.screening.engine import Screener
    from chorus.screening.types import Post

    screener = Screener(policy or corpus_policy(), heads=heads, learned=heads is not None)
    counts = {c: [0, 0, 0] for c in _CATEGORIES}
    clean = clean_fp = protected_blocked = 0
    for i, ex in enumerate(examples):
        result = screener.check(Post(id=str(i), text=ex.text))
        got, want = set(result.categories), set(ex.categories)
        for c in _CATEGORIES:
            counts[c][0] += c in got and c in want
            counts[c][1] += c in got and c not in want
            counts[c][2] += c in want and c not in got
        if not want:
            clean += 1
            clean_fp += result.verdict != "allow"
        if ex.protected and not want:
            protected_blocked += result.verdict == "block"
    per = {c: _prf(*v) for c, v in counts.items()}
    present = [c for c, v in counts.items() if sum(v)]
    tp = sum(v[0] for v in counts.values())
    fp = sum(v[1] for v in counts.values())
    fn = sum(v[2] for v in counts.values())
    return {
        "posts": len(examples),
        "per_category": per,
        "micro": _prf(tp, fp, fn),
        "macro_f1": sum(per[c]["f1"] for c in present) / len(present) if present else 0.0,
        "clean_fp_rate": clean_fp / clean if clean else 0.0,
        "protected_blocked": protected_blocked,
    }
