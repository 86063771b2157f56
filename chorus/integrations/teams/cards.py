"""Adaptive Cards (schema 1.4) Chorus sends to Teams. Pure functions: data in, JSON out."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext

from chorus.integrations.common import (
    PROTECTED_NOTE,
    CheckOutcome,
    absolute,
    detail_path,
    share_path,
)

CARD_TYPE = "application/vnd.microsoft.card.adaptive"
APPROVE = "approve"
REQUEST_CHANGES = "request_changes"


def _card(body: list[dict[str, Any]],
          actions: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    card: dict[str, Any] = {"type": "AdaptiveCard", "version": "1.4",
                            "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                            "body": body}
    if actions:
        card["actions"] = actions
    return card


def _text(text: str, **style: Any) -> dict[str, Any]:
    return {"type": "TextBlock", "text": text[:3000], "wrap": True, **style}


def _open(title: str, url: str) -> dict[str, Any]:
    return {"type": "Action.OpenUrl", "title": title, "url": url}


def message(card: dict[str, Any], *, summary: str = "") -> dict[str, Any]:
    """A message activity (or Workflows webhook body) carrying one card."""
    activity: dict[str, Any] = {"type": "message",
                                "attachments": [{"contentType": CARD_TYPE, "content": card}]}
    if summary:
        activity["summary"] = summary[:200]
    return activity


def notification(*, title: str, body: str, link_url: str,
                 extra_actions: list[dict[str, Any]] | None = None,
                 extra_body: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    blocks = [_text(title, weight="Bolder", size="Medium")]
    if body:
        blocks.append(_text(body))
    return _card([*blocks, *(extra_body or [])],
                 [*(extra_actions or []), _open("Open in Chorus", link_url)])


def approval_parts(item: Any) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The note field and the Approve / Request changes buttons (Action.Submit)."""
    body = [{"type": "Input.Text", "id": "note", "isMultiline": True, "maxLength": 500,
             "placeholder": gettext("What needs to change? (needed to send it back)")}]
    actions = [
        {"type": "Action.Submit", "title": gettext("Approve"), "style": "positive",
         "data": {"chorus": APPROVE, "item": item.pk}},
        {"type": "Action.Submit", "title": gettext("Request changes"),
         "data": {"chorus": REQUEST_CHANGES, "item": item.pk}},
    ]
    return body, actions


def share_actions(item: Any) -> list[dict[str, Any]]:
    return [{**_open("Share", absolute(share_path(item))), "style": "positive"}]


def content_drop(item: Any) -> dict[str, Any]:
    body = item.body.strip()
    if len(body) > 600:
        body = body[:600].rstrip() + "…"
    return _card([_text(f"New to share: {item.title}", weight="Bolder", size="Medium"),
                  _text(body), _text(item.link, isSubtle=True, size="Small")],
                 share_actions(item))


def decided(item: Any, *, actor_name: str, approved: bool, note: str = "") -> dict[str, Any]:
    what = "Approved" if approved else gettext("Sent back for changes")
    blocks = [_text(item.title, weight="Bolder"), _text(f"{what} by {actor_name}.")]
    if note:
        blocks.append(_text(note[:500], isSubtle=True))
    return _card(blocks, [_open("Open in Chorus", absolute(detail_path(item)))])


def check_answer(outcome: CheckOutcome) -> dict[str, Any]:
    color = {"block": "Attention", "warn": "Warning"}.get(outcome.verdict, "Good")
    blocks = [_text(outcome.headline, weight="Bolder", color=color)]
    if outcome.protected:
        blocks.append(_text(PROTECTED_NOTE))
    for f in outcome.findings:
        line = f"**{f['severity']}** “{f['excerpt']}”: {f['message']}"
        if f["suggestion"]:
            line += f" Suggestion: {f['suggestion']}"
        blocks.append(_text(line))
    if outcome.more:
        blocks.append(_text(f"…and {outcome.more} more: open Check my post in Chorus."))
    blocks.append(_text("Your draft was not saved.", isSubtle=True, size="Small"))
    return _card(blocks)


def plain(text: str) -> dict[str, Any]:
    return {"type": "message", "text": text}
