"""Train the offensive-language model and export it as plain numbers (no pickle).

Reads the datasets IN PLACE (never copies their text into the repo):

- TweetEval offensive (OLID): ``$CHORUS_DATA/tweeteval/offensive/{split}_{text,labels}.txt``
- Davidson et al. 2017: ``$CHORUS_DATA/davidson/labeled_data.csv`` (``--davidson-weight``,
  default 0.1; split stratified 80/20 with ``random_state=0``; only the 80% part is trained on)
- the blend partner: alt-profanity-check's own linear model, read from the installed wheel
  and re-exported as numbers (``--no-blend`` to skip)

Model: TF-IDF (word 1-2 + char_wb 2-5, analyzers from ``chorus.screening.offensive`` so run time
sees identical features) + LogisticRegression. C, class weighting and sublinear tf are picked on
the validation split; the decision threshold is the validation macro-F1 optimum. Test is scored
once and recorded in the artifact metadata and printed for MODEL_CARD.md.

Usage::

    .venv/bin/python tools/train_offensive.py [--data /work/shared/data] [--davidson]

Writes ``chorus/screening/models/offensive-v1.json.gz``. Needs scikit-learn (dev only).
"""

from __future__ import annotations

import argparse
import csv
import gzip
import hashlib
import json
import os
import sys
import time
from pathlib import Path

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score, precision_recall_fscore_support, recall_score  # noqa: F401
from sklearn.model_selection import train_test_split

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from chorus.screening.offensive import (  # noqa: E402
    FORMAT,
    MODEL_RESOURCE,
    Partner,
    encode_floats,
    features_char,
    features_word,
    load_model_bytes,
    model_text,
)

OUT = ROOT / "chorus" / "screening" / "models" / MODEL_RESOURCE


def read_tweeteval(base: Path, split: str) -> tuple[list[str], list[int]]:
    texts = (base / f"{split}_text.txt").read_text(encoding="utf-8").splitlines()
    labels = [int(x) for x in (base / f"{split}_labels.txt").read_text().split()]
    assert len(texts) == len(labels), split
    return texts, labels


def read_davidson(path: Path) -> tuple[list[str], list[int]]:
    """Binary labels: 1 = hate or offensive (class 0/1), 0 = neither (class 2)."""
    texts, labels = [], []
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            texts.append(row["tweet"])
            labels.append(0 if row["class"] == "2" else 1)
    return texts, labels


def davidson_split(path: Path) -> tuple[list[str], list[str], list[int], list[int]]:
    """The fixed split used everywhere: stratified 80/20, random_state=0."""
    texts, labels = read_davidson(path)
    with path.open(encoding="utf-8", newline="") as fh:
        classes = [row["class"] for row in csv.DictReader(fh)]
    tr_x, te_x, tr_y, te_y = train_test_split(
        texts, labels, test_size=0.2, random_state=0, stratify=classes
    )
    return tr_x, te_x, tr_y, te_y


def file_hash(paths: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def vectorizers(sublinear: bool) -> tuple[TfidfVectorizer, TfidfVectorizer]:
    common = {"lowercase": False, "min_df": 2, "sublinear_tf": sublinear, "dtype": np.float64}
    word = TfidfVectorizer(analyzer=features_word, **common)
    char = TfidfVectorizer(analyzer=features_char, **common)
    return word, char


def best_threshold(y: list[int], p: np.ndarray) -> tuple[float, float]:
    best = (0.5, 0.0)
    for t in np.arange(0.2, 0.8, 0.01):
        f1 = f1_score(y, (p >= t).astype(int), average="macro")
        if f1 > best[1]:
            best = (float(round(t, 2)), float(f1))
    return best


def export_profanity_check() -> dict[str, object] | None:
    """alt-profanity-check's word TF-IDF + calibrated LinearSVC, as plain numbers.

    Read from the installed wheel at training time only (it is a trusted, pinned package);
    the product never loads its pickle. Returns None when the package is not installed.
    """
    try:
        from profanity_check.profanity_check import model, vectorizer
    except ImportError:
        return None
    vocab = sorted(vectorizer.vocabulary_, key=vectorizer.vocabulary_.__getitem__)
    folds = []
    for calibrated in model.calibrated_classifiers_:
        svc = calibrated.estimator
        (sig,) = calibrated.calibrators
        folds.append({
            "coef": encode_floats([float(x) for x in svc.coef_[0]]),
            "intercept": float(svc.intercept_[0]),
            "a": float(sig.a_),
            "b": float(sig.b_),
        })  # fmt: skip
    return {
        "source": "alt-profanity-check 1.9.1 (MIT), data/model.joblib + vectorizer.joblib",
        "vocab": "\n".join(vocab),
        "idf": encode_floats([float(x) for x in vectorizer.idf_]),
        "folds": folds,
    }


def score_partner(partner: Partner, text: str) -> float:
    return partner.score(text)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=os.environ.get("CHORUS_DATA", "/work/shared/data"))
    parser.add_argument(
        "--davidson-weight", type=float, default=0.1,
        help="sample weight of the Davidson 80%% part (0 = TweetEval only; default 0.1)",
    )  # fmt: skip
    parser.add_argument(
        "--no-blend", action="store_true",
        help="do not export alt-profanity-check's linear model as the blend partner",
    )  # fmt: skip
    args = parser.parse_args()
    data = Path(args.data)
    te_base = data / "tweeteval" / "offensive"

    tr_x, tr_y = read_tweeteval(te_base, "train")
    va_x, va_y = read_tweeteval(te_base, "val")
    te_x, te_y = read_tweeteval(te_base, "test")
    sources = [te_base / f"{s}_{k}.txt" for s in ("train", "val") for k in ("text", "labels")]
    weights = [1.0] * len(tr_x)
    if args.davidson_weight > 0:
        # Davidson is 83% offensive and far from employee posts: a small weight adds its
        # vocabulary without moving the decision boundary much (pooling at 1.0 hurt, research 3.2).
        dv_path = data / "davidson" / "labeled_data.csv"
        d_tr_x, _, d_tr_y, _ = davidson_split(dv_path)
        tr_x, tr_y = tr_x + d_tr_x, tr_y + d_tr_y
        weights += [args.davidson_weight] * len(d_tr_x)
        sources.append(dv_path)

    tr_docs = [model_text(t) for t in tr_x]
    va_docs = [model_text(t) for t in va_x]
    te_docs = [model_text(t) for t in te_x]

    results = []
    for sublinear in (False,):
        word, char = vectorizers(sublinear)
        x_tr = sparse.hstack([word.fit_transform(tr_docs), char.fit_transform(tr_docs)]).tocsr()
        x_va = sparse.hstack([word.transform(va_docs), char.transform(va_docs)]).tocsr()
        for cw in (None, "balanced"):
            for c in (1.0, 2.0, 4.0):
                clf = LogisticRegression(C=c, class_weight=cw, max_iter=3000, solver="liblinear")
                clf.fit(x_tr, tr_y, sample_weight=weights)
                p = clf.predict_proba(x_va)[:, 1]
                t, f1 = best_threshold(va_y, p)
                results.append((f1, sublinear, cw, c, t))
                print(f"sublinear={sublinear} cw={cw} C={c}: val macro-F1 {f1:.4f} @ t={t}")
    f1, sublinear, cw, c, t = max(results, key=lambda r: r[0])
    print(f"picked sublinear={sublinear} class_weight={cw} C={c} threshold={t} (val {f1:.4f})")

    word, char = vectorizers(sublinear)
    x_tr = sparse.hstack([word.fit_transform(tr_docs), char.fit_transform(tr_docs)]).tocsr()
    clf = LogisticRegression(C=c, class_weight=cw, max_iter=3000, solver="liblinear")
    clf.fit(x_tr, tr_y, sample_weight=weights)
    x_te = sparse.hstack([word.transform(te_docs), char.transform(te_docs)]).tocsr()
    p_te = clf.predict_proba(x_te)[:, 1]
    pred = (p_te >= t).astype(int)
    macro = f1_score(te_y, pred, average="macro")
    prec, rec, f1s, _ = precision_recall_fscore_support(te_y, pred)
    print(
        f"TweetEval offensive test: macro-F1 {macro:.4f}; offensive P {prec[1]:.3f} "
        f"R {rec[1]:.3f} F1 {f1s[1]:.3f}"
    )

    own_val = clf.predict_proba(
        sparse.hstack([word.transform(va_docs), char.transform(va_docs)]).tocsr()
    )[:, 1]
    partner = None if args.no_blend else export_profanity_check()
    blend = {"weight_own": 1.0, "threshold": t}
    if partner is not None:
        scorer = Partner.from_json(partner)
        apc_val = np.array([score_partner(scorer, x) for x in va_x])
        apc_te = np.array([score_partner(scorer, x) for x in te_x])
        best = (0.0, 1.0, t)
        for w in np.arange(0.0, 1.01, 0.05):
            bt, bf = best_threshold(va_y, w * own_val + (1 - w) * apc_val)
            if bf > best[0]:
                best = (bf, float(round(w, 2)), bt)
        bf, w, bt = best
        blend = {"weight_own": w, "threshold": bt}
        pred_b = ((w * p_te + (1 - w) * apc_te) >= bt).astype(int)
        bmacro = f1_score(te_y, pred_b, average="macro")
        bprec, brec, _, _ = precision_recall_fscore_support(te_y, pred_b)
        print(
            f"blend w_own={w} t={bt}: val {bf:.4f}; test macro-F1 {bmacro:.4f}; offensive "
            f"P {bprec[1]:.3f} R {brec[1]:.3f}"
        )

    coef = clf.coef_[0]
    n_word = len(word.vocabulary_)

    def export(vec: TfidfVectorizer, weights: np.ndarray) -> dict[str, object]:
        vocab = sorted(vec.vocabulary_, key=vec.vocabulary_.__getitem__)
        assert not any("\n" in g for g in vocab)
        return {
            "sublinear_tf": bool(vec.sublinear_tf),
            "vocab": "\n".join(vocab),
            "idf": encode_floats([float(x) for x in vec.idf_]),
            "coef": encode_floats([float(x) for x in weights]),
        }

    meta = {
        "trained_at": time.strftime("%Y-%m-%d"),
        "training_data_sha256": file_hash(sources),
        "sources": [str(p.relative_to(data)) for p in sources],
        "params": {"C": c, "class_weight": cw, "sublinear_tf": sublinear, "min_df": 2},
        "val_macro_f1": round(f1, 4),
        "test_macro_f1": round(float(macro), 4),
        "test_offensive_precision": round(float(prec[1]), 4),
        "test_offensive_recall": round(float(rec[1]), 4),
        "davidson_weight": args.davidson_weight,
        "own_threshold": t,
        "features": int(x_tr.shape[1]),
    }
    payload = {
        "format": FORMAT,
        "word": export(word, coef[:n_word]),
        "char": export(char, coef[n_word:]),
        "intercept": round(float(clf.intercept_[0]), 6),
        "threshold": blend["threshold"],
        "blend": blend,
        "partner": partner,
        "meta": meta,
    }
    raw = gzip.compress(json.dumps(payload, ensure_ascii=False).encode("utf-8"), 9, mtime=0)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_bytes(raw)
    print(f"wrote {OUT} ({len(raw) / 1e6:.2f} MB, {x_tr.shape[1]} features)")

    # The exported pure-Python scorer must agree with scikit-learn (rounding aside).
    model = load_model_bytes(raw)
    ours = np.array([model.own_score(t) for t in te_x])
    print(f"max |ours - sklearn| on test: {np.abs(ours - p_te).max():.5f}")
    if partner is not None:
        from profanity_check import predict_prob

        theirs = predict_prob(te_x[:200])
        mine = np.array([model.partner_score(t) for t in te_x[:200]])
        print(f"max |partner export - alt-profanity-check|: {np.abs(mine - theirs).max():.5f}")
    print(json.dumps(meta, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
