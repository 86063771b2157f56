"""Background jobs of the administration app: sending invitation e-mails."""

from __future__ import annotations

from django_tasks import task

from chorus.administration.models import Invitation
from chorus.administration.services import invitation_send


@task()
def invitation_send_task(invitation_id: int) -> bool:
    """E-mail one invitation's current link (nothing if it was accepted or revoked since)."""
    invitation = (
        Invitation.objects.select_related("organization", "invited_by")
        .filter(pk=invitation_id)
        .first()
    )
    return invitation is not None and invitation_send(invitation=invitation)
