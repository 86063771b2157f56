from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AdvocacyConfig(AppConfig):
    name = "chorus.advocacy"
    label = "advocacy"
    verbose_name = "Advocacy"
    role_permissions = {
        "communications": [
            "advocacy.view_contentitem", "advocacy.add_contentitem",
            "advocacy.change_contentitem", "advocacy.view_share",
        ],
    }

    def ready(self) -> None:
        from chorus.common.navigation import DashboardCard, NavItem, register_card, register_nav
        from chorus.notifications.kinds import NotificationKind, register_kind

        for key, label in (
            ("advocacy.content_submitted", "Content waiting for your review"),
            ("advocacy.content_approved", "Your content was approved"),
            ("advocacy.content_returned", "Your content needs changes"),
            ("advocacy.content_published", "New content to share"),
            ("advocacy.digest", "The weekly advocacy digest"),
        ):
            register_kind(NotificationKind(key, label))

        register_nav(NavItem("Share", "advocacy:feed", order=300))
        register_nav(NavItem("Content hub", "advocacy:content-list", order=310,
                             roles=("communications",), section="advocacy-hub"))
        register_card(DashboardCard(template="advocacy/_card.html", context=_card, order=300))
        from chorus.notifications.kinds import NotificationKind, register_kind

        register_kind(NotificationKind(key="advocacy.suggestion_published",
                                       label=_("A link you suggested was published")))


def _card(user):  # type: ignore[no-untyped-def]
    from chorus.advocacy.models import ContentItem
    from chorus.advocacy.selectors import feed_for

    if user.person is None and not user.has_role("communications"):
        return None
    context = {"feed_count": feed_for(user=user).count() if user.person else 0}
    if user.has_role("communications"):
        context["review_count"] = (
            ContentItem.objects.filter(organization_id=user.organization_id,
                                       status=ContentItem.Status.IN_REVIEW)
            .exclude(author=user).count()
        )
    return context
