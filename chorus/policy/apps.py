from __future__ import annotations

from typing import Any

from django.apps import AppConfig


class PolicyConfig(AppConfig):
    name = "chorus.policy"
    label = "policy"
    verbose_name = "Policy"
    role_permissions = {
        "communications": ["policy.view_policy", "policy.add_policy", "policy.change_policy"],
        "legal": ["policy.view_policy", "policy.add_policy", "policy.change_policy"],
    }

    def ready(self) -> None:
        from chorus.common.navigation import DashboardCard, NavItem, register_card, register_nav
        from chorus.notifications.kinds import NotificationKind, register_kind

        register_nav(NavItem("Policy", "policy:index", order=10))
        register_kind(NotificationKind(
            key="policy.schedule_cancelled",
            label="A scheduled policy publication was cancelled",
        ))
        register_card(DashboardCard(template="policy/_card.html", context=_card_context, order=10))


def _card_context(user: Any) -> dict[str, Any] | None:
    """Employees: the policy in force. Authors also: open drafts with their lint counts."""
    from django.apps import apps

    from chorus.policy.lints import summarize
    from chorus.policy.models import PolicyVersion
    from chorus.policy.selectors import can_author, document_lint_findings, policy_version_current

    organization = user.organization
    if organization is None:
        return None
    is_author = can_author(user)
    # Employees read and acknowledge the policy from the onboarding card when that app is
    # installed; a second card pointing at the same page would only add noise.
    if not is_author and apps.is_installed("chorus.onboarding"):
        return None
    context: dict[str, Any] = {
        "current": policy_version_current(organization=organization),
        "is_author": is_author,
        "drafts": [],
    }
    if context["is_author"]:
        drafts = (
            PolicyVersion.objects.filter(
                organization=organization, status=PolicyVersion.Status.DRAFT
            )
            .select_related("policy")
            .order_by("-updated_at")[:3]
        )
        for draft in drafts:
            counts = summarize(
                document_lint_findings(organization=organization, document=draft.document)
            )
            context["drafts"].append({"version": draft, "lints": counts})
    return context
