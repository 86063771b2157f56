"""Slack workspaces, Teams tenants and webhook endpoints of an organization, and what they sent.

Secrets (bot tokens, signing secrets, Workflows URLs) are stored encrypted
(`chorus.integrations.crypto`); the plain value is never a model field.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from chorus.common.models import OrgOwnedModel


class SlackInstallation(OrgOwnedModel):
    """Chorus installed in one Slack workspace for one organization.

    A workspace (`team_id`) belongs to at most one organization, ever: requests signed for
    that workspace can only act in that organization. An organization has one workspace.
    """

    team_id = models.CharField(max_length=32, unique=True)
    team_name = models.CharField(max_length=200, blank=True)
    enterprise_id = models.CharField(max_length=32, blank=True)
    app_id = models.CharField(max_length=32, blank=True)
    bot_user_id = models.CharField(max_length=32, blank=True)
    bot_token_encrypted = models.TextField()
    scopes = models.CharField(max_length=1000, blank=True)
    # The channel where approved content is dropped with Share buttons ("" = no drops).
    drop_channel = models.CharField(max_length=32, blank=True)
    installed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization"], name="slack_one_workspace_per_org")
        ]

    def __str__(self) -> str:
        return f"Slack {self.team_name or self.team_id}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class SlackUserLink(OrgOwnedModel):
    """A Slack member matched to a Chorus account by verified e-mail address."""

    installation = models.ForeignKey(
        SlackInstallation, on_delete=models.CASCADE, related_name="links"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="slack_links"
    )
    slack_user_id = models.CharField(max_length=32)
    dm_channel = models.CharField(max_length=32, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["installation", "slack_user_id"],
                                    name="slack_link_unique_member"),
            models.UniqueConstraint(fields=["installation", "user"], name="slack_link_unique_user"),
        ]

    def __str__(self) -> str:
        return f"{self.slack_user_id} → {self.user_id}"


class TeamsIntegration(OrgOwnedModel):
    """The organization's Microsoft 365 tenant, for the Chorus bot in Teams.

    Activities are accepted only from this tenant; a tenant belongs to one organization.
    `workflow_url_encrypted` is an optional Workflows ("When a Teams webhook request is
    received") URL for content drops to a channel; the URL itself is the credential.
    """

    tenant_id = models.CharField(max_length=64, unique=True)
    workflow_url_encrypted = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization"], name="teams_one_tenant_per_org")
        ]

    def __str__(self) -> str:
        return f"Teams tenant {self.tenant_id}"


class TeamsConversation(OrgOwnedModel):
    """The personal chat between the Chorus bot and one person (a conversation reference),
    captured when they install or message the bot; proactive messages go here."""

    integration = models.ForeignKey(
        TeamsIntegration, on_delete=models.CASCADE, related_name="conversations"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="teams_conversations"
    )
    teams_user_id = models.CharField(max_length=200)
    aad_object_id = models.CharField(max_length=64, blank=True)
    conversation_id = models.CharField(max_length=300)
    service_url = models.URLField(max_length=500)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["integration", "user"], name="teams_conv_unique_user"),
        ]

    def __str__(self) -> str:
        return f"Teams chat of {self.user_id}"


class WebhookEndpoint(OrgOwnedModel):
    """A URL the organization subscribed to some event types, with its signing secret."""

    url = models.URLField(max_length=1000)
    description = models.CharField(max_length=200, blank=True)
    event_types = models.JSONField(default=list)
    secret_encrypted = models.TextField()
    disabled_at = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.CharField(max_length=300, blank=True)
    # Failed attempts in a row (a success resets it); past the limit the endpoint is disabled.
    consecutive_failures = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["url", "id"]

    def __str__(self) -> str:
        return self.url

    @property
    def is_active(self) -> bool:
        return self.disabled_at is None


class WebhookDelivery(OrgOwnedModel):
    """One event for one endpoint. `message_id` is the `webhook-id` header: the same on every
    retry and manual redelivery, so the receiver can drop duplicates."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        RETRYING = "retrying", _("Waiting to retry")
        SUCCEEDED = "succeeded", _("Delivered")
        FAILED = "failed", _("Failed")

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    message_id = models.CharField(max_length=40)
    event_type = models.CharField(max_length=60)
    payload = models.TextField()  # the exact JSON body, signed as is
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "message_id"],
                                    name="webhook_delivery_unique")
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="webhook_due")]

    def __str__(self) -> str:
        return f"{self.event_type} → {self.endpoint_id}: {self.status}"


class WebhookAttempt(OrgOwnedModel):
    """One HTTP request of a delivery and what came back (bodies truncated): the log."""

    delivery = models.ForeignKey(
        WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log"
    )
    number = models.PositiveSmallIntegerField()
    manual = models.BooleanField(default=False)
    request_headers = models.JSONField(default=dict)
    request_body = models.TextField(blank=True)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.TextField(blank=True)
    error = models.CharField(max_length=300, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.delivery_id}#{self.number}"

    @property
    def succeeded(self) -> bool:
        return self.response_status is not None and 200 <= self.response_status < 300
