"""HTML to plain text for screening, done with a real sanitizer rather than regexes alone."""

from __future__ import annotations

import html
import re

import nh3

_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
_PARAGRAPH = re.compile(r"</p>\s*<p[^>]*>", re.IGNORECASE)
_SPACES = re.compile(r"[ \t]+")


def html_to_text(value: str) -> str:
    """Plain text of a post's HTML (Mastodon ``content``, RSS ``description``).

    Paragraphs and line breaks become newlines; every tag is removed by nh3 (scripts and
    styles with their content); entities are decoded once. Mastodon's link spans
    (``invisible``/``ellipsis``) are kept as text, so links read in full.
    """
    if not value:
        return ""
    marked = _PARAGRAPH.sub("\n\n", _BREAK.sub("\n", value))
    stripped = nh3.clean(marked, tags=set(), clean_content_tags={"script", "style"})
    text = html.unescape(stripped)
    lines = [_SPACES.sub(" ", line).strip() for line in text.splitlines()]
    return "\n".join(lines).strip()
