"""Demo data: the balanced response matrix, one open incident for Emery Santos with evidence,
and two closed incidents with the same facts and different outcomes, so the consistency report
has something to show. Sam never acknowledged the policy (see the onboarding seed), so the
notice test caps his suggestion at a coaching conversation and HR follows it; Morgan did, and
HR departs from the matrix's written warning with a justification. Everything goes through
the services."""

from __future__ import annotations

import struct
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile

from chorus.incidents import services as S
from chorus.incidents.models import Incident

CHECKLIST_ALL_NO = dict.fromkeys(S.PROTECTED_CHECKLIST, "no")


def demo_png(width: int = 320, height: int = 120) -> bytes:
    """A small, valid PNG (a grey card with a dark band), so the demo has a real screenshot."""
    rows = []
    for y in range(height):
        shade = 60 if 40 <= y < 56 else 235
        rows.append(b"\x00" + bytes([shade, shade, shade + (10 if shade < 200 else 0)]) * width)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"".join(rows))) + chunk(b"IEND", b""))


def _through_gates(incident: Incident, *, hr, legal, subject_user, severity: str,
                   response: str) -> Incident:
    S.incident_establish_facts(incident=incident, actor=hr, subject=incident.subject,
                               authorship_confirmed=True, lawful_access_confirmed=True,
                               note="Public post on their own, named account. Screenshot taken.")
    S.incident_record_screen(incident=incident, actor=hr, answers=CHECKLIST_ALL_NO)
    S.incident_notify(incident=incident, actor=hr,
                      notice_text="A public post about a customer appears to breach the "
                                  "customer-respect rule. Please give your side.")
    S.incident_record_response(incident=incident, actor=subject_user, text=response)
    S.incident_assess(incident=incident, actor=hr, severity=severity, modifiers={})
    if any(g.key == "legal_review" for g in S.missing_gates(incident)):
        S.incident_review(incident=incident, actor=legal, kind="legal", verdict="approve",
                          note="About a customer, not about working conditions.")
    return incident


def seed(ctx) -> None:  # type: ignore[no-untyped-def]
    org, hr, legal = ctx.organization, ctx.users["hr"], ctx.users["legal"]
    S.matrix_install_preset(organization=org, actor=hr, preset="balanced")

    # Two closed cases with the same facts: one followed the matrix (capped at coaching: no
    # record that Sam received the policy), one departed from it.
    sam = S.incident_open_manual(
        organization=org, actor=hr, subject=ctx.people["employee2"],
        title="Mocked a customer's outage", category="customer_negative",
        rule_ids=["customer.negative"], network="bluesky",
        text="Lol Initech's ops team took their whole line down again. Amateurs.",
        url="https://bsky.example/profile/sam/post/1")
    _through_gates(sam, hr=hr, legal=legal, subject_user=ctx.users["employee2"],
                   severity="medium", response="It was a joke, but I see how it reads.")
    S.incident_decide(incident=sam, actor=hr, outcome=sam.suggested_response)
    S.incident_close(incident=sam, actor=hr, note="Talked it through in a meeting; Sam was "
                                                  "sent the policy to acknowledge.")

    morgan = S.incident_open_manual(
        organization=org, actor=hr, subject=ctx.people["manager"],
        title="Joked about a customer's invoice dispute", category="customer_negative",
        rule_ids=["customer.negative"], network="mastodon",
        text="Globex wants a discount for their own typo. Peak customer energy.",
        url="https://social.example/@morgan/2")
    _through_gates(morgan, hr=hr, legal=legal, subject_user=ctx.users["manager"],
                   severity="medium", response="Deleted within ten minutes; I apologised.")
    S.incident_decide(incident=morgan, actor=hr, outcome="reminder",
                      justification="Deleted within ten minutes and apologised to the customer "
                                    "before we asked.")
    S.incident_close(incident=morgan, actor=hr, note="Reminder sent in writing.")

    # One open case for Emery Santos, with a screenshot, waiting for their response.
    emery = S.incident_open_manual(
        organization=org, actor=hr, subject=ctx.people["employee"],
        title="Shared a customer's internal roadmap slide", category="confidential",
        rule_ids=["confidential.information"], network="linkedin",
        text="Sneak peek of what Acme Logistics is building with us next year 👀",
        url="https://linkedin.example/posts/emery-santos-1",
        summary="Reported by a colleague; the slide is marked customer-confidential.")
    S.evidence_add(incident=emery, actor=hr,
                   screenshot=SimpleUploadedFile("linkedin-post.png", demo_png(),
                                                 content_type="image/png"),
                   note="Captured from the public post on 2026-01-12.")
    S.incident_establish_facts(incident=emery, actor=hr, subject=ctx.people["employee"],
                               authorship_confirmed=True, lawful_access_confirmed=True,
                               note="Public post on Emery's named LinkedIn account.")
    S.incident_notify(incident=emery, actor=hr,
                      notice_text="Your LinkedIn post of 12 January shows a slide marked "
                                  "customer-confidential (rule: confidential information). "
                                  "Please give your side before we decide anything.")
