"""Onboarding test helpers: published policy versions built through the policy app's services,
and people built through ours."""

from __future__ import annotations

import pytest

from chorus.onboarding.models import Campaign
from chorus.onboarding.services import campaign_create, person_add
from chorus.policy.services import (
    policy_create_from_preset,
    policy_version_create_draft,
    policy_version_publish,
    policy_version_update,
)


def publish_version(*, author, preset: str = "balanced", previous=None, material: bool = True,
                    purpose: str = "", capture=None):
    """Publish the first version (from a preset) or a new one derived from `previous`, with
    its purpose text changed. `capture` is django_capture_on_commit_callbacks, so publish
    hooks (re-attestation) run as they would after a real commit."""
    if previous is None:
        draft = policy_create_from_preset(organization=author.organization, actor=author,
                                          preset=preset, title="Social media policy")
    else:
        draft = policy_version_create_draft(version=previous, actor=author)
        document = dict(draft.document)
        document["sections"] = {**document["sections"],
                                "purpose": purpose or "A clearer purpose for this policy."}
        draft = policy_version_update(version=draft, actor=author, document=document,
                                      lock_version=draft.lock_version)
    if capture is None:
        return policy_version_publish(version=draft, actor=author, material=material,
                                      change_summary="Clarified the purpose.")
    with capture(execute=True):
        return policy_version_publish(version=draft, actor=author, material=material,
                                      change_summary="Clarified the purpose.")


@pytest.fixture
def version(comms):
    return publish_version(author=comms)


@pytest.fixture
def candidate(org, hr):
    return person_add(organization=org, actor=hr, full_name="Riley Chen",
                      email="riley@candidates.example", status="candidate", stage="pre_boarding",
                      department="Engineering")


def make_campaign(*, hr, version, audience=Campaign.Audience.EVERYONE, capture=None, **kw):
    kwargs = dict(organization=hr.organization, actor=hr, name=kw.pop("name", "Everyone"),
                  version_id=version.pk, audience=audience, **kw)
    if capture is None:
        return campaign_create(**kwargs)
    with capture(execute=True):
        return campaign_create(**kwargs)
