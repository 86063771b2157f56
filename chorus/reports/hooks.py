"""Things other apps want to happen when a new report is opened.

`register_report_hook(fn)` from an AppConfig.ready(); `fn(report=, texts=)` runs inside the
submission's transaction right after routing (posture uses it for the crisis queue). A hook
may change the report's assignee, SLA and due date through the report's own fields.
"""

from __future__ import annotations

from collections.abc import Callable

REPORT_HOOKS: list[Callable[..., None]] = []


def register_report_hook(fn: Callable[..., None]) -> None:
    if fn not in REPORT_HOOKS:
        REPORT_HOOKS.append(fn)
