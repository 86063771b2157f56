from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _create_cache_table(*, using: str = "default", **kwargs: Any) -> None:
    # The shared database cache (config/settings.py CACHES) needs its table; every `migrate`
    # (`chorus migrate`, `make setup`, `chorus run`, test databases) creates it if missing.
    from django.core.management import call_command

    call_command("createcachetable", database=using, verbosity=0)


class CommonConfig(AppConfig):
    name = "chorus.common"
    label = "common"
    verbose_name = "Common"

    def ready(self) -> None:
        from chorus.common import faults  # noqa: F401  (connects the 503 signal receiver)
        from chorus.common.navigation import NavItem, register_nav

        register_nav(
            NavItem("Background tasks", "common:task-problems", order=950, roles=("admin",))
        )
        post_migrate.connect(
            _create_cache_table, sender=self, dispatch_uid="chorus.common.createcachetable"
        )
