"""Advocacy pages. The package splits them by topic; `urls.py` imports from
`chorus.advocacy.views` (every view is re-exported here). Public short links are in
`public_views.py`.

- `sharing`: the employee feed, the share flow with live screening, my shares, the leaderboard;
- `hub`: the communications hub's content workflow, guidance cards and sharing settings;
- `analytics`: program analytics, health and the CSV export.
"""

from __future__ import annotations

from chorus.advocacy.views.analytics import analytics_csv, analytics_page, health
from chorus.advocacy.views.calendar import content_calendar
from chorus.advocacy.views.emv import emv_csv, emv_page
from chorus.advocacy.views.hub import (
    content_detail,
    content_edit,
    content_list,
    content_move,
    content_new,
    guidance,
    hub_settings,
)
from chorus.advocacy.views.presence import presence, presence_delete, presence_manage
from chorus.advocacy.views.profile_checks import (
    profile_check_action,
    profile_checks,
    profile_detail_setting,
)
from chorus.advocacy.views.recognition import challenges, challenges_manage
from chorus.advocacy.views.sharing import (
    content_image,
    content_preview_image,
    feed,
    leaderboard,
    me,
    share,
    share_check,
    share_confirm_view,
    share_ready,
)
from chorus.advocacy.views.sources import (
    source_action,
    source_detail,
    sources,
    suggest,
    suggestion_decide,
    suggestions,
)

__all__ = [
    "analytics_csv",
    "analytics_page",
    "challenges",
    "challenges_manage",
    "content_calendar",
    "content_detail",
    "content_edit",
    "content_image",
    "content_list",
    "content_move",
    "content_new",
    "content_preview_image",
    "emv_csv",
    "emv_page",
    "feed",
    "guidance",
    "health",
    "hub_settings",
    "leaderboard",
    "me",
    "presence",
    "presence_delete",
    "presence_manage",
    "profile_check_action",
    "profile_checks",
    "profile_detail_setting",
    "share",
    "share_check",
    "share_confirm_view",
    "share_ready",
    "source_action",
    "source_detail",
    "sources",
    "suggest",
    "suggestion_decide",
    "suggestions",
]
