"""Block Kit messages and modals Chorus sends to Slack. Pure functions: data in, JSON out."""

from __future__ import annotations

import json
from typing import Any

from django.utils.translation import gettext

from chorus.integrations.common import (
    PROTECTED_NOTE,
    CheckOutcome,
    absolute,
    detail_path,
    share_path,
)

APPROVE = "chorus_approve"
REQUEST_CHANGES = "chorus_request_changes"
SHARE = "chorus_share"
OPEN = "chorus_open"
REPORT_CALLBACK = "chorus_report"  # the message shortcut's callback id (set in the Slack app)
REPORT_VIEW = "chorus_report_submit"
CHANGES_VIEW = "chorus_changes_submit"
BLOCK_TEXT_MAX = 2900  # Slack's section text limit is 3000 characters


def esc(text: str) -> str:
    """Escape the three characters Slack's mrkdwn treats as control characters."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text[:BLOCK_TEXT_MAX]}}


def _button(text: str, action_id: str, *, value: str = "", url: str = "",
            style: str = "") -> dict[str, Any]:
    button: dict[str, Any] = {"type": "button", "action_id": action_id,
                              "text": {"type": "plain_text", "text": text}}
    if value:
        button["value"] = value
    if url:
        button["url"] = url
    if style:
        button["style"] = style
    return button


def notification_message(*, title: str, body: str, link_url: str,
                         extra_actions: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """A DM for one notification: title, body (empty for sensitive kinds), Open button."""
    text = f"*{esc(title)}*" + (f"\n{esc(body)}" if body else "")
    actions = [*(extra_actions or []), _button("Open in Chorus", OPEN, url=link_url)]
    return {"text": title, "blocks": [_section(text), {"type": "actions", "elements": actions}]}


def approval_actions(item: Any) -> list[dict[str, Any]]:
    return [_button("Approve", APPROVE, value=str(item.pk), style="primary"),
            _button("Request changes", REQUEST_CHANGES, value=str(item.pk))]


def share_actions(item: Any) -> list[dict[str, Any]]:
    return [_button("Share", SHARE, value=str(item.pk), url=absolute(share_path(item)),
                    style="primary")]


def content_drop(item: Any) -> dict[str, Any]:
    """Approved content dropped into a channel, with a Share button for everyone."""
    body = item.body.strip()
    if len(body) > 600:
        body = body[:600].rstrip() + "…"
    text = gettext("*New to share: <%(esc)s|%(esc2)s>*\n%(esc3)s") % {
        "esc": esc(absolute(share_path(item))),
        "esc2": esc(item.title),
        "esc3": esc(body),
    }
    return {
        "text": gettext("New to share: %(title)s") % {"title": item.title},
        "blocks": [
            _section(text),
            {
                "type": "context",
                "elements": [
                    {"type": "mrkdwn", "text": gettext("Link: %(esc)s") % {"esc": esc(item.link)}}
                ],
            },
            {
                "type": "actions",
                "block_id": f"chorus_drop_{item.pk}",
                "elements": share_actions(item),
            },
        ],
    }


def decided(item: Any, *, actor_name: str, approved: bool, note: str = "") -> dict[str, Any]:
    """What an approval request becomes once someone acted on it (no buttons left)."""
    what = "Approved" if approved else gettext("Sent back for changes")
    text = f"*{esc(item.title)}*\n{what} by {esc(actor_name)}."
    if note:
        text += f"\n> {esc(note[:500])}"
    return {"text": f"{item.title}: {what.lower()}",
            "blocks": [_section(text), {"type": "actions", "elements": [
                _button("Open in Chorus", OPEN, url=absolute(detail_path(item)))]}]}


def check_answer(outcome: CheckOutcome) -> dict[str, Any]:
    """The private answer to `/chorus check`."""
    blocks = [_section(f"*{esc(outcome.headline)}*")]
    if outcome.protected:
        blocks.append(_section(esc(PROTECTED_NOTE)))
    for f in outcome.findings:
        line = f"• `{esc(f['severity'])}` “{esc(f['excerpt'])}”: {esc(f['message'])}"
        if f["suggestion"]:
            line += f"\n    _Suggestion: {esc(f['suggestion'])}_"
        blocks.append(_section(line))
    if outcome.more:
        blocks.append(_section(f"…and {outcome.more} more. Open Check my post in Chorus for "
                               "all of them."))
    blocks.append({"type": "context", "elements": [
        {"type": "mrkdwn", "text": gettext("Only you can see this. Your draft was not saved.")}]})
    return {"response_type": "ephemeral", "text": outcome.headline, "blocks": blocks}


def ephemeral(text: str) -> dict[str, Any]:
    return {"response_type": "ephemeral", "text": text}


def report_modal(*, permalink: str, message_text: str, categories: list[tuple[str, str]],
                 metadata: dict[str, Any]) -> dict[str, Any]:
    """The report form as a modal, prefilled with the message's link."""
    excerpt = message_text.strip()[:300]
    return {
        "type": "modal",
        "callback_id": REPORT_VIEW,
        "private_metadata": json.dumps(metadata)[:3000],
        "title": {"type": "plain_text", "text": gettext("Report to Chorus")},
        "submit": {"type": "plain_text", "text": gettext("Send report")},
        "close": {"type": "plain_text", "text": gettext("Cancel")},
        "blocks": [
            _section(gettext("Reporting <%(esc)s|this message>") % {"esc": esc(permalink)}
                     + (f":\n> {esc(excerpt)}" if excerpt else ".")),
            {"type": "input", "block_id": "category", "label": {
                "type": "plain_text", "text": gettext("What kind of concern is it?")},
             "element": {"type": "static_select", "action_id": "value", "options": [
                 {"text": {"type": "plain_text", "text": label[:75]}, "value": value}
                 for value, label in categories]}},
            {"type": "input", "block_id": "description", "label": {
                "type": "plain_text", "text": gettext("What worries you about it?")},
             "element": {"type": "plain_text_input", "action_id": "value", "multiline": True,
                         "max_length": 3000}},
            {"type": "input", "block_id": "anonymous", "optional": True, "label": {
                "type": "plain_text", "text": gettext("Anonymity")},
             "element": {"type": "checkboxes", "action_id": "value", "options": [
                 {"text": {"type": "plain_text", "text": gettext("Send anonymously")},
                  "description": {"type": "plain_text", "text":
                                  gettext("Chorus stores nothing about who sent it; you get a key "
                                  "to follow up.")},
                  "value": "anonymous"}]}},
        ],
    }


def report_sent(*, key: str | None, merged: bool) -> dict[str, Any]:
    if key:
        text = (gettext("*Your anonymous report was sent.* Chorus kept nothing about who you "
                        "are.\nYour key, shown only now: `%(key)s`\nUse it at %(esc)s to read "
                        "answers and add details.") % {"key": key, "esc": esc(absolute('/r/'))})
    else:
        text = (gettext("*Thank you, your report was sent*")
                + (gettext(" and joined others about the same message.") if merged else ".")
                + gettext(" You will see the outcome in Chorus under My reports."))
    return {"response_action": "update", "view": {
        "type": "modal", "title": {"type": "plain_text", "text": gettext("Report to Chorus")},
        "close": {"type": "plain_text", "text": gettext("Done")}, "blocks": [_section(text)]}}


def changes_modal(*, item: Any, metadata: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "modal", "callback_id": CHANGES_VIEW,
        "private_metadata": json.dumps(metadata)[:3000],
        "title": {"type": "plain_text", "text": gettext("Request changes")},
        "submit": {"type": "plain_text", "text": gettext("Send back")},
        "close": {"type": "plain_text", "text": gettext("Cancel")},
        "blocks": [
            _section(f"*{esc(item.title)}* goes back to its author as a draft."),
            {"type": "input", "block_id": "note", "label": {
                "type": "plain_text", "text": gettext("What needs to change?")},
             "element": {"type": "plain_text_input", "action_id": "value", "multiline": True,
                         "max_length": 500}},
        ],
    }
