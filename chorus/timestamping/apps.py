from __future__ import annotations

from django.apps import AppConfig


class TimestampingConfig(AppConfig):
    """RFC 3161 timestamps for attestations and published policy versions (issue 21)."""

    name = "chorus.timestamping"
    label = "timestamping"
    verbose_name = "Timestamps"

    def ready(self) -> None:
        from chorus.audit.verifiers import register_verifier
        from chorus.policy.hooks import register_publish_hook
        from chorus.timestamping import services

        register_publish_hook(services.on_policy_version_published)
        register_verifier("RFC 3161 timestamps", services.timestamps_verify)
