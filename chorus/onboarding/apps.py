from django.apps import AppConfig


class OnboardingConfig(AppConfig):
    name = "chorus.onboarding"
    label = "onboarding"
    verbose_name = "Onboarding and attestation"
    role_permissions = {
        "hr": ["people.view_person", "people.add_person", "people.change_person"],
        "manager": ["people.view_person"],
    }

    def ready(self) -> None:
        from chorus.common.navigation import (
            PERSONAL,
            DashboardCard,
            NavItem,
            register_card,
            register_nav,
        )
        from chorus.notifications.kinds import NotificationKind, register_kind
        from chorus.onboarding import cards
        from chorus.onboarding.services import on_policy_version_published
        from chorus.policy.hooks import register_publish_hook

        register_kind(NotificationKind(
            "onboarding.attestation_requested",
            "Please read the policy (new or changed, with what changed)",
        ))
        register_kind(NotificationKind("onboarding.attestation_reminder",
                                       "Reminder: the policy is waiting for you"))
        register_kind(NotificationKind("onboarding.attestation_overdue",
                                       "Someone on your team has not acknowledged the policy"))

        # Every page here shares the `onboarding` namespace; only the main item highlights, so
        # the sections below name a section that never matches.
        register_nav(NavItem("People", "onboarding:people", order=40, roles=("hr", "manager"),
                             section="onboarding-people"))
        register_nav(NavItem("Onboarding", "onboarding:overview", order=41,
                             roles=("hr", "manager"), section="onboarding"))
        register_nav(NavItem("My acknowledgments", "onboarding:me", order=42, roles=("employee",),
                             section=PERSONAL))
        register_card(DashboardCard(template="onboarding/_card_me.html",
                                    context=cards.my_status_card, order=20))
        register_card(DashboardCard(template="onboarding/_card_hr.html",
                                    context=cards.completion_card, order=30,
                                    roles=("hr", "manager")))
        # Material policy changes start re-attestation; the policy app calls us after publishing.
        register_publish_hook(on_policy_version_published)
