"""Offboarding step of the accounts (see chorus.provisioning.registry): the account of
someone who left can no longer sign in; every session ends and every API token is revoked."""

from __future__ import annotations

from typing import Any

# Last: the other apps still see the account while they do their part.
OFFBOARD_ORDER = 1000


def offboard_person(person: Any, *, actor: Any, reason: str) -> list[Any]:
    from chorus.administration.services import active_admins, user_deactivate
    from chorus.provisioning.registry import Step

    user = person.user
    title = "Your Chorus account"
    if user is None:
        return [Step("accounts.deactivated", title, "You had no Chorus account to close.")]
    if not user.is_active:
        return [Step("accounts.deactivated", title,
                     "Your account is closed: you cannot sign in, and no session or API token "
                     "of yours works.")]
    admins = list(active_admins(organization=person.organization).values_list("pk", flat=True))
    if admins == [user.pk]:
        return [Step("accounts.kept_last_admin", title,
                     "Your account was kept active because it is the organization's last "
                     "administrator; another administrator must be appointed first.")]
    # HR or the identity provider offboards, not necessarily an administrator: the
    # deactivation is audited under their name (the offboarding audits who started it).
    label = actor if isinstance(actor, str) else getattr(actor, "email", "") or "offboarding"
    user_deactivate(user=user, actor=None, actor_label=label,
                    reason=reason or "Left the organization")
    return [Step("accounts.deactivated", title,
                 "Your account was closed: you were signed out everywhere, you cannot sign in "
                 "again and your API tokens stopped working. Your HR record stays with HR.",
                 count=1)]
