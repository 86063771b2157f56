"""Read the e-mails Django's file-based backend wrote (development only, see /dev/mailbox/)."""

from __future__ import annotations

import email
import email.policy
from dataclasses import dataclass
from pathlib import Path

# Django's filebased backend writes each message followed by a line of 79 dashes.
SEPARATOR = b"\n" + b"-" * 79 + b"\n"


@dataclass(frozen=True)
class DevMail:
    subject: str
    to: str
    sent: str
    body: str


def read_mailbox(directory: Path, *, limit: int = 100) -> list[DevMail]:
    """The newest `limit` messages under `directory`, newest first; unreadable parts skipped."""
    if not directory.is_dir():
        return []
    files = sorted(directory.glob("*.log"), key=lambda p: p.stat().st_mtime, reverse=True)
    mails: list[DevMail] = []
    for path in files:
        chunks = [c for c in path.read_bytes().split(SEPARATOR) if c.strip()]
        for chunk in reversed(chunks):
            message = email.message_from_bytes(chunk, policy=email.policy.default)
            part = message.get_body(preferencelist=("plain",))  # type: ignore[attr-defined]
            body = part.get_content() if part is not None else ""
            mails.append(
                DevMail(
                    subject=str(message.get("Subject", "")),
                    to=str(message.get("To", "")),
                    sent=str(message.get("Date", "")),
                    body=body,
                )
            )
            if len(mails) >= limit:
                return mails
    return mails
