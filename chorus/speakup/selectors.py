"""Reads for the speak-up channel. Permission scoping lives here: handlers see their
organization's concerns except those that name them; a custodian sees the requests addressed
to them; nobody else sees anything. Another organization's ids are a 404."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from chorus.common.errors import NotFound
from chorus.speakup.models import (
    Attachment,
    Concern,
    DeletionLog,
    IdentityRequest,
    IntakeForm,
)
from chorus.speakup.services.base import is_custodian, is_handler, key_hash


def concern_list_for(*, user: Any, status: str = "") -> QuerySet[Concern]:
    if not is_handler(user):
        return Concern.objects.none()
    concerns = (Concern.objects.filter(organization_id=user.organization_id)
                .exclude(excluded_users=user).select_related("handler"))
    if status == "open":
        concerns = concerns.exclude(status=Concern.Status.CLOSED)
    elif status:
        concerns = concerns.filter(status=status)
    return concerns.order_by("ack_due_at")


def concern_get_for(*, user: Any, concern_id: int) -> Concern:
    concern = concern_list_for(user=user).filter(pk=concern_id).first()
    if concern is None:
        raise NotFound("No such concern.")
    return concern


def attachment_get_for(*, user: Any, attachment_id: int) -> Attachment:
    if not getattr(user, "organization_id", None):
        raise NotFound("No such file.")
    att = (Attachment.objects.select_related("message__concern")
           .filter(pk=attachment_id, organization_id=user.organization_id).first())
    if att is None or not concern_list_for(user=user).filter(pk=att.message.concern_id).exists():
        raise NotFound("No such file.")
    return att


def identity_requests_for_custodian(*, user: Any) -> QuerySet[IdentityRequest]:
    if not is_custodian(user):
        return IdentityRequest.objects.none()
    return (IdentityRequest.objects.filter(organization_id=user.organization_id, custodian=user)
            .exclude(concern__excluded_users=user)
            .select_related("concern", "requested_by"))


def identity_request_get_for(*, user: Any, request_id: int) -> IdentityRequest:
    req = identity_requests_for_custodian(user=user).filter(pk=request_id).first()
    if req is None:
        raise NotFound("No such request.")
    return req


def concern_for_key(*, key: str) -> Concern | None:
    return (Concern.objects.select_related("organization", "form_version")
            .filter(key_hash=key_hash(key)).first())


def erased_for_key(*, key: str) -> DeletionLog | None:
    """The deletion record of a key whose report was erased under the retention schedule."""
    return DeletionLog.objects.filter(key_hash=key_hash(key)).first()


def forms_for(*, organization: Any) -> QuerySet[IntakeForm]:
    return IntakeForm.objects.filter(organization=organization, active=True).order_by("label")


def deletion_log_for(*, user: Any) -> QuerySet[DeletionLog]:
    if not (is_handler(user) or user.has_role("admin")):
        return DeletionLog.objects.none()
    return DeletionLog.objects.filter(organization_id=user.organization_id)


def dashboard_counts(*, user: Any) -> dict[str, Any] | None:
    if not is_handler(user):
        return None
    open_ = concern_list_for(user=user, status="open")
    now = timezone.now()
    # One aggregate query for the card (the dashboard's query budget is shared by every app).
    figures = open_.order_by().aggregate(
        open=Count("pk"),
        to_acknowledge=Count("pk", filter=Q(acknowledged_at__isnull=True)),
        late_ack=Count("pk", filter=Q(acknowledged_at__isnull=True, ack_due_at__lte=now)),
        late_feedback=Count("pk", filter=Q(feedback_at__isnull=True, feedback_due_at__lte=now)),
    )
    return {
        "open": figures["open"],
        "to_acknowledge": figures["to_acknowledge"],
        "overdue": figures["late_ack"] + figures["late_feedback"],
        "custodian": identity_requests_for_custodian(user=user).filter(
            status=IdentityRequest.Status.PENDING).count(),
    }
