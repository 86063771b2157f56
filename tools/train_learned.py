"""Train the learned screening tier and write chorus/screening/models/learned-v1.npz.

    .venv/bin/python tools/train_learned.py [--epochs N] [--out PATH]

Reads only the shipped corpus (chorus/screening/learned/corpus/*.txt, train split; the test
split is never used here), fits with the same numpy code organizations use to retrain
(:func:`chorus.screening.learned.fit_heads`), and prints the held-out test figures.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from chorus.screening.learned import evaluate, fit_heads, load_corpus  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--epochs", type=int, default=120)
    parser.add_argument("--out", default=str(ROOT / "chorus/screening/models/learned-v1.npz"))
    args = parser.parse_args()
    train = load_corpus("train")
    test = load_corpus("test")
    print(f"corpus: {len(train)} train, {len(test)} held-out test posts")
    started = time.time()
    heads = fit_heads([], include_shipped=True, epochs=args.epochs, version="learned-v1")
    print(f"fitted in {time.time() - started:.1f}s; thresholds:")
    for label, t in zip(heads.labels, heads.thresholds, strict=True):
        print(f"  {label:<24} {t:.3f}")
    heads.save(args.out)
    print(f"wrote {args.out} ({Path(args.out).stat().st_size / 1e6:.1f} MB)")
    for name, h in (("rules only", None), ("rules + learned", heads)):
        report = evaluate(h, test)
        micro = report["micro"]
        print(f"held-out test, {name}: macro-F1 {report['macro_f1']:.3f}, micro P "
              f"{micro['precision']:.3f} R {micro['recall']:.3f}, clean FP "
              f"{report['clean_fp_rate']:.1%}")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
