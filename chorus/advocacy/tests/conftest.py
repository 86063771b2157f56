"""Helpers for the content hub tests: items built through the services, like users build them."""

from __future__ import annotations

from typing import Any

import pytest

from chorus.advocacy.models import ContentItem
from chorus.advocacy.services import CaptionIn, content_create, content_transition


def make_item(*, author: Any, approver: Any | None = None, title: str = "We opened a new lab",
              link: str = "https://northwind.example/news/lab?ref=home",
              captions: list[tuple[str, str]] | None = None, **overrides: Any) -> ContentItem:
    """A content item by `author`; approved by `approver` when given."""
    captions = captions or [
        ("mastodon", "Our new robotics lab in Lisbon is open."),
        ("mastodon", "Proud of the team: the Lisbon lab opened today."),
        ("x", "The new Northwind lab in Lisbon is open."),
        ("bluesky", "Lisbon lab: open!"),
        ("linkedin", "Today we opened our robotics lab in Lisbon."),
    ]
    item = content_create(
        actor=author, title=title, body="A new lab for field robotics.", link=link,
        captions=[CaptionIn(network=n, text=t) for n, t in captions], **overrides,
    )
    if approver is not None:
        content_transition(item=item, actor=author, to_status=ContentItem.Status.IN_REVIEW)
        content_transition(item=item, actor=approver, to_status=ContentItem.Status.APPROVED)
        item.refresh_from_db()
    return item


@pytest.fixture
def approved_item(comms, admin) -> ContentItem:
    return make_item(author=comms, approver=admin)
