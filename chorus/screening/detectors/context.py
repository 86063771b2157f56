"""Per-post analysis shared by the detectors: normalized text, lexicon hits, clauses.

A :class:`Context` is built once per post by the :class:`~chorus.screening.engine.Screener`
from one Aho-Corasick pass over the normalized text (plus one over the de-obfuscated skeleton
when the post looks obfuscated). Detectors only read it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property

from chorus.screening.compiled import Compiled
from chorus.screening.text import NormText
from chorus.screening.types import Emit, Hit, Post

__all__ = ["Context", "Emit", "Hit"]

_SENTENCE_END = re.compile(r"(?:[.!?]+[\"')\]]*|\n+|[;]|\s[-–—]\s)(?=\s|$)|\n")
_TOKEN = re.compile(r"[^\W_][\w'’\-]*|[^\w\s]", re.UNICODE)


@dataclass
class Context:
    """Everything detectors need about one post."""

    post: Post
    nt: NormText
    compiled: Compiled
    hits: list[Hit]
    by_kind: dict[str, list[Hit]] = field(default_factory=dict)
    protected: bool = False

    @property
    def text(self) -> str:
        return self.nt.original

    @property
    def norm(self) -> str:
        return self.nt.norm

    def of(self, *kinds: str) -> list[Hit]:
        """Hits of the given kinds, in text order."""
        if len(kinds) == 1:
            return self.by_kind.get(kinds[0], [])
        out: list[Hit] = []
        for kind in kinds:
            out.extend(self.by_kind.get(kind, ()))
        out.sort(key=lambda h: (h.start, h.end))
        return out

    def has(self, *kinds: str) -> bool:
        return any(self.by_kind.get(kind) for kind in kinds)

    def span(self, hit: Hit) -> tuple[int, int]:
        """The hit's span in the original text."""
        if isinstance(hit.extra, tuple) and hit.extra and hit.extra[0] == "orig":
            return hit.extra[1], hit.extra[2]
        return self.nt.to_original(hit.start, hit.end)

    @cached_property
    def sentences(self) -> list[tuple[int, int]]:
        """Sentence spans over ``norm`` (split at . ! ? ; newlines and spaced dashes)."""
        spans: list[tuple[int, int]] = []
        start = 0
        for match in _SENTENCE_END.finditer(self.norm):
            if match.end() > start:
                spans.append((start, match.end()))
            start = match.end()
        if start < len(self.norm):
            spans.append((start, len(self.norm)))
        return spans or [(0, len(self.norm))]

    def sentence_index(self, pos: int) -> int:
        for i, (start, end) in enumerate(self.sentences):
            if start <= pos < end:
                return i
        return len(self.sentences) - 1

    def sentence_of(self, pos: int) -> tuple[int, int]:
        return self.sentences[self.sentence_index(pos)]

    def hits_in(self, kinds: Iterable[str], start: int, end: int) -> Iterator[Hit]:
        for kind in kinds:
            for hit in self.by_kind.get(kind, ()):
                if start <= hit.start and hit.end <= end:
                    yield hit

    def tokens(self, start: int, end: int) -> list[tuple[int, int, str]]:
        """(start, end, token) over ``norm[start:end]``; offsets index ``norm``."""
        return [(m.start(), m.end(), m.group(0)) for m in _TOKEN.finditer(self.norm, start, end)]
