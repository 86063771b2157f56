"""Bluesky through the ``atproto`` SDK (public AppView reads) and Jetstream (real time).

- ``resolve`` and ``fetch_new``/``fetch_recent`` read the public author feed by handle or DID
  with no login. Reposts of other people's posts are skipped: they are not the person's words.
- ``parse_event`` decodes one Jetstream v1 JSON message; ``subscribe_url`` builds the
  WebSocket URL filtered to the linked DIDs (``wantedDids``) and the post collection, resuming
  from a ``cursor`` in microseconds. Delivery is at least once: callers store posts idempotently
  under ``at://<did>/app.bsky.feed.post/<rkey>``, the same id the AppView uses.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from atproto import Client
from atproto_client import exceptions as at_exc

from chorus.connectors.base import (
    AccountRef,
    ConnectorError,
    FeedPage,
    RemoteMedia,
    RemotePost,
    RemoteProfile,
    StreamEvent,
)

POST_COLLECTION = "app.bsky.feed.post"
# The profile record (display name, description): its commits say a profile changed.
PROFILE_COLLECTION = "app.bsky.actor.profile"
PUBLIC_APPVIEW = "https://public.api.bsky.app"
PUBLIC_JETSTREAM = "wss://jetstream2.us-east.bsky.network/subscribe"
PAGE_SIZE = 50
MAX_PAGES = 10
# XRPC error names that mean the account cannot be read any more, whatever we retry.
PERMANENT_XRPC = {
    "InvalidRequest", "ActorNotFound", "AccountTakedown", "AccountDeactivated", "BlockedActor",
    "BlockedByActor", "NotFound",
}


def _parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def post_uri(did: str, rkey: str) -> str:
    return f"at://{did}/{POST_COLLECTION}/{rkey}"


def post_url(did: str, rkey: str) -> str:
    return f"https://bsky.app/profile/{did}/post/{rkey}"


def _record_text(record: dict[str, Any]) -> str:
    """The post text plus image alt texts, which are part of what the person published."""
    parts = [record.get("text") or ""]
    embed = record.get("embed") or {}
    for image in embed.get("images") or (embed.get("media") or {}).get("images") or []:
        if isinstance(image, dict) and image.get("alt"):
            parts.append(image["alt"])
    return "\n\n".join(p for p in parts if p).strip()


def _record_media(did: str, record: dict[str, Any]) -> tuple[RemoteMedia, ...]:
    """Images of an ``app.bsky.embed.images`` (or recordWithMedia) embed: the blob's CID on
    Bluesky's image CDN (``cdn.bsky.app/img/feed_fullsize/plain/<did>/<cid>@jpeg``)."""
    embed = record.get("embed") or {}
    images = embed.get("images") or (embed.get("media") or {}).get("images") or []
    out = []
    for image in images:
        if not isinstance(image, dict):
            continue
        ref = ((image.get("image") or {}).get("ref") or {})
        cid = ref.get("$link") if isinstance(ref, dict) else None
        if isinstance(cid, str) and cid.isalnum():
            out.append(RemoteMedia(
                url=f"https://cdn.bsky.app/img/feed_fullsize/plain/{did}/{cid}@jpeg",
                description=str(image.get("alt") or "")))
    return tuple(out)


def record_to_post(*, did: str, rkey: str, record: dict[str, Any], fallback: datetime,
                   edited: bool = False) -> RemotePost:
    published = _parse_time(record.get("createdAt")) or fallback
    return RemotePost(
        external_id=post_uri(did, rkey), text=_record_text(record), published_at=published,
        url=post_url(did, rkey), edited_at=fallback if edited else None,
        language=",".join(record.get("langs") or []), is_reply=bool(record.get("reply")),
        media=_record_media(did, record),
    )


def _time_us(value: int) -> datetime:
    return datetime.fromtimestamp(value / 1_000_000, tz=UTC)


class BlueskyConnector:
    kind = "bluesky"

    def __init__(self, *, appview_url: str = PUBLIC_APPVIEW, timeout: float = 15.0) -> None:
        self.appview_url = appview_url.rstrip("/")
        self.timeout = timeout

    def _client(self) -> Client:
        client = Client(base_url=f"{self.appview_url}/xrpc")
        return client

    def _call(self, fn: Any, **kwargs: Any) -> Any:
        try:
            return fn(**kwargs)
        except at_exc.RateLimitExceededError as exc:
            raise ConnectorError(
                "Bluesky is limiting how often we may ask right now.", permanent=False,
                retry_after=_retry_after(exc), status=429,
            ) from None
        except at_exc.UnauthorizedError:
            raise ConnectorError(
                "Bluesky refused to show this account's posts publicly (it may be private to "
                "logged-in users). Change that setting, or remove the account.",
                permanent=True, status=401,
            ) from None
        except at_exc.BadRequestError as exc:
            # The network's own message is not shown: it is English developer text.
            name, message = _xrpc_error(exc)
            if name in ("AccountTakedown", "AccountDeactivated"):
                raise ConnectorError(
                    "This Bluesky account is deactivated or suspended. Reactivate it, or "
                    "remove the link.", permanent=True, status=400,
                ) from None
            if name in ("BlockedActor", "BlockedByActor"):
                raise ConnectorError(
                    "This Bluesky account blocks public reading. Change that setting, or "
                    "remove the link.", permanent=True, status=400,
                ) from None
            if name in PERMANENT_XRPC or "not found" in message.lower():
                raise ConnectorError(
                    "Bluesky has no account with this handle. Check it is written like "
                    "name.bsky.social; if it was deleted or renamed, remove it and link the "
                    "new one.", permanent=True, status=400,
                ) from None
            raise ConnectorError(
                "Bluesky did not accept this handle. Check it is written like "
                "name.bsky.social (or a did:plc: identifier).", permanent=True, status=400,
            ) from None
        except at_exc.NetworkError:
            raise ConnectorError("We could not reach Bluesky. Try again in a few minutes.",
                                 permanent=False) from None
        except at_exc.RequestException as exc:
            status = getattr(exc.response, "status_code", None)
            if status in (404, 410):
                raise ConnectorError("This Bluesky account no longer exists. Remove it.",
                                     permanent=True, status=status) from None
            raise ConnectorError(
                "Bluesky had a problem answering"
                + (f" (HTTP {status})" if status else "") + ". Try again in a few minutes.",
                permanent=False, status=status) from None
        except at_exc.AtProtocolError:
            raise ConnectorError(
                "Bluesky sent an answer we could not read. Try again in a few minutes.",
                permanent=False) from None

    def resolve(self, account: AccountRef) -> RemoteProfile:
        actor = account.handle.strip().lstrip("@")
        if not actor:
            raise ConnectorError("Enter a Bluesky handle (name.bsky.social) or a DID.",
                                 permanent=True)
        profile = self._call(self._client().get_profile, actor=actor)
        return RemoteProfile(
            external_id=profile.did, handle=profile.handle,
            display_name=profile.display_name or "",
            url=f"https://bsky.app/profile/{profile.handle}", bio=profile.description or "",
        )

    def _feed_posts(self, actor: str, *, stop_before: datetime | None) -> list[RemotePost]:
        client = self._client()
        posts: list[RemotePost] = []
        cursor = None
        for _ in range(MAX_PAGES):
            page = self._call(client.get_author_feed, actor=actor, limit=PAGE_SIZE, cursor=cursor)
            reached_old = False
            for item in page.feed:
                post = item.post
                if item.reason is not None or actor not in (post.author.did, post.author.handle):
                    continue  # a repost of someone else's post
                record = post.record.model_dump(by_alias=True, exclude_none=True)
                did, rkey = post.uri.split("/")[2], post.uri.rsplit("/", 1)[1]
                remote = record_to_post(did=did, rkey=rkey, record=record,
                                        fallback=_parse_time(post.indexed_at) or datetime.now(UTC))
                if stop_before is not None and remote.published_at < stop_before:
                    reached_old = True
                    continue
                posts.append(remote)
            cursor = page.cursor
            if stop_before is None or reached_old or not cursor:
                break
        return posts

    def fetch_new(self, account: AccountRef, *, cursor: str | None, since: datetime) -> FeedPage:
        actor = account.external_id or account.handle.lstrip("@")
        # The cursor is the newest publication time already stored; posts at that exact time
        # are fetched again and dropped by the caller's unique key, so none is skipped.
        floor = _parse_time(cursor) if cursor else since
        posts = self._feed_posts(actor, stop_before=max(floor or since, since))
        posts.sort(key=lambda p: (p.published_at, p.external_id))
        newest = posts[-1].published_at.isoformat() if posts else None
        return FeedPage(posts=posts, cursor=newest)

    def fetch_recent(self, account: AccountRef) -> list[RemotePost]:
        actor = account.external_id or account.handle.lstrip("@")
        return self._feed_posts(actor, stop_before=None)

    # ------------------------------------------------------------ Jetstream

    @staticmethod
    def subscribe_url(base: str, *, dids: Iterable[str], cursor: int | None = None) -> str:
        params: list[tuple[str, str]] = [("wantedCollections", POST_COLLECTION),
                                         ("wantedCollections", PROFILE_COLLECTION)]
        params += [("wantedDids", did) for did in sorted(set(dids))]
        if cursor:
            params.append(("cursor", str(cursor)))
        return f"{base}?{urlencode(params)}"

    def parse_event(self, raw: str | bytes) -> StreamEvent | None:
        """One Jetstream v1 message as a ``StreamEvent``. A profile record commit or an
        identity event (handle change) is operation ``profile``; events we do not act on
        (likes, follows) come back as operation ``skip`` so the cursor still advances."""
        try:
            event = json.loads(raw)
            did = event["did"]
            position = int(event["time_us"])
        except (ValueError, KeyError, TypeError):
            raise ConnectorError("Jetstream sent a message that is not a valid event.",
                                 permanent=True) from None
        when = _time_us(position)
        kind = event.get("kind")
        if kind == "account":
            info = event.get("account") or {}
            return StreamEvent(operation="account", author_id=did, position=position,
                               active=bool(info.get("active", True)),
                               status=str(info.get("status") or ""), event_time=when)
        commit = event.get("commit") or {}
        if kind == "identity" or (kind == "commit"
                                  and commit.get("collection") == PROFILE_COLLECTION):
            return StreamEvent(operation="profile", author_id=did, position=position,
                               event_time=when)
        if kind != "commit" or commit.get("collection") != POST_COLLECTION:
            return StreamEvent(operation="skip", author_id=did, position=position, event_time=when)
        operation, rkey = commit.get("operation"), commit.get("rkey", "")
        if operation == "delete":
            return StreamEvent(operation="delete", author_id=did, position=position,
                               external_id=post_uri(did, rkey), event_time=when)
        if operation in ("create", "update") and isinstance(commit.get("record"), dict):
            post = record_to_post(did=did, rkey=rkey, record=commit["record"], fallback=when,
                                  edited=operation == "update")
            return StreamEvent(operation=operation, author_id=did, position=position,
                               external_id=post.external_id, post=post, event_time=when)
        return StreamEvent(operation="skip", author_id=did, position=position, event_time=when)


def _xrpc_error(exc: at_exc.RequestErrorBase) -> tuple[str, str]:
    content = getattr(exc.response, "content", None)
    return (getattr(content, "error", "") or "", getattr(content, "message", "") or "")


def _retry_after(exc: at_exc.RequestErrorBase) -> float | None:
    headers = {k.lower(): v for k, v in (getattr(exc.response, "headers", None) or {}).items()}
    if "retry-after" in headers:
        try:
            return max(0.0, float(headers["retry-after"]))
        except ValueError:
            return None
    if "ratelimit-reset" in headers:
        try:
            return max(0.0, float(headers["ratelimit-reset"]) - datetime.now(UTC).timestamp())
        except ValueError:
            return None
    return None
