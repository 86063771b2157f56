"""Mastodon (any instance) through Mastodon.py: resolve an account, poll its public statuses.

Polling pages forward with ``min_id`` from the newest id we stored, until an empty page, so a
burst of posts between two polls is never skipped (``since_id`` would return only the newest
page). Ids are opaque strings, compared by length then lexically.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import requests
from mastodon import Mastodon
from mastodon.errors import (
    MastodonAPIError,
    MastodonError,
    MastodonNetworkError,
    MastodonNotFoundError,
    MastodonRatelimitError,
    MastodonServerError,
    MastodonUnauthorizedError,
)

from chorus.common.http import OutboundError, OutboundSession
from chorus.connectors.base import (
    AccountRef,
    ConnectorError,
    FeedPage,
    RemoteMedia,
    RemotePost,
    RemoteProfile,
    sort_key_for_id,
)
from chorus.connectors.text import html_to_text

PAGE_SIZE = 40  # the API maximum
MAX_PAGES = 10  # per poll; the rest is read next time from the stored cursor


def parse_handle(handle: str, instance: str = "") -> tuple[str, str]:
    """``@jdoe@social.example`` -> (``jdoe``, ``https://social.example``). An explicit
    ``instance`` (a URL, for tests and non-standard ports) wins over the handle's domain."""
    cleaned = handle.strip().lstrip("@")
    if "@" in cleaned:
        username, domain = cleaned.split("@", 1)
    else:
        username, domain = cleaned, ""
    base = instance.strip().rstrip("/") or (f"https://{domain}" if domain else "")
    if not username or not base:
        raise ConnectorError(
            "Enter the full handle, like @name@mastodon.social, so we know which server to read.",
            permanent=True,
        )
    if not base.startswith(("https://", "http://")):
        base = f"https://{base}"
    return username, base


def _aware(value: Any) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def status_to_post(status: Any) -> RemotePost:
    """One Mastodon status as a plain post. A boost's text is the boosted post's; the
    content warning and image descriptions are screened along with the body."""
    source = status.get("reblog") or status
    parts = [source.get("spoiler_text") or "", html_to_text(source.get("content") or "")]
    parts += [m.get("description") or "" for m in source.get("media_attachments") or []]
    return RemotePost(
        external_id=str(status["id"]),
        text="\n\n".join(p for p in parts if p).strip(),
        published_at=_aware(status["created_at"]) or datetime.now(UTC),
        url=status.get("url") or status.get("uri") or "",
        edited_at=_aware(status.get("edited_at")),
        language=status.get("language") or "",
        is_repost=bool(status.get("reblog")),
        is_reply=bool(status.get("in_reply_to_id")),
        media=tuple(
            RemoteMedia(url=m["url"], description=m.get("description") or "")
            for m in source.get("media_attachments") or []
            if isinstance(m, dict) and m.get("type") == "image" and m.get("url")
        ),
    )


class MastodonConnector:
    """Reads public statuses. Anonymous by default; ``access_token`` for instances that
    require authorized fetch."""

    kind = "mastodon"

    def __init__(self, *, access_token: str | None = None, timeout: float = 15.0) -> None:
        self.access_token = access_token
        self.timeout = timeout
        self._last_response: requests.Response | None = None

    def _client(self, base_url: str) -> Mastodon:
        # The instance is whatever the person typed: the guarded client refuses internal
        # addresses, caps the answer and bounds the time of every call.
        session = OutboundSession(timeout=self.timeout, deadline=max(self.timeout * 2, 30.0))
        # Mastodon.py drops the response on a 429; keep it so Retry-After can be honoured.
        session.hooks["response"].append(self._remember)
        return Mastodon(
            api_base_url=base_url, access_token=self.access_token, session=session,
            request_timeout=self.timeout, ratelimit_method="throw", version_check_mode="none",
        )

    def _remember(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        self._last_response = response

    def _call(self, fn: Any, *args: Any, server: str = "", **kwargs: Any) -> Any:
        """Call Mastodon.py and turn each of its error classes into a plain ConnectorError.

        Messages name the server and what to do, never the library's text; they never say
        whether a retry happens (the caller knows whether one is scheduled)."""
        where = server or "the Mastodon server"
        try:
            return fn(*args, **kwargs)
        except MastodonRatelimitError:
            raise ConnectorError(
                f"{where} is limiting how often we may ask right now.", permanent=False,
                retry_after=self._retry_after(), status=429,
            ) from None
        except MastodonNotFoundError:
            raise ConnectorError(
                f"{where} has no such account (it may have been deleted, moved or suspended). "
                "Check the handle, or remove the account and link the new one.",
                permanent=True, status=404,
            ) from None
        except MastodonUnauthorizedError:
            raise ConnectorError(
                f"{where} refused access (it may require sign-in to read public posts). "
                "Link the account again to give access.", permanent=True, status=401,
            ) from None
        except MastodonNetworkError as exc:
            if isinstance(exc.__context__, OutboundError):
                # One neutral answer for refused and unreachable servers (no port mapping).
                raise ConnectorError(
                    "We could not reach this Mastodon server. Check the handle, like "
                    "@name@mastodon.social.",
                    permanent=exc.__context__.kind in ("refused", "invalid_url"),
                ) from None
            raise ConnectorError(
                f"We could not reach {where}. Check the handle's server name, or try again "
                "in a few minutes.", permanent=False,
            ) from None
        except MastodonServerError:
            raise ConnectorError(
                f"{where} had a problem answering (a server error on its side). Try again in "
                "a few minutes.", permanent=False,
            ) from None
        except MastodonAPIError as exc:
            status = exc.args[1] if len(exc.args) > 1 and isinstance(exc.args[1], int) else None
            if status in (403, 410):
                raise ConnectorError(
                    f"The account is gone or no longer public on {where}. Remove it, or "
                    "link it again once it is public.", permanent=True, status=status,
                ) from None
            permanent = status is not None and 400 <= status < 500
            raise ConnectorError(
                f"{where} refused the request"
                + (f" (HTTP {status})" if status else "") + "."
                + (" Check the handle." if permanent else " Try again in a few minutes."),
                permanent=permanent, status=status,
            ) from None
        except MastodonError:
            raise ConnectorError(
                f"{where} sent an answer we could not read. Check that it is a Mastodon "
                "server, or try again in a few minutes.", permanent=False,
            ) from None

    def _retry_after(self) -> float | None:
        headers = self._last_response.headers if self._last_response is not None else {}
        raw = headers.get("Retry-After")
        if raw is None:
            return None
        try:
            return max(0.0, float(raw))
        except ValueError:
            try:
                from email.utils import parsedate_to_datetime

                return max(0.0, (parsedate_to_datetime(raw) - datetime.now(UTC)).total_seconds())
            except (TypeError, ValueError):
                return None

    # ------------------------------------------------------------ capabilities

    def resolve(self, account: AccountRef) -> RemoteProfile:
        username, base = parse_handle(account.handle, account.instance)
        api = self._client(base)
        domain = base.split("://", 1)[1]
        found = self._call(api.account_lookup, username, server=domain)
        return RemoteProfile(
            external_id=str(found["id"]), handle=f"@{username}@{domain}",
            display_name=found.get("display_name") or "", url=found.get("url") or "",
            bio=profile_text(found),
            fields=tuple((html_to_text(f.get("name") or ""), html_to_text(f.get("value") or ""))
                         for f in found.get("fields") or []),
        )

    def fetch_new(self, account: AccountRef, *, cursor: str | None, since: datetime) -> FeedPage:
        _, base = parse_handle(account.handle, account.instance)
        api = self._client(base)
        seen: dict[str, Any] = {}
        if cursor:
            min_id = cursor
            for _ in range(MAX_PAGES):
                page = self._call(api.account_statuses, account.external_id,
                                  server=_server(base), min_id=min_id, limit=PAGE_SIZE)
                if not page:
                    break
                for status in page:
                    seen[str(status["id"])] = status
                min_id = max((str(s["id"]) for s in page), key=sort_key_for_id)
        else:
            # First read: walk back from the newest post until we pass the consent time.
            max_id = None
            for _ in range(MAX_PAGES):
                page = self._call(api.account_statuses, account.external_id,
                                  server=_server(base), max_id=max_id, limit=PAGE_SIZE)
                if not page:
                    break
                for status in page:
                    seen[str(status["id"])] = status
                oldest = min(page, key=lambda s: sort_key_for_id(str(s["id"])))
                if (_aware(oldest["created_at"]) or since) < since:
                    break
                max_id = str(oldest["id"])
        ids = sorted(seen, key=sort_key_for_id)
        posts = [status_to_post(seen[i]) for i in ids]
        if not cursor:
            posts = [p for p in posts if p.published_at >= since]
        return FeedPage(posts=posts, cursor=ids[-1] if ids else None)

    def fetch_recent(self, account: AccountRef) -> list[RemotePost]:
        _, base = parse_handle(account.handle, account.instance)
        api = self._client(base)
        page = self._call(api.account_statuses, account.external_id, server=_server(base),
                          limit=PAGE_SIZE)
        return [status_to_post(s) for s in page]


def _server(base: str) -> str:
    return base.split("://", 1)[-1]


def profile_text(account: Any) -> str:
    """The account's note and profile fields as plain text, each field's link target
    included (a rel="me" link is a field whose value links to the page)."""
    parts = [html_to_text(account.get("note") or "")]
    for item in account.get("fields") or []:
        value = item.get("value") or ""
        parts.append(f"{item.get('name') or ''}: {html_to_text(value)}")
        parts += re.findall(r'href="([^"]+)"', value)
    return "\n".join(p for p in parts if p).strip()
