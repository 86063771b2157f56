"""The X (Twitter) archive the person downloads and uploads: ``data/tweets.js`` (or
``tweets-part1.js``…), or the whole archive ``.zip``.

The file is ``window.YTD.tweets.part0 = [ {"tweet": {...}}, ... ]``: everything up to the first
``=`` is dropped and the rest parsed as JSON. Numbers arrive as strings; ids stay strings.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from chorus.connectors.archives import Progress, is_zip, read_members
from chorus.connectors.base import ConnectorError, RemotePost

MAX_TWEETS = 200_000


def _tweets_js_from_zip(data: bytes, progress: Progress | None) -> Iterator[bytes]:
    for _name, content in read_members(
        data, select=lambda n: n.rsplit("/", 1)[-1].startswith("tweets") and n.endswith(".js"),
        what="data/tweets.js", missing="This .zip has no data/tweets.js; is it an X archive?",
        progress=progress,
    ):  # fmt: skip
        yield content


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ConnectorError("tweets.js is not UTF-8 text; upload the file as downloaded.",
                             permanent=True) from None


def _parse_part(part: str) -> list[Any]:
    if "=" not in part:
        raise ConnectorError(
            "This is not an X archive file: it should start with window.YTD.tweets.part0 = [",
            permanent=True,
        )
    payload = part.split("=", 1)[1].strip().rstrip(";")
    try:
        loaded = json.loads(payload)
    except json.JSONDecodeError as exc:
        raise ConnectorError(
            f"tweets.js is not valid JSON after the '=' (line {exc.lineno}, column "
            f"{exc.colno}: {exc.msg}). Upload the file exactly as downloaded.",
            permanent=True,
        ) from None
    except (ValueError, RecursionError):  # 100k nested brackets, a 5000-digit number
        raise ConnectorError("tweets.js is not an X archive: it is nested too deeply or holds "
                             "a number too long. Upload the file exactly as downloaded.",
                             permanent=True) from None
    if not isinstance(loaded, list):
        raise ConnectorError("tweets.js should hold a list of tweets.", permanent=True)
    return loaded


class XArchiveConnector:
    kind = "x_archive"

    def __init__(self, **_: Any) -> None:
        pass

    def parse_archive(
        self, data: bytes, *, filename: str = "", progress: Progress | None = None
    ) -> list[RemotePost]:
        # Each part is decoded and parsed on its own, so only one is held as text at a time.
        parts = _tweets_js_from_zip(data, progress) if is_zip(data) else iter([data])
        items: list[Any] = []
        for part in parts:
            items.extend(_parse_part(_decode(part)))
            if len(items) >= MAX_TWEETS:
                break
        posts = []
        for n, item in enumerate(items[:MAX_TWEETS], start=1):
            tweet = item.get("tweet", item) if isinstance(item, dict) else None
            if not isinstance(tweet, dict):
                raise ConnectorError(f"Tweet #{n} is not an object.", permanent=True)
            tweet_id = str(tweet.get("id_str") or tweet.get("id") or "")
            created = tweet.get("created_at", "")
            try:
                when = datetime.strptime(created, "%a %b %d %H:%M:%S %z %Y").astimezone(UTC)
            except (TypeError, ValueError):
                raise ConnectorError(
                    f"Tweet #{n} (id {tweet_id or '?'}) has an unreadable date {created!r}; "
                    "expected like 'Sat Feb 18 12:33:11 +0000 2023'.", permanent=True,
                ) from None
            if not tweet_id:
                raise ConnectorError(f"Tweet #{n} has no id_str.", permanent=True)
            full_text = str(tweet.get("full_text") or tweet.get("text") or "")
            # Expand t.co links so screening sees the real destination.
            entities = tweet.get("entities")
            urls = entities.get("urls") if isinstance(entities, dict) else None
            for url in urls if isinstance(urls, list) else []:
                short = url.get("url") if isinstance(url, dict) else None
                expanded = url.get("expanded_url") if isinstance(url, dict) else None
                if isinstance(short, str) and isinstance(expanded, str) and short:
                    full_text = full_text.replace(short, expanded)
            posts.append(RemotePost(
                external_id=tweet_id, text=full_text, published_at=when,
                url=f"https://x.com/i/status/{tweet_id}",
                language=str(tweet.get("lang") or "")[:20],
                is_repost=full_text.startswith("RT @"),
                is_reply=bool(tweet.get("in_reply_to_status_id_str")),
            ))
        posts.sort(key=lambda p: (p.published_at, p.external_id))
        return posts
