"""The consent text an employee reads before linking an account.

It says what is read, why, who sees what, how long it is kept and how to withdraw. The exact
text shown is stored with its version and SHA-256 in `ConsentRecord`; change `CONSENT_VERSION`
whenever the wording changes so each record says which wording the person agreed to.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

CONSENT_VERSION = "2026-12.1"

#: network -> (what is read, the kind of account, what is included or never read).
NETWORK_SCOPE = {
    "mastodon": ("the public posts", "Mastodon account",
                 "including edits and deletions; never followers-only posts, direct messages, "
                 "likes or who I follow"),
    "bluesky": ("the public posts", "Bluesky account",
                "including edits and deletions, read from Bluesky's public feed and live "
                "stream; never likes, follows or messages"),
    "rss": ("the entries", "feed", ""),
    "x_archive": ("the posts in the X archive files I upload myself", "X account",
                  "nothing else: Chorus never connects to my X account"),
    "linkedin_export": ("the posts (Shares.csv) in the LinkedIn export files I upload myself",
                        "LinkedIn account",
                        "nothing else: Chorus never connects to my LinkedIn account"),
}
ARCHIVES = ("x_archive", "linkedin_export")


def account_phrase(network: str, handle: str) -> str:
    """How the consent sentence names the account: "my Mastodon account @a@b" once a handle is
    entered, "the Mastodon account I enter above" before. The link page's script builds the
    same two forms from `account_phrase_templates`, so what is shown live is what is recorded.
    """
    with_handle, without = account_phrase_templates(network)
    handle = " ".join(handle.split())
    return with_handle.replace("{handle}", handle) if handle else without


def account_phrase_templates(network: str) -> tuple[str, str]:
    kind = NETWORK_SCOPE[network][1]
    return f"my {kind} {{handle}}", f"the {kind} I enter above"


EU_NOTES = [
    "Linking is voluntary. Not linking, or withdrawing later, has no consequence for your "
    "job, your reviews or your pay.",
    "Public availability of a post does not by itself make reading it lawful: this "
    "processing is limited to the accounts you link, for the purpose above, and is covered by "
    "a data protection impact assessment{dpia}.",
    "Your works council or employee representatives were informed{works_council}.",
    "No decision about you is made automatically: a finding only tells you first; anything "
    "beyond coaching is reviewed by a person, and you can always respond.",
    "You can ask for a copy of what is stored about you, and for its correction or deletion.",
]


def consent_text(
    *, organization: Any, network: str, handle: str, retention_days: int,
    read_from: datetime | None,
    dpia_reference: str = "", works_council_reference: str = "",
) -> str:
    """The full consent text for one account, as shown and as recorded."""
    what, _kind, extra = NETWORK_SCOPE[network]
    if network not in ARCHIVES:
        since = "that are published after I prove that the account is mine"
    elif read_from is None:
        since = "that were published on or after the start date I choose"
    else:
        since = f"that were published on or after {read_from:%Y-%m-%d}"
    linking = ("for " if network in ARCHIVES else "of ") + account_phrase(network, handle)
    first = f"I agree that {organization.name} reads {what} {linking} {since}"
    lines = [
        first + (f", {extra}." if extra else "."),
        "",
    ]
    if network not in ARCHIVES:
        lines += [
            "Nothing is read until I prove that the account is mine, by placing a one-time "
            "code Chorus gives me in its profile or in a public post.",
            "",
        ]
    lines += [
        "Why: each post is checked against the published social-media policy so that problems "
        "are caught early and I am told first, privately, with a suggestion to edit or delete "
        "the post. Only a critical finding, or findings repeated after coaching, are passed to "
        "the HR report queue for a person to review.",
        "",
        "Who sees what: I see my posts' results. HR and administrators see whether the account "
        "is connected and working, never the content of my posts unless a finding reaches the "
        "report queue. Managers never see post content.",
        "",
        "My rights at work are respected: posts about pay, hours, working conditions, "
        "organizing or reports to authorities never create an alert.",
        "",
        f"How long: a post is kept {retention_days} days, then deleted. If I withdraw consent, "
        f"reading stops at once and everything stored from this account is deleted after "
        f"{retention_days} days.",
        "",
        "I can withdraw this consent at any time on the Linked accounts page.",
    ]
    if organization.in_eu:
        dpia = f" (reference: {dpia_reference})" if dpia_reference else ""
        council = f" (agreement: {works_council_reference})" if works_council_reference else ""
        lines += ["", "For employees in the EU:"]
        lines += [
            "- " + note.format(dpia=dpia, works_council=council) for note in EU_NOTES
        ]
    return "\n".join(lines)


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
