from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Operations: readiness, metrics, request ids and JSON logs, backup/restore and the
    platform operator's organization export and deletion. Reads other apps only through
    `django.apps` (a missing app is skipped), so it imports no domain code at import time."""

    name = "chorus.ops"
    label = "ops"
    verbose_name = "Operations"
