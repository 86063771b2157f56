from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _sync_roles(sender, **kwargs):  # type: ignore[no-untyped-def]
    from chorus.people.services import roles_sync

    roles_sync()


class PeopleConfig(AppConfig):
    name = "chorus.people"
    label = "people"
    verbose_name = "People"
    role_permissions = {
        "hr": ["people.view_person", "people.add_person", "people.change_person"],
        "manager": ["people.view_person"],
    }

    def ready(self) -> None:
        # Roles are infrastructure, not domain flow: groups must exist after any migrate.
        post_migrate.connect(_sync_roles, dispatch_uid="chorus.people.roles_sync")
        from chorus.common.navigation import DashboardCard, register_card

        register_card(
            DashboardCard(template="people/_card_account.html", context=_account_card, order=900)
        )


def _account_card(user):  # type: ignore[no-untyped-def]
    return {"user": user}
