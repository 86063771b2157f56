"""An in-memory network implementing every capability, for tests and demos.

Accounts and posts live in the object; ``fail_with(error, times=n)`` makes the next calls raise,
so callers' retry and "needs attention" paths can be exercised without any network.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from chorus.connectors.base import (
    AccountRef,
    ConnectorError,
    FeedPage,
    RemoteMedia,
    RemotePost,
    RemoteProfile,
    StreamEvent,
    sort_key_for_id,
)


class FakeConnector:
    kind = "fake"

    def __init__(self, **_: Any) -> None:
        self.profiles: dict[str, RemoteProfile] = {}  # handle -> profile
        self.posts: dict[str, dict[str, RemotePost]] = {}  # external account id -> posts by id
        self.calls: list[str] = []
        self._failures: list[ConnectorError] = []
        self._next_id = 1000

    # ------------------------------------------------------------ test controls

    def add_account(self, handle: str, external_id: str | None = None,
                    bio: str = "") -> RemoteProfile:
        profile = RemoteProfile(external_id=external_id or f"id-{handle}", handle=handle,
                                display_name=handle.title(), url=f"https://fake.example/{handle}",
                                bio=bio)
        self.profiles[handle] = profile
        self.posts.setdefault(profile.external_id, {})
        return profile

    def publish(
        self, external_account_id: str, text: str, *, at: datetime | None = None,
        media: tuple[RemoteMedia, ...] = (),
    ) -> RemotePost:
        self._next_id += 1
        post = RemotePost(
            external_id=str(self._next_id), text=text, published_at=at or datetime.now(UTC),
            url=f"https://fake.example/p/{self._next_id}", media=media,
        )
        self.posts[external_account_id][post.external_id] = post
        return post

    def edit(self, external_account_id: str, post_id: str, text: str) -> RemotePost:
        post = replace(self.posts[external_account_id][post_id], text=text,
                       edited_at=datetime.now(UTC))
        self.posts[external_account_id][post_id] = post
        return post

    def delete(self, external_account_id: str, post_id: str) -> None:
        del self.posts[external_account_id][post_id]

    def set_bio(self, handle: str, bio: str) -> RemoteProfile:
        """The owner edits their profile text (where an ownership code goes)."""
        self.profiles[handle] = replace(self.profiles[handle], bio=bio)
        return self.profiles[handle]

    def fail_with(self, error: ConnectorError, *, times: int = 1) -> None:
        self._failures.extend([error] * times)

    def _maybe_fail(self, call: str) -> None:
        self.calls.append(call)
        if self._failures:
            raise self._failures.pop(0)

    # ------------------------------------------------------------ capabilities

    def resolve(self, account: AccountRef) -> RemoteProfile:
        self._maybe_fail("resolve")
        try:
            return self.profiles[account.handle.strip()]
        except KeyError:
            raise ConnectorError(f"No account {account.handle!r} on the fake network.",
                                 permanent=True, status=404) from None

    def _ordered(self, account: AccountRef) -> list[RemotePost]:
        if account.external_id not in self.posts:
            raise ConnectorError("This account no longer exists.", permanent=True, status=404)
        posts = self.posts[account.external_id].values()
        return sorted(posts, key=lambda p: sort_key_for_id(p.external_id))

    def fetch_new(self, account: AccountRef, *, cursor: str | None, since: datetime) -> FeedPage:
        self._maybe_fail("fetch_new")
        posts = self._ordered(account)
        if cursor:
            posts = [p for p in posts if sort_key_for_id(p.external_id) > sort_key_for_id(cursor)]
        else:
            posts = [p for p in posts if p.published_at >= since]
        return FeedPage(posts=posts, cursor=posts[-1].external_id if posts else None)

    def fetch_recent(self, account: AccountRef) -> list[RemotePost]:
        self._maybe_fail("fetch_recent")
        return list(reversed(self._ordered(account)))[:40]

    def parse_archive(
        self, data: bytes, *, filename: str = "", progress: Any = None
    ) -> list[RemotePost]:
        """JSON lines of {"id", "text", "published_at"}."""
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ConnectorError(f"The file is not UTF-8 text (byte {exc.start}).",
                                 permanent=True) from None
        posts = []
        for n, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
                if not isinstance(item, dict):
                    raise ValueError("each line must be a JSON object")
                published = item["published_at"]
                if not isinstance(published, str) or not isinstance(item["text"], str):
                    raise ValueError("text and published_at must be strings")
                when = datetime.fromisoformat(published)
                posts.append(RemotePost(
                    external_id=str(item["id"]), text=item["text"],
                    published_at=when if when.tzinfo else when.replace(tzinfo=UTC),
                ))
            except (ValueError, KeyError, RecursionError) as exc:
                raise ConnectorError(f"Line {n}: {exc!s}"[:300], permanent=True) from None
        return posts

    def parse_event(self, raw: str | bytes) -> StreamEvent | None:
        """{"op", "author", "pos", "id", "text", "published_at"} JSON messages."""
        item = json.loads(raw)
        post = None
        if item["op"] in ("create", "update"):
            post = RemotePost(external_id=item["id"], text=item["text"],
                              published_at=datetime.fromisoformat(item["published_at"]))
        return StreamEvent(operation=item["op"], author_id=item["author"], position=item["pos"],
                           external_id=item.get("id", ""), post=post)
