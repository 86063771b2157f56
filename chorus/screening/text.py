"""Text normalization with exact offset maps back into the original post.

Two views of a post are built:

- ``norm``: per character NFKD, combining marks dropped, casefolded, look-alike letters
  (Cyrillic/Greek confusables) mapped to Latin, typographic quotes/dashes/spaces unified. ASCII
  posts take a fast path (``str.lower``, identity offsets).
- ``skeleton`` (built only when the post looks obfuscated): ``norm`` plus leetspeak undone
  (``sh!t``, ``f@g``, ``5h1t``), separators between single letters removed (``F.U.C.K``,
  ``U-m-b-r-e-l-l-a``) and every run of a repeated letter collapsed to one (``fuuuck``). The
  run lengths are kept so a lexicon hit can be verified (``as`` must not match ``ass``).

Guarantee: for any span ``[s, e)`` of ``norm`` or ``skeleton``, :meth:`NormText.to_original`
returns a span of the original ``str`` covering exactly the characters that produced it, so
``excerpt == text[start:end]`` holds for every finding. Never raises on any ``str`` (control
characters and lone surrogates included).
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

# Latin look-alikes commonly used to dodge filters (a subset of Unicode confusables.txt).
_CONFUSABLES = {
    "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p",
    "с": "c", "т": "t", "у": "y", "х": "x", "ѕ": "s", "і": "i", "ј": "j", "ԁ": "d", "ɡ": "g",
    "α": "a", "β": "b", "ε": "e", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p", "τ": "t",
    "υ": "u", "χ": "x", "ı": "i", "ł": "l", "ø": "o", "đ": "d", "ħ": "h", "ŧ": "t",
    "’": "'", "‘": "'", "ʼ": "'", "´": "'", "`": "'", "“": '"', "”": '"', "„": '"', "«": '"',
    "»": '"', "–": "-", "—": "-", "‐": "-", "‑": "-", "−": "-", "·": ".", "•": ".",
}  # fmt: skip

# Leetspeak: only applied inside a word (next to a letter), see _skeleton.
_LEET = {
    "0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "!": "i",
    "|": "i", "€": "e", "+": "t",
}  # fmt: skip
_SEPARATORS = frozenset(".-_*~ '\"+:/")
_OBFUSCATION_HINT = re.compile(
    r"[^\W\d_][0-9@$!|*#%+€]+[^\W\d_]"  # sh!t, f@g, a$$hole, h3ll
    r"|(?:^|[\s(])[$5@][^\W\d_]"  # $hit, 5hit
    r"|(?<![^\W\d_])[^\W\d_](?:[.\-_* ~'+:/]{1,2}[^\W\d_](?![^\W\d_])){2,}"  # f.u.c.k, u-m-b
    r"|([^\W\d_])\1\1"  # fuuuck
)


@lru_cache(maxsize=4096)
def fold_char(ch: str) -> str:
    """The normalized form of one character (may be empty or several characters)."""
    mapped = _CONFUSABLES.get(ch)
    if mapped is not None:
        return mapped
    if ch.isspace():
        return " "
    try:
        decomposed = unicodedata.normalize("NFKD", ch)
    except (ValueError, TypeError):  # pragma: no cover - defensive; lone surrogates pass
        return ch
    out = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return "".join(_CONFUSABLES.get(c, c) for c in out)


def fold(text: str) -> str:
    """Normalize a lexicon term or entity name exactly as post text is normalized."""
    if text.isascii():
        return text.lower()
    return "".join(fold_char(ch) for ch in text)


@dataclass
class NormText:
    """A post with its normalized views and offset maps; build with :func:`normalize`."""

    original: str
    norm: str
    # norm index -> [start, end) in original; None means identity (ASCII fast path).
    starts: list[int] | None
    ends: list[int] | None
    _skeleton: tuple[str, list[int], list[int]] | None = field(default=None, repr=False)

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map a ``norm`` span to the original text (exact, never out of range)."""
        if end <= start:
            return start, start
        if self.starts is None or self.ends is None:
            return start, end
        return self.starts[start], self.ends[end - 1]

    def looks_obfuscated(self) -> bool:
        """True when the skeleton view could find something the plain view misses."""
        return bool(_OBFUSCATION_HINT.search(self.norm))

    def skeleton(self) -> tuple[str, list[int], list[int]]:
        """(skeleton text, norm index per skeleton char, run length per skeleton char)."""
        if self._skeleton is None:
            self._skeleton = _skeleton(self.norm)
        return self._skeleton

    def skeleton_to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map a skeleton span to the original text."""
        _, index, runs = self.skeleton()
        if end <= start:
            return self.to_original(index[start], index[start]) if index else (0, 0)
        norm_start = index[start]
        norm_end = index[end - 1] + runs[end - 1]
        return self.to_original(norm_start, norm_end)


class _FoldTable(dict[int, str]):
    """``str.translate`` table that folds each character once and remembers it."""

    def __missing__(self, code: int) -> str:
        value = fold_char(chr(code))
        self[code] = value
        return value


_TABLE = _FoldTable()
_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def normalize(text: str) -> NormText:
    """Build the normalized view of ``text`` with its offset map."""
    if text.isascii():
        return NormText(original=text, norm=text.lower(), starts=None, ends=None)
    # Most posts are ASCII plus a few emoji or accents that fold to exactly one character:
    # then offsets are the identity and str.translate does the work in C.
    if all(len(fold_char(ch)) == 1 for ch in set(_NON_ASCII.findall(text))):
        return NormText(original=text, norm=text.translate(_TABLE), starts=None, ends=None)
    parts: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for i, ch in enumerate(text):
        folded = fold_char(ch)
        if not folded:
            # A dropped combining mark belongs to the character before it.
            if ends:
                ends[-1] = i + 1
            continue
        parts.append(folded)
        starts.extend([i] * len(folded))
        ends.extend([i + 1] * len(folded))
    return NormText(original=text, norm="".join(parts), starts=starts, ends=ends)


def _is_letter(ch: str) -> bool:
    return ch.isalpha()


def _skeleton(norm: str) -> tuple[str, list[int], list[int]]:
    """De-obfuscate ``norm``; returns text, norm index per char and the run length covered."""
    n = len(norm)
    # 1. leetspeak inside words: a symbol or digit next to a letter becomes that letter.
    chars = list(norm)
    for i, ch in enumerate(norm):
        repl = _LEET.get(ch)
        if repl is None:
            continue
        prev_letter = i > 0 and _is_letter(norm[i - 1])
        next_letter = i + 1 < n and _is_letter(norm[i + 1])
        if ch in "$5@" and not prev_letter and next_letter:
            chars[i] = repl  # $hit, 5hit, but "@user" stays a mention
            if ch == "@":
                chars[i] = ch
            continue
        if prev_letter or (next_letter and ch not in "@!|+"):
            chars[i] = repl
        elif prev_letter is False and next_letter is False and ch in "$@" and 0 < i < n - 1:
            # a$$hole: a run of symbols between letters
            j = i
            while j < n and norm[j] in "$@":
                j += 1
            if j < n and _is_letter(norm[j]) and i > 0 and norm[i - 1] in "$@":
                chars[i] = repl
    # runs of symbols between letters (a$$hole, sh!!t)
    for i in range(1, n - 1):
        if norm[i] in _LEET and chars[i] == norm[i]:
            j = i
            while j > 0 and norm[j - 1] in _LEET:
                j -= 1
            k = i
            while k + 1 < n and norm[k + 1] in _LEET:
                k += 1
            if j > 0 and _is_letter(chars[j - 1]) and k + 1 < n and _is_letter(chars[k + 1]):
                chars[i] = _LEET[norm[i]]
    # 2. drop separators between isolated single letters (f.u.c.k, u-m-b-r-e-l-l-a d-y-n).
    keep = [True] * n
    i = 0
    while i < n:
        if _is_letter(chars[i]) and (i == 0 or not _is_letter(chars[i - 1])):
            j = i
            letters = [i]
            while True:
                k = j + 1
                seps = 0
                while k < n and chars[k] in _SEPARATORS and seps < 2:
                    k += 1
                    seps += 1
                if (
                    seps
                    and k < n
                    and _is_letter(chars[k])
                    and (k + 1 >= n or not _is_letter(chars[k + 1]))
                    and (j + 1 >= n or not _is_letter(chars[j + 1]))
                ):
                    letters.append(k)
                    j = k
                    continue
                break
            if len(letters) >= 3:
                # Separators are dropped, except a space where the writer used another
                # separator between letters ("U-m-b-r-e-l-l-a D-y-n"): that space is a word gap.
                gap_chars = [chars[a + 1 : b] for a, b in itertools.pairwise(letters)]
                dominant_space = sum(" " in g for g in gap_chars) * 2 > len(gap_chars)
                for a, b in itertools.pairwise(letters):
                    gap = chars[a + 1 : b]
                    is_word_gap = " " in gap and not dominant_space
                    for m in range(a + 1, b):
                        keep[m] = False
                    if is_word_gap:
                        keep[a + 1] = True
                        chars[a + 1] = " "
                i = letters[-1] + 1
                continue
        i += 1
    # 3. collapse runs of the same letter, remembering how long each run was.
    out: list[str] = []
    index: list[int] = []
    runs: list[int] = []
    for i in range(n):
        if not keep[i]:
            if runs:
                runs[-1] = i + 1 - index[-1]
            continue
        ch = chars[i]
        if out and ch == out[-1] and _is_letter(ch):
            runs[-1] = i + 1 - index[-1]
            continue
        out.append(ch)
        index.append(i)
        runs.append(1)
    return "".join(out), index, runs


def collapse(term: str) -> str:
    """A lexicon term in skeleton form (runs of a letter collapsed)."""
    return re.sub(r"([^\W\d_])\1+", r"\1", fold(term))


def run_pattern(term: str) -> re.Pattern[str]:
    """Letters may repeat more, never less: 'ass' needs at least two s (verification)."""
    folded = fold(term)
    parts: list[str] = []
    for match in re.finditer(r"(.)\1*", folded):
        ch, size = match.group(1), len(match.group(0))
        if ch.isalpha():
            parts.append(f"{re.escape(ch)}{{{size},}}")
        elif ch == " ":
            parts.append(r"\W*")
        else:
            parts.append(re.escape(match.group(0)))
    return re.compile("".join(parts))


_LETTERS_ONLY = re.compile(r"[^\W\d_]+|\s+")


def letters_of(text: str) -> str:
    """The letters of a span after leet mapping, used to verify a skeleton hit."""
    mapped = "".join(_LEET.get(ch, ch) for ch in fold(text))
    letters = "".join(
        m.group(0) if m.group(0).strip() else " " for m in _LETTERS_ONLY.finditer(mapped)
    )
    # "m o r o n": single letters spaced out spell one word, not several.
    if _SPACED_LETTERS.fullmatch(letters):
        return letters.replace(" ", "")
    return letters


_SPACED_LETTERS = re.compile(r"[^\W\d_](?: [^\W\d_]){2,}")
