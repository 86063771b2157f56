"""Data rights for chat links (see chorus.privacy.registry): which Slack member and Teams
chat belong to the person. Slash-command drafts are never stored."""

from __future__ import annotations

from typing import Any


def export_person_data(person: Any) -> list[Any]:
    from chorus.integrations.models import SlackUserLink, TeamsConversation
    from chorus.privacy.registry import Section

    if person.user_id is None:
        return []
    slack = [{"workspace": link.installation.team_name or link.installation.team_id,
              "Slack member id": link.slack_user_id, "linked": link.created_at}
             for link in SlackUserLink.objects.select_related("installation")
             .filter(user_id=person.user_id)]
    teams = [{"tenant": c.integration.tenant_id, "Teams user id": c.teams_user_id,
              "linked": c.created_at}
             for c in TeamsConversation.objects.select_related("integration")
             .filter(user_id=person.user_id)]
    return [Section("Slack and Microsoft Teams accounts linked to you", slack + teams,
                    note="Linked by your verified work e-mail address. Drafts you check with "
                         "/chorus check or in Teams are never stored.")]


def erase_person_data(person: Any) -> Any:
    from chorus.integrations.models import SlackUserLink, TeamsConversation
    from chorus.privacy.registry import Erasure

    outcome = Erasure()
    if person.user_id:
        deleted, _ = SlackUserLink.objects.filter(user_id=person.user_id).delete()
        outcome.erase("Slack account links", deleted)
        deleted, _ = TeamsConversation.objects.filter(user_id=person.user_id).delete()
        outcome.erase("Teams chat references", deleted)
    return outcome
