"""A policy compiled for matching (built by :func:`chorus.screening.engine.compile_policy`).

Its own module so that detectors can name the type without importing the engine.
Pure Python; never imports Django.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from chorus.screening.policy import Policy
from chorus.screening.types import RuleSetting

__all__ = ["Compiled"]


@dataclass
class Compiled:
    """A policy compiled for matching; built once per policy by :class:`Screener`."""

    policy: Policy
    rules: dict[str, RuleSetting]
    block_rank: int
    warn_rank: int
    automaton: Any
    skeleton_automaton: Any
    org_names: tuple[str, ...]
    products: tuple[str, ...]
    hashtags: tuple[str, ...]
    disclosure_phrases: tuple[str, ...]
    allowlist: tuple[str, ...]
    regions: tuple[str, ...]
    extra: dict[str, Any] = field(default_factory=dict)

    def on(self, rule_id: str) -> bool:
        return rule_id in self.rules
