"""How advocacy uses the screening engine and the policy's disclosure rules.

The engine runs through `chorus.checks.services.screen_text` (the organization's published
policy, or the balanced preset). The disclosure the policy requires is added by the server,
never trusted from the browser, so it cannot be removed by editing the page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from chorus.checks.services import screen_text, screening_policy


@dataclass(frozen=True)
class DisclosureRule:
    required: bool
    hashtag: str  # the one we add
    accepted: tuple[str, ...]  # any of these already in the text satisfies the rule


def disclosure_rule(*, organization: Any, policy: Any | None = None) -> DisclosureRule:
    """The policy's disclosure for advocacy shares. Required unless the policy says otherwise,
    because sharing the employer's content is an endorsement (FTC; research AMP-01)."""
    policy = policy or screening_policy(organization=organization)
    accepted = tuple(policy.effective_hashtags())
    required = policy.disclosure.required_for_advocacy
    return DisclosureRule(
        required=True if required is None else bool(required),
        hashtag=accepted[0] if accepted else "",
        accepted=accepted,
    )


def has_disclosure(text: str, rule: DisclosureRule) -> bool:
    lowered = text.casefold()
    return any(
        re.search(re.escape(tag.casefold()) + r"(?![\w])", lowered) for tag in rule.accepted
    )


def with_disclosure(text: str, rule: DisclosureRule) -> tuple[str, bool]:
    """`text` with the required hashtag appended when missing; and whether we added it."""
    text = text.strip()
    if not rule.required or not rule.hashtag or has_disclosure(text, rule):
        return text, False
    return f"{text} {rule.hashtag}".strip(), True


def screen_caption(*, organization: Any, text: str, network: str, author: Any = None) -> Any:
    """The engine's result for a caption as it will be posted (disclosure included)."""
    return screen_text(
        organization=organization, text=text, network=network,
        author=getattr(author, "email", None),
    )
