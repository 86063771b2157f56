"""Data rights for what single sign-on and directories keep about a person: the directory
links (the IdP's id for the account) and the directory profile (preferred language, groups)."""

from __future__ import annotations

from typing import Any

from chorus.identity.sso.models import DirectoryLink, DirectoryProfile


def export_person_data(person: Any) -> list[Any]:
    from chorus.privacy.registry import Section

    if not person.user_id:
        return []
    links = [{"directory": link.source, "id at the directory": link.external_id,
              "since": link.created_at}
             for link in DirectoryLink.objects.filter(user_id=person.user_id)]
    profiles = [{"directory": p.source, "preferred language": p.preferred_language,
                 "groups": ", ".join(p.groups or []), "last update": p.synced_at}
                for p in DirectoryProfile.objects.filter(user_id=person.user_id)]
    sections = []
    if links or profiles:
        sections.append(Section(
            "Your organization's directory (single sign-on)", links + profiles,
            note="What your organization's identity provider last told Chorus about you. "
                 "Tokens and assertions are never stored."))
    return sections


def erase_person_data(person: Any) -> Any:
    from chorus.privacy.registry import Erasure

    outcome = Erasure()
    if person.user_id:
        outcome.erase("directory links", DirectoryLink.objects.filter(
            user_id=person.user_id).delete()[0])
        outcome.erase("directory profile", DirectoryProfile.objects.filter(
            user_id=person.user_id).delete()[0])
    return outcome
