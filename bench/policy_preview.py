"""Impact preview speed on one core: prints numbers, never asserts.

    .venv/bin/python bench/policy_preview.py [--texts 100000]

Replays N unique stored texts (screening-dev posts, each made unique by a suffix so the
replay's de-duplication does not help) against a published policy and a draft, through
`chorus.screening.compare.replay` (the code the preview task runs, minus reading the rows
from the database). Two drafts:

- "stricter thresholds": the draft blocks at medium and raises one rule's severity. Both
  policies match the same things, so the text is analysed once and judged twice.
- "new rule with terms": the draft adds a custom rule listing terms; the policies match
  different things, so every text is screened by both in full.

Target: 100,000 texts in under 60 s (CPU time of this process, `time.process_time`).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ.setdefault(var, "1")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from chorus.screening import load_policy_file  # noqa: E402
from chorus.screening.compare import Item, replay  # noqa: E402
from chorus.screening.policy import Policy  # noqa: E402

DATA = Path(os.environ.get("CHORUS_DATA", "/work/shared/data")) / "screening-dev"


def items(texts: list[str], n: int):
    for i in range(n):
        yield Item("review", str(i), f"{texts[i % len(texts)]} #{i}", None, f"user:{i % 700}")


def main() -> int:
    parser = argparse.ArgumentParser(description="Impact preview benchmark")
    parser.add_argument("--texts", type=int, default=100_000)
    args = parser.parse_args()
    with open(DATA / "posts.jsonl") as handle:
        texts = [json.loads(line)["text"] for line in handle]
    published = load_policy_file(DATA / "policy.yaml")
    doc = published.to_dict()
    stricter = dict(doc, thresholds={"block": "medium", "warn": "low"})
    first = stricter.get("rules", [{}])[0] if stricter.get("rules") else None
    if first:
        stricter["rules"] = [dict(first, severity="critical"), *stricter["rules"][1:]]
    new_rule = dict(doc, rules=[*doc.get("rules", []), {
        "id": "custom.union_talk", "category": "confidential", "severity": "critical",
        "title": "Union talk", "text": "No talk of unions.", "params": {"terms": ["union", "pay"]},
    }])
    print(f"{args.texts:,} unique texts, {len(texts)} distinct bodies, one core")
    for label, draft in (("stricter thresholds", stricter), ("new rule with terms", new_rule)):
        new = Policy.from_dict(draft)
        replay(published, new, items(texts, 50))  # compile both policies, load models
        start = time.process_time()
        wall = time.perf_counter()
        tally = replay(published, new, items(texts, args.texts))
        cpu = time.process_time() - start
        result = tally.to_dict()
        print(f"{label:<22} {cpu:6.1f} s CPU ({time.perf_counter() - wall:5.1f} s wall), "
              f"{args.texts / cpu:,.0f} texts/s; verdict changes {result['verdict_changes']:,}, "
              f"people {result['people']}, protected blocked {result['protected_count']:,}  "
              f"[target < 60 s for 100,000]")
    print(f"load average: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
