"""Find user-visible text in Django templates that is not inside a translation tag (issue 16).

A template passes when every run of words a person can read is inside ``{% translate %}`` or
``{% blocktranslate %}…{% endblocktranslate %}``, or comes from a variable. Read as text:
text nodes of the HTML, and the attributes people read or hear (``title``, ``alt``,
``placeholder``, ``aria-label``, ``value`` of buttons, ``content`` of the description meta,
``data-confirm``). Not read: ``<script>``/``<style>`` bodies, comments, template tags and
variables, URLs and class names.

Words that are the same in every shipped language (product and protocol names, units) may stand
alone: see ``SAME_IN_EVERY_LANGUAGE``. A line may opt out with ``{# i18n: skip #}`` when its
text is data, not interface (for example a sample JSON payload); use it rarely and say why.

Run ``python -m chorus.common.i18n_check [PATH ...]`` (default: every template) to list the
offending lines; ``chorus/common/tests/test_i18n_templates.py`` runs it over all templates.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent

# Product, protocol and format names, and symbols, that no language translates.
SAME_IN_EVERY_LANGUAGE = frozenset(
    """
    chorus api csv json yaml pdf xml html url urls id ids sso saml oidc scim mfa totp otp
    webauthn rss atom qr http https smtp vapid jwt sha sha-256 utc ok x linkedin mastodon
    bluesky instagram youtube tiktok threads slack teams microsoft okta entra google
    keycloak github emv cpm cpc dat opt edrm tsa rfc iso gdpr finra sec nlrb eu ms kb mb gb
    px am pm vs e-mail email chorus:
    """.split()  # noqa: SIM905 (a word list reads better than 70 quoted strings)
)

_READ_ATTRIBUTES = frozenset({"title", "alt", "placeholder", "aria-label", "data-confirm"})
_VALUE_TAGS = frozenset({"button", "input"})
_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)
_WORD = re.compile(r"[^\W\d_][\w'’.:-]*", re.UNICODE)

# Template constructs, removed before the HTML is read. Translated blocks become a marker so
# that text around them is still checked.
_COMMENT_BLOCK = re.compile(r"{%\s*comment\b.*?%}.*?{%\s*endcomment\s*%}", re.S)
# Blocks that fill a class attribute in base.html (main_class, body_class): class names.
_CLASS_BLOCK = re.compile(r"{%\s*block\s+\w*_class\s*%}.*?{%\s*endblock\b[^%]*%}", re.S)
_BLOCKTRANS = re.compile(
    r"{%\s*blocktrans(?:late)?\b.*?%}.*?{%\s*endblocktrans(?:late)?\s*%}", re.S
)
_TAG = re.compile(r"{%.*?%}|{{.*?}}|{#.*?#}", re.S)
_SKIP_LINE = "{# i18n: skip #}"


@dataclass(frozen=True)
class Untranslated:
    """One piece of readable text outside a translation tag."""

    path: Path
    line: int
    text: str

    def __str__(self) -> str:
        try:
            shown = self.path.relative_to(ROOT)
        except ValueError:
            shown = self.path
        return f"{shown}:{self.line}: {self.text!r}"


def _blank(match: re.Match[str]) -> str:
    """Replace a construct by spaces and its newlines, so line numbers stay right."""
    return "".join("\n" if ch == "\n" else " " for ch in match.group(0))


def _needs_translation(text: str) -> bool:
    words = [w.strip(".:'’-").lower() for w in _WORD.findall(text)]
    words = [w for w in words if w and _LETTER.search(w)]
    return any(w not in SAME_IN_EVERY_LANGUAGE for w in words)


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[int, str]] = []
        self._raw_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"script", "style"}:
            self._raw_depth += 1
        values = dict(attrs)
        for name, value in attrs:
            if not value:
                continue
            readable = name in _READ_ATTRIBUTES or (
                name == "value"
                and tag in _VALUE_TAGS
                and (tag == "button" or values.get("type") in {"submit", "button", "reset"})
            )
            if tag == "meta" and name == "content" and values.get("name") == "description":
                readable = True
            if readable and _needs_translation(value):
                self.found.append((self.getpos()[0], f"{name}={value.strip()}"))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag in {"script", "style"}:
            self._raw_depth -= 1

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style"} and self._raw_depth:
            self._raw_depth -= 1

    def handle_data(self, data: str) -> None:
        if self._raw_depth or not data.strip():
            return
        if _needs_translation(data):
            # getpos() is where this data starts; count leading newlines to the first word.
            line = self.getpos()[0] + data[: len(data) - len(data.lstrip())].count("\n")
            self.found.append((line, " ".join(data.split())))


def untranslated(path: Path) -> list[Untranslated]:
    """Readable text in one template that no translation tag covers, in line order."""
    source = path.read_text(encoding="utf-8")
    skipped = {n for n, line in enumerate(source.splitlines(), 1) if _SKIP_LINE in line}
    cleaned = _COMMENT_BLOCK.sub(_blank, source)
    cleaned = _CLASS_BLOCK.sub(_blank, cleaned)
    cleaned = _BLOCKTRANS.sub(_blank, cleaned)
    cleaned = _TAG.sub(_blank, cleaned)
    reader = _Reader()
    reader.feed(cleaned)
    reader.close()
    return [Untranslated(path, n, text) for n, text in reader.found if n not in skipped]


def template_paths(root: Path = ROOT) -> Iterator[Path]:
    """Every template Chorus renders for people: templates/ and each app's templates/."""
    yield from sorted((root / "templates").rglob("*.html"))
    for app in sorted((root / "chorus").iterdir()):
        yield from sorted((app / "templates").rglob("*.html")) if app.is_dir() else ()
        yield from sorted((app / "templates").rglob("*.txt")) if app.is_dir() else ()


def check(paths: Iterable[Path]) -> list[Untranslated]:
    """All untranslated text in the given templates."""
    return [item for path in paths for item in untranslated(path)]


def main(argv: list[str]) -> int:
    targets: list[Path] = []
    for arg in argv:
        p = Path(arg).resolve()
        targets.extend(sorted(p.rglob("*.html")) + sorted(p.rglob("*.txt")) if p.is_dir() else [p])
    found = check(targets or template_paths())
    for item in found:
        print(item)
    print(f"{len(found)} untranslated text(s)", file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
