"""Small English helpers for text shown to people (pages and e-mails)."""

from __future__ import annotations


def possessive(name: str) -> str:
    """ "Northwind Robotics'" but "Acme's": no "Robotics's" in front of an employee."""
    text = str(name or "")
    if not text:
        return ""
    return f"{text}'" if text.endswith(("s", "S")) else f"{text}'s"


def days_ago(days: int) -> str:
    """ "earlier today", "yesterday", "3 days ago" (never "0 days ago")."""
    n = int(days or 0)
    if n <= 0:
        return "earlier today"
    if n == 1:
        return "yesterday"
    return f"{n} days ago"
