"""What second factors register at start-up (called from IdentityConfig.ready())."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in


def _on_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    """Right after Django's login(): the session is not complete until a factor passes.
    Single sign-on may already have set MFA_SESSION_KEY ("idp"); that is kept."""
    from chorus.identity.mfa.gate import GATE_SESSION_KEY, evaluate, session_satisfied

    session = getattr(request, "session", None)
    if session is None:
        return
    session.pop(GATE_SESSION_KEY, None)
    if session_satisfied(request):
        return
    evaluate(request, user)


def _enroll_card(user: Any) -> dict[str, Any] | None:
    from chorus.identity.mfa.services import Gate, mfa_gate_for

    if user.organization_id is None:
        return None
    gate = mfa_gate_for(user=user)
    if gate.state != Gate.GRACE:
        return None
    return {"deadline": gate.deadline}


def _after_setup(result: Any) -> None:
    """A new organization starts with the default rule on record (admin, HR and legal; 7
    days), so its first administrator is asked to enroll from the first sign-in on and the
    audit trail shows the rule in force from day one."""
    from django.db import transaction

    from chorus.audit.services import audit_record
    from chorus.identity.mfa.services import mfa_policy_get

    with transaction.atomic():
        policy = mfa_policy_get(organization=result.organization)
        audit_record(
            organization=result.organization,
            actor=None,
            action="identity.mfa_policy_created",
            target=policy,
            data={"required_roles": policy.required_roles, "grace_days": policy.grace_days},
        )


def ready() -> None:
    from chorus.common.navigation import DashboardCard, NavItem, register_card, register_nav
    from chorus.notifications.kinds import NotificationKind, register_kind

    for key, label in [
        ("identity.factor_added", "A second factor was added to your account"),
        ("identity.recovery_code_used", "A recovery code was used to sign in"),
        ("identity.factor_reset_requested", "A reset of a second factor was requested"),
        ("identity.factor_reset", "Your second factor was reset"),
    ]:
        # Security notices: a person cannot turn them off, or an intruder could hide.
        register_kind(NotificationKind(key=key, label=label, mandatory=True))
    register_nav(NavItem("Two-factor", "identity:mfa-admin", order=916, roles=("admin",)))
    register_card(
        DashboardCard(template="identity/mfa/_card_enroll.html", context=_enroll_card, order=4)
    )
    user_logged_in.connect(_on_login, dispatch_uid="chorus.identity.mfa.on_login")
    from chorus.administration.services.setup import register_setup_hook

    register_setup_hook(_after_setup)
