"""Chorus screening engine: checks draft posts against an organization's policy.

Pure Python over frozen dataclasses; never imports Django. Public API::

    from chorus.screening import Post, Screener, screener_for, parse_policy_yaml

    screener = screener_for(parse_policy_yaml(text))
    result = screener.check(Post(id="p-1", text="..."))
    result.to_dict()  # the object fixed by shared/contracts/screening.md
"""

from chorus.screening.engine import (
    MAX_TEXT_CHARS,
    Finding,
    InputTooLarge,
    Post,
    Result,
    Screener,
    screener_for,
)
from chorus.screening.policy import (
    Policy,
    PolicyError,
    dump_policy_yaml,
    load_policy_file,
    parse_policy_yaml,
)

__all__ = [
    "MAX_TEXT_CHARS",
    "Finding",
    "InputTooLarge",
    "Policy",
    "PolicyError",
    "Post",
    "Result",
    "Screener",
    "dump_policy_yaml",
    "load_policy_file",
    "parse_policy_yaml",
    "screener_for",
]
