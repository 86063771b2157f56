"""Screening quality: prints numbers, never asserts.

    .venv/bin/python bench/screening_quality.py [--posts P.jsonl --policy POLICY.yaml] [--data DIR]

1. screening-dev (or any labelled set of the same schema, e.g. a held-out one via --posts):
   per-category precision/recall/F1, macro-F1, verdict accuracy, protected-activity block and
   warn rates, clean false-positive rate; then per language (the posts' ``lang`` field): verdict
   accuracy, macro-F1 and per-category F1 with support, and the worst language. Targets: macro-F1 >= 0.90, no protected post blocked,
   clean FP <= 3%.
2. The harassment layer on TweetEval offensive test and on the fixed Davidson split (stratified
   20%, random_state=0): macro-F1 and offensive-class recall for
   - "model": the packaged statistical layer (blended score at its validation-tuned threshold);
   - "model (own LR only)": our TF-IDF LR alone at its own validation-tuned threshold;
   - "engine": what the engine reports (any harassment/profanity finding above info).
   Targets on TweetEval: macro-F1 >= 0.77, offensive recall >= 0.60.
   Davidson caveat: alt-profanity-check, the blend partner, was trained on all of Davidson,
   so blended Davidson numbers are contaminated; our own LR saw only the 80% part (weight 0.1).

Data are read in place from $CHORUS_DATA (default /work/shared/data); nothing is copied.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
from collections.abc import Iterable
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from chorus.screening import Post, Screener, load_policy_file, parse_policy_yaml  # noqa: E402
from chorus.screening.catalog import CATEGORIES  # noqa: E402
from chorus.screening.learned import (  # noqa: E402
    LabelledPost,
    corpus_policy,
    default_heads,
    evaluate,
    fit_heads,
    load_corpus,
)
from chorus.screening.offensive import get_model  # noqa: E402


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def binary_report(gold: list[int], pred: list[int]) -> tuple[float, float]:
    """(macro-F1 over the two classes, recall of class 1)."""
    f1s = []
    for cls in (0, 1):
        tp = sum(g == cls and p == cls for g, p in zip(gold, pred, strict=True))
        fp = sum(g != cls and p == cls for g, p in zip(gold, pred, strict=True))
        fn = sum(g == cls and p != cls for g, p in zip(gold, pred, strict=True))
        f1s.append(prf(tp, fp, fn)[2])
    tp = sum(g == 1 and p == 1 for g, p in zip(gold, pred, strict=True))
    return sum(f1s) / 2, tp / max(1, sum(gold))


def dev_report(
    posts_path: Path,
    policy_path: Path,
    title: str = "",
    show_misses: bool = True,
    learned: bool = True,
) -> None:
    screener = Screener(load_policy_file(policy_path), learned=learned)
    rows = [
        json.loads(line) for line in posts_path.read_text(encoding="utf-8").splitlines() if line
    ]
    rows_report(rows, screener, title or str(posts_path), policy_path.name, show_misses)


_BLOCKING = frozenset({"secret", "pii", "mnpi", "confidential"})


def corpus_rows(posts: Iterable[LabelledPost]) -> list[dict]:
    """Corpus posts in the screening-dev schema; the expected verdict follows the README
    (block for secret/pii/mnpi/confidential, warn otherwise; harassment is taken as warn,
    since the corpus does not mark threats apart from insults)."""
    rows = []
    for i, post in enumerate(posts):
        labels = sorted(post.categories)
        verdict = "block" if _BLOCKING & post.categories else "warn" if labels else "allow"
        rows.append({"id": f"c-{i}", "text": post.text, "labels": labels,
                     "protected": post.protected, "expect_verdict": verdict,
                     "lang": post.language})  # fmt: skip
    return rows


def rows_report(
    rows: list[dict], screener: Screener, title: str, policy_name: str, show_misses: bool
) -> dict[str, float]:
    counts = {c: [0, 0, 0] for c in CATEGORIES}
    # per language: category -> [tp, fp, fn], and [verdicts right, posts]
    by_lang: dict[str, dict[str, list[int]]] = {}
    lang_verdicts: dict[str, list[int]] = {}
    verdict_ok = 0
    protected_alone = protected_block = protected_warn = 0
    protected_all = protected_all_block = 0
    clean = clean_fp = 0
    misses: list[str] = []
    for row in rows:
        result = screener.check(Post(id=row["id"], text=row["text"]))
        got, want = set(result.categories), set(row["labels"])
        for cat in CATEGORIES:
            counts[cat][0] += cat in got and cat in want
            counts[cat][1] += cat in got and cat not in want
            counts[cat][2] += cat in want and cat not in got
        verdict_ok += result.verdict == row["expect_verdict"]
        lang = str(row.get("lang") or "?")
        lang_counts = by_lang.setdefault(lang, {c: [0, 0, 0] for c in CATEGORIES})
        for cat in CATEGORIES:
            lang_counts[cat][0] += cat in got and cat in want
            lang_counts[cat][1] += cat in got and cat not in want
            lang_counts[cat][2] += cat in want and cat not in got
        lang_row = lang_verdicts.setdefault(lang, [0, 0])
        lang_row[0] += result.verdict == row["expect_verdict"]
        lang_row[1] += 1
        if got != want or result.verdict != row["expect_verdict"]:
            misses.append(f"  {row['id']}: got {result.verdict} {sorted(got)}; "
                          f"want {row['expect_verdict']} {sorted(want)}")  # fmt: skip
        if row.get("protected"):
            protected_all += 1
            protected_all_block += result.verdict == "block"
            if not want:
                protected_alone += 1
                protected_block += result.verdict == "block"
                protected_warn += result.verdict == "warn"
        if not want:
            clean += 1
            clean_fp += result.verdict != "allow"
    tier = "rules + learned" if screener.heads is not None else "rules only"
    print(f"== {title} ({len(rows)} posts, policy {policy_name}, {tier})")
    print(f"{'category':<24}{'support':>8}{'P':>7}{'R':>7}{'F1':>7}")
    f1s = []
    for cat in CATEGORIES:
        tp, fp, fn = counts[cat]
        if tp + fp + fn == 0:
            continue
        p, r, f = prf(tp, fp, fn)
        f1s.append(f)
        print(f"{cat:<24}{tp + fn:>8}{p:>7.3f}{r:>7.3f}{f:>7.3f}")
    macro = sum(f1s) / len(f1s) if f1s else 0.0
    tp_all = sum(v[0] for v in counts.values())
    fp_all = sum(v[1] for v in counts.values())
    fn_all = sum(v[2] for v in counts.values())
    micro_p, micro_r, _ = prf(tp_all, fp_all, fn_all)
    print(f"macro-F1 (categories present): {macro:.3f}   (target >= 0.90)")
    print(f"micro precision / recall: {micro_p:.3f} / {micro_r:.3f}   (target >= 0.93 / >= 0.90)")
    print(f"verdict accuracy: {verdict_ok / len(rows):.3f}")
    if protected_alone:
        print(f"protected-only posts: {protected_alone}; blocked {protected_block / protected_alone:.1%} "
              f"(target 0), warned {protected_warn / protected_alone:.1%}")  # fmt: skip
    if protected_all:
        print(
            f"all protected posts: {protected_all}; blocked {protected_all_block} "
            "(only for an unprotected violation in the same post)"
        )
    print(
        f"clean posts: {clean}; false-positive rate {clean_fp / max(1, clean):.1%} (target <= 3%)"
    )
    lang_report(by_lang, lang_verdicts)
    if misses and show_misses:
        print("mismatches:")
        print("\n".join(misses))
    return {"macro": macro, "micro_p": micro_p, "micro_r": micro_r,
            "clean_fp": clean_fp / max(1, clean)}  # fmt: skip


def corpus_report(curves: bool) -> None:
    """The learned tier's held-out test split (never trained or tuned on), rules only and
    with the shipped heads; then learning curves (heads fitted on 25/50/100% of the
    training split, same settings as the shipped model, scored on the same test split)."""
    import random

    policy = corpus_policy()
    test_rows = corpus_rows(load_corpus("test"))
    for learned in (False, True):
        print()
        rows_report(test_rows, Screener(policy, learned=learned),
                    "HELD-OUT corpus test split (chorus/screening/learned/corpus, crc32 % 5 == 0)",
                    "learned/corpus/policy.yaml", show_misses=False)  # fmt: skip
    if not curves:
        return
    train = load_corpus("train")
    print()
    print("learning curve (held-out test split; fitted here with fit_heads, seed 0):")
    print(
        f"{'train share':<12}{'posts':>7}{'macro-F1':>10}{'micro P':>9}{'micro R':>9}{'clean FP':>10}"
    )
    rng = random.Random(0)
    shuffled = train[:]
    rng.shuffle(shuffled)
    for share in (0.25, 0.5, 1.0):
        subset = shuffled[: int(len(shuffled) * share)]
        heads = (default_heads() if share == 1.0 else
                 fit_heads(subset, include_shipped=False, example_weight=1.0))  # fmt: skip
        report = evaluate(heads, load_corpus("test"))
        micro = report["micro"]
        print(f"{share:<12.0%}{len(subset):>7}{report['macro_f1']:>10.3f}"
              f"{micro['precision']:>9.3f}{micro['recall']:>9.3f}"
              f"{report['clean_fp_rate']:>10.1%}")  # fmt: skip


def lang_report(by_lang: dict[str, dict[str, list[int]]], verdicts: dict[str, list[int]]) -> None:
    """Per language: verdict accuracy, macro-F1 and F1 per category ('-' = no support there).

    Small per-language samples swing a lot: read the post count next to each figure.
    """
    langs = sorted(verdicts, key=lambda lang: (-verdicts[lang][1], lang))
    short = {c: c.replace("undisclosed_", "").replace("_negative", "_neg")[:11] for c in CATEGORIES}
    print("per language (verdict accuracy; per-category F1, '-' where the language has none):")
    print(f"{'lang':<6}{'posts':>6}{'verdict':>9}{'macroF1':>9}  "
          + " ".join(f"{short[c]:>11}" for c in CATEGORIES))  # fmt: skip
    for lang in langs:
        ok, n = verdicts[lang]
        cells, f1s = [], []
        for cat in CATEGORIES:
            tp, fp, fn = by_lang[lang][cat]
            if tp + fp + fn == 0:
                cells.append(f"{'-':>11}")
                continue
            f = prf(tp, fp, fn)[2]
            f1s.append(f)
            cells.append(f"{f:>7.2f}({tp + fn:>2})")
        macro = f"{sum(f1s) / len(f1s):.3f}" if f1s else "-"
        print(f"{lang:<6}{n:>6}{ok / n:>9.3f}{macro:>9}  " + " ".join(cells))
    worst = min(langs, key=lambda lang: verdicts[lang][0] / verdicts[lang][1])
    ok, n = verdicts[worst]
    print(f"worst-language verdict accuracy: {worst} {ok / n:.3f} ({n} posts; target >= 0.90)")


def engine_offensive(screener: Screener, texts: Iterable[str]) -> list[int]:
    out = []
    for text in texts:
        result = screener.check(Post(id="x", text=text))
        out.append(int(any(f.category in ("harassment", "profanity") and f.severity != "info"
                           for f in result.findings)))  # fmt: skip
    return out


def layer_report(name: str, texts: list[str], gold: list[int], screener: Screener) -> None:
    model = get_model()
    assert model is not None, "model artifact missing: run tools/train_offensive.py"
    own_t = float(model.meta.get("own_threshold", 0.49))  # type: ignore[arg-type]
    blended = [int(model.score(t) >= model.threshold) for t in texts]
    own = [int(model.own_score(t) >= own_t) for t in texts]
    engine = engine_offensive(screener, texts)
    print(f"== {name} ({len(texts)} texts, {sum(gold)} offensive)")
    for label, pred in ((f"MODEL-level (blend, t={model.threshold:.2f})", blended),
                        (f"MODEL-level (own LR only, t={own_t:.2f})", own),
                        ("ENGINE-level (findings above info)", engine)):  # fmt: skip
        macro, rec = binary_report(gold, pred)
        print(f"  {label:<40} macro-F1 {macro:.3f}  offensive recall {rec:.3f}")


def main() -> int:
    parser = argparse.ArgumentParser(description="Screening quality benchmark")
    data_default = os.environ.get("CHORUS_DATA", "/work/shared/data")
    parser.add_argument("--data", default=data_default)
    parser.add_argument("--posts", help="labelled posts (screening-dev schema)")
    parser.add_argument("--policy", help="policy for --posts")
    parser.add_argument("--skip-public", action="store_true", help="only the labelled posts")
    parser.add_argument("--skip-curves", action="store_true", help="no learning curves")
    parser.add_argument("--rules-only", action="store_true", help="dev sets without the model")
    args = parser.parse_args()
    data = Path(args.data)
    posts = Path(args.posts) if args.posts else data / "screening-dev" / "posts.jsonl"
    policy = Path(args.policy) if args.policy else data / "screening-dev" / "policy.yaml"
    learned = not args.rules_only
    dev_report(posts, policy, "screening-dev (in-sample for the rules; never trained on)",
               learned=learned)  # fmt: skip
    if not args.posts:
        corpus_report(curves=not args.skip_curves)
        # Written independently of screening-dev by the engine's maintainers, labelled before
        # the engine was run on it; it approximates the unseen evaluation corpus.
        data_dir = ROOT / "chorus" / "screening" / "tests" / "data"
        own = data_dir / "heldout_like.jsonl"
        print()
        dev_report(own, policy, f"OWN held-out-like set {own.relative_to(ROOT)}",
                   learned=learned)  # fmt: skip
        # A second batch written and labelled before the engine was run on it, in two parts:
        # the tuning part (failures there were fixed in general ways) and 30 posts that were
        # never looked at while tuning: the honest estimate for unseen posts.
        # Its mismatches are not printed, so nobody tunes on them by accident.
        for name, title, show in (
            ("fresh_batch_2.jsonl", "FRESH batch 2, tuning part (in-sample after fixes)", True),
            (
                "fresh_batch_2_untouched.jsonl",
                "FRESH batch 2, UNTOUCHED 30 (never tuned on)",
                False,
            ),
        ):
            path = data_dir / name
            if path.exists():
                print()
                dev_report(path, policy, f"{title}: {path.relative_to(ROOT)}", show_misses=show,
                           learned=learned)  # fmt: skip
        # Batch 3: 61 posts (72% non-English, 44% clean) written and labelled before the engine
        # was run on it, aimed at the known weak spots (sarcasm, idioms outside English, MNPI
        # phrasing, German compound swear words, the author's own phone number).
        path = data_dir / "fresh_batch_3.jsonl"
        if path.exists():
            print()
            dev_report(path, policy, f"FRESH batch 3 (tuning set): {path.relative_to(ROOT)}",
                       learned=learned)  # fmt: skip
    if args.skip_public:
        return 0

    # Conduct only: entity rules have nothing to match in public tweets anyway.
    screener = Screener(parse_policy_yaml("organization: {name: Example Org}\npreset: balanced\n"))
    base = data / "tweeteval" / "offensive"
    texts = (base / "test_text.txt").read_text(encoding="utf-8").splitlines()
    gold = [int(x) for x in (base / "test_labels.txt").read_text().split()]
    layer_report("TweetEval offensive test", texts, gold, screener)

    from sklearn.model_selection import train_test_split

    with (data / "davidson" / "labeled_data.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    d_texts = [r["tweet"] for r in rows]
    d_gold = [0 if r["class"] == "2" else 1 for r in rows]
    _, te_x, _, te_y = train_test_split(
        d_texts, d_gold, test_size=0.2, random_state=0, stratify=[r["class"] for r in rows]
    )
    layer_report("Davidson 20% (seed 0) flag-vs-neither [blend contaminated]", te_x, te_y, screener)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
