"""Writes for the content hub: items and their workflow, guidance, settings, profiles, shares
and the weekly digest. Every service validates, writes, records history and audits.

The package splits these by topic; import from `chorus.advocacy.services` (every public
name is re-exported here).
"""

from __future__ import annotations

from chorus.advocacy.services.base import (
    CODE_ALPHABET,
    CODE_LENGTH,
    MAX_CAPTIONS,
    MAX_TAGS,
    is_editor,
)
from chorus.advocacy.services.configuration import (
    profile_for,
    profile_update,
    settings_for,
    settings_update,
)
from chorus.advocacy.services.content import (
    CaptionIn,
    caption_block_problems,
    content_create,
    content_transition,
    content_update,
    guidance_save,
)
from chorus.advocacy.services.digest import (
    digest_send_weekly,
)
from chorus.advocacy.services.presence import (
    official_account_delete,
    official_account_save,
)
from chorus.advocacy.services.shares import (
    colleagues_with_same_text,
    linked_mastodon_server,
    normalized_hash,
    share_confirm,
    share_create,
    share_refusal,
    shares_confirm_seen,
    short_link,
)

__all__ = [
    "CODE_ALPHABET",
    "CODE_LENGTH",
    "MAX_CAPTIONS",
    "MAX_TAGS",
    "CaptionIn",
    "caption_block_problems",
    "colleagues_with_same_text",
    "content_create",
    "content_transition",
    "content_update",
    "digest_send_weekly",
    "guidance_save",
    "is_editor",
    "linked_mastodon_server",
    "normalized_hash",
    "official_account_delete",
    "official_account_save",
    "profile_for",
    "profile_update",
    "settings_for",
    "settings_update",
    "share_confirm",
    "share_create",
    "share_refusal",
    "shares_confirm_seen",
    "short_link",
]
