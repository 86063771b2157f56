"""Demo data for Northwind Robotics: a published balanced policy and an open draft."""

from __future__ import annotations

from typing import Any

from chorus.policy.models import PolicyVersion
from chorus.policy.services import (
    policy_create_from_preset,
    policy_version_create_draft,
    policy_version_publish,
    policy_version_update,
)

NORTHWIND = {
    "aliases": ["Northwind", "NWR"],
    "products": ["Skylift", "Tern", "Harbor OS"],
    "ticker": "NWRB",
}
ENTITIES = {
    "customers": ["Contoso", "Fabrikam", "Tailspin Toys", "Wide World Importers"],
    "competitors": ["Initech", "Globex", "Umbrella Dynamics"],
    "codenames": ["Bluebird", "Project Kestrel"],
}


def seed(ctx: Any) -> None:
    """Publish "Social media policy" v1 (balanced) and leave v2 as a draft with a clearer rule."""
    if PolicyVersion.objects.filter(organization=ctx.organization).exists():
        return
    author = ctx.users["comms"]
    draft = policy_create_from_preset(
        organization=ctx.organization, actor=author, preset="balanced", title="Social media policy"
    )
    document = dict(draft.document)
    document["organization"] = {**document["organization"], **NORTHWIND}
    document["entities"] = ENTITIES
    document["disclosure"] = {**document.get("disclosure", {}), "hashtags": ["#NorthwindEmployee"]}
    draft = policy_version_update(
        version=draft, actor=author, document=document, lock_version=draft.lock_version
    )
    published = policy_version_publish(
        version=draft,
        actor=ctx.users["legal"],
        material=True,
        change_summary="First published policy for Northwind Robotics.",
    )
    next_draft = policy_version_create_draft(version=published, actor=author)
    document = dict(next_draft.document)
    document["entities"] = {**ENTITIES, "unreleased": ["Skylift 2"]}
    document["sections"] = {
        **document["sections"],
        "contact": document["sections"]["contact"]
        + " For press or analyst questions, write to press@northwind.example.",
    }
    policy_version_update(
        version=next_draft, actor=author, document=document, lock_version=next_draft.lock_version
    )
