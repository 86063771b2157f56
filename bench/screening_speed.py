"""Screening speed on one core: prints numbers, never asserts.

    .venv/bin/python bench/screening_speed.py [--quick]

Figures (each also shown as a ratio to a machine baseline: one compiled regex scan over the
same texts, so numbers from different machines can be compared):

- entity + lexicon pass alone (normalize + one Aho-Corasick pass) posts/s   (target >= 20,000)
- full default pipeline posts/s, screening-dev texts and 280-char posts     (target >= 2,000)
- p50 / p99 latency for one 280-char post                                    (target p99 < 5 ms)
- `python -m chorus.screening.cli` process start + one post, wall time       (target < 0.5 s)
- peak RSS streaming 10k vs 200k posts through check_many in a subprocess    (should be flat)
- the rules alone (learned tier off) on 280-char posts, and the model files' size (<= 100 MB)

The full pipeline includes the learned tier (``chorus.screening.learned``, shipped heads).

Threads are pinned to one (OMP/MKL/OpenBLAS=1); the engine itself is single-threaded Python.
Throughput and latency are measured in CPU time of this process (``time.process_time``), so a
busy shared machine does not distort them; the CLI figure shows wall and CPU time (children's
rusage) side by side, and the load average is printed for context.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ.setdefault(var, "1")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from chorus.screening import Post, Screener, load_policy_file  # noqa: E402
from chorus.screening.engine import collect_hits  # noqa: E402
from chorus.screening.text import normalize  # noqa: E402

DATA = Path(os.environ.get("CHORUS_DATA", "/work/shared/data")) / "screening-dev"
POST_280 = (
    "Quick update from the warehouse floor: the new Skylift fleet handled peak week without a "
    "hitch, and Contoso's team stopped by to see it. Huge thanks to everyone on nights who "
    "kept the chargers running. Next up: figuring out why the dock doors keep sticking. 🚀 "
)[:280]
BASELINE = re.compile(r"(?i)\b(?:password|token|secret|fuck|shit|contoso|globex|initech)\b")


def rate(fn, items: list, repeat: int = 1) -> float:
    fn(items[0])
    start = time.process_time()
    for _ in range(repeat):
        for item in items:
            fn(item)
    return len(items) * repeat / (time.process_time() - start)


def memory_run(n: int, policy: Path) -> int:
    code = f"""
import resource, sys, json, itertools
sys.path.insert(0, {str(ROOT)!r})
from chorus.screening import Post, Screener, load_policy_file
s = Screener(load_policy_file({str(policy)!r}))
texts = [json.loads(l)["text"] for l in open({str(DATA / "posts.jsonl")!r})]
posts = (Post(id=str(i), text=t + " " + str(i)) for i, t in zip(range({n}), itertools.cycle(texts)))
verdicts = 0
for r in s.check_many(posts):
    verdicts += r.verdict == "block"
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return int(out.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description="Screening speed benchmark")
    parser.add_argument("--quick", action="store_true", help="5k/50k posts for the memory test")
    args = parser.parse_args()
    policy_path = DATA / "policy.yaml"
    screener = Screener(load_policy_file(policy_path))
    texts = [json.loads(line)["text"] for line in (DATA / "posts.jsonl").open(encoding="utf-8")]
    posts = [Post(id=str(i), text=t) for i, t in enumerate(texts)]
    posts_280 = [Post(id=str(i), text=POST_280) for i in range(500)]
    compiled = screener.compiled

    print(f"load average: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    base_dev = rate(BASELINE.search, texts, repeat=200)
    base_280 = rate(BASELINE.search, [POST_280] * 500, repeat=20)
    print(f"machine baseline (one regex scan): {base_dev:,.0f} dev posts/s, "
          f"{base_280:,.0f} 280-char posts/s")  # fmt: skip

    lex = rate(lambda t: collect_hits(compiled, normalize(t)), texts, repeat=30)
    print(f"entity + lexicon pass:   {lex:>10,.0f} posts/s  (target >= 20,000)  "
          f"baseline ratio {lex / base_dev:.3f}")  # fmt: skip
    rules_only = Screener(load_policy_file(policy_path), learned=False)
    rules_280 = rate(rules_only.check, posts_280, repeat=4)
    print(f"rules only, 280-char:    {rules_280:>10,.0f} posts/s  (the pipeline without the "
          "learned tier, for comparison)")  # fmt: skip
    full = rate(screener.check, posts, repeat=20)
    print(f"full pipeline, dev:      {full:>10,.0f} posts/s  (target >= 2,000)   "
          f"baseline ratio {full / base_dev:.4f}")  # fmt: skip
    full_280 = rate(screener.check, posts_280, repeat=4)
    print(f"full pipeline, 280-char: {full_280:>10,.0f} posts/s  (target >= 2,000)   "
          f"baseline ratio {full_280 / base_280:.4f}")  # fmt: skip

    one = Post(id="one", text=POST_280)
    for _ in range(50):
        screener.check(one)
    samples = []
    for _ in range(2000):
        start = time.process_time()
        screener.check(one)
        samples.append((time.process_time() - start) * 1000)
    samples.sort()
    p50, p99 = samples[len(samples) // 2], samples[int(len(samples) * 0.99)]
    base_one = 1000 / base_280
    print(f"one 280-char post: p50 {p50:.3f} ms, p99 {p99:.3f} ms (target p99 < 5 ms); "
          f"baseline {base_one:.4f} ms, p99 ratio {p99 / base_one:.0f}x")  # fmt: skip

    cli_times, cli_cpu = [], []
    for _ in range(5):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "chorus.screening.cli", "-", "--policy", str(policy_path),
             "--format", "json"],
            input=POST_280.encode(), capture_output=True, check=False, cwd=ROOT,
        )  # fmt: skip
        cli_times.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cli_cpu.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run([sys.executable, "-c", "pass"], check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    bare = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    print(f"`python -m chorus.screening.cli` start + one post: median wall "
          f"{statistics.median(cli_times):.3f} s, CPU {statistics.median(cli_cpu):.3f} s "
          f"(target < 0.5 s); bare interpreter CPU {bare:.3f} s, "
          f"ratio {statistics.median(cli_cpu) / max(bare, 1e-3):.1f}x")  # fmt: skip

    models = ROOT / "chorus" / "screening" / "models"
    sizes = {p.name: p.stat().st_size for p in sorted(models.iterdir()) if p.is_file()}
    print("model files: " + ", ".join(f"{n} {b / 1e6:.1f} MB" for n, b in sizes.items())
          + f"; total {sum(sizes.values()) / 1e6:.1f} MB (target <= 100 MB)")  # fmt: skip

    small, large = (5_000, 50_000) if args.quick else (10_000, 200_000)
    rss_small = memory_run(small, policy_path)
    rss_large = memory_run(large, policy_path)
    print(
        f"peak RSS streaming {small:,} posts: {rss_small / 1024:.1f} MiB; {large:,} posts: "
        f"{rss_large / 1024:.1f} MiB (growth {100 * (rss_large - rss_small) / rss_small:+.1f}%)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
