"""Property: any text given as a policy document gives a Policy or a PolicyError, never another
exception (RecursionError, MemoryError, TypeError...), and quickly (hypothesis deadline)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from chorus.screening.policy import Policy, PolicyError, parse_policy_yaml

# YAML structure over-represented: flow and block collections, anchors, aliases, merge keys,
# tags, the policy's own keys, odd scalars.
_PIECES = st.sampled_from(
    ["schema: 1\n", "title: T\n", "preset: balanced\n", "entities:\n", "  customers: ",
     "rules:\n", "  - id: conduct.profanity\n", "    severity: ", "organization:\n",
     "  name: ", "[", "]", "{", "}", ",", ": ", "- ", "\n", "  ", "&a ", "*a", "<<: *a\n",
     "!!python/object/apply:os.system ['x']", "!!binary AAAA", "? ", "|\n", ">\n", "'", '"',
     "~", "null", "1e999", "0x1F", "2026-13-45", "\t", "\ufeff", "\x00", "---\n", "...\n",
     "%YAML 1.1\n", "#", "yes", "Contoso"]
)  # fmt: skip
DOCUMENTS = st.one_of(
    st.text(max_size=200),
    st.lists(st.one_of(_PIECES, st.text(max_size=6)), max_size=60).map("".join),
    st.integers(min_value=1, max_value=3000).map(lambda n: "rules: " + "[" * n + "]" * n),
    st.integers(min_value=1, max_value=3000).map(lambda n: "- " * n + "x"),
)


@settings(max_examples=400, deadline=2000)
@given(text=DOCUMENTS)
def test_any_document_gives_a_policy_or_a_policy_error(text):
    try:
        result = parse_policy_yaml(text)
    except PolicyError as err:
        assert err.message
    else:
        assert isinstance(result, Policy)
