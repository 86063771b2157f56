"""The main navigation and the dashboard cards, contributed by each app.

Apps register from `AppConfig.ready()`, so the base template never needs editing when an app
lands, and a user only sees what their roles allow.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.urls import NoReverseMatch, reverse


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    order: int = 100
    # Shown when the user has any of these roles (empty: every signed-in user).
    roles: tuple[str, ...] = ()
    # PERSONAL marks the person's own pages (their acknowledgments, cases, linked accounts):
    # for staff they form a "You" menu beside "Manage", so the bar fits one line at 1280 px.
    # Other values are ignored (the active item is the longest URL prefix of the path).
    section: str = ""


@dataclass(frozen=True)
class DashboardCard:
    """A card on the dashboard: `context(user)` returns the template context, or None to hide."""

    template: str
    context: Callable[[Any], dict[str, Any] | None]
    order: int = 100
    roles: tuple[str, ...] = ()


PERSONAL = "personal"
NAV_ITEMS: list[NavItem] = []
DASHBOARD_CARDS: list[DashboardCard] = []


def register_nav(item: NavItem) -> None:
    if item not in NAV_ITEMS:
        NAV_ITEMS.append(item)


def register_card(card: DashboardCard) -> None:
    if card not in DASHBOARD_CARDS:
        DASHBOARD_CARDS.append(card)


def _allowed(user: Any, roles: tuple[str, ...]) -> bool:
    return not roles or any(user.has_role(role) for role in roles)


def nav_for(user: Any, current_path: str) -> dict[str, list[dict[str, Any]]]:
    """The items this user may see, split into `main` (what every employee uses), `manage`
    (staff tools, shown in a menu) and, for staff only, `you` (their own pages, a second menu;
    employees keep those in the bar). The item whose URL is the longest prefix of the current
    path is active, so two items of one app highlight correctly."""
    items: list[dict[str, Any]] = []
    for item in sorted(NAV_ITEMS, key=lambda i: (i.order, i.label)):
        if not _allowed(user, item.roles):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        staff_only = bool(item.roles) and "employee" not in item.roles
        items.append({"label": item.label, "url": url, "active": False, "manage": staff_only,
                      "personal": item.section == PERSONAL})
    matches = [i for i in items if current_path.startswith(i["url"]) and i["url"] != "/"]
    if matches:
        max(matches, key=lambda i: len(i["url"]))["active"] = True
    manage = [i for i in items if i["manage"]]
    you = [i for i in items if i["personal"] and not i["manage"]] if manage else []
    return {
        "main": [i for i in items if not i["manage"] and i not in you],
        "you": you,
        "manage": manage,
    }


def cards_for(user: Any) -> list[dict[str, Any]]:
    rendered = []
    for card in sorted(DASHBOARD_CARDS, key=lambda c: c.order):
        if not _allowed(user, card.roles):
            continue
        context = card.context(user)
        if context is not None:
            rendered.append({"template": card.template, "context": context})
    return rendered
