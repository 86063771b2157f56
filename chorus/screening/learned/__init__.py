"""The learned semantic tier of the screening engine (see ``model``, ``tier``, ``training``).

Public interface (stable)::

    from chorus.screening.learned import (
        Heads, LabelledPost, default_heads, evaluate, fit_heads, load_corpus,
    )

    heads = fit_heads(org_examples, base=default_heads(), policy=org_policy)
    report = evaluate(heads, held_back, policy=org_policy)
    heads.save("org-7.npz"); Heads.load("org-7.npz").version
    Screener(org_policy, heads=heads).check(post)   # or screener_for(org_policy, heads=heads)

Pure Python + numpy; never imports Django.
"""

from chorus.screening.learned.model import HEAD_LABELS, Heads, LabelledPost, default_heads
from chorus.screening.learned.training import corpus_policy, evaluate, fit_heads, load_corpus

__all__ = [
    "HEAD_LABELS",
    "Heads",
    "LabelledPost",
    "corpus_policy",
    "default_heads",
    "evaluate",
    "fit_heads",
    "load_corpus",
]
