"""Data rights for review requests (see chorus.privacy.registry). Checked texts are never
stored; only drafts the person explicitly sent for review are."""

from __future__ import annotations

from typing import Any


def export_person_data(person: Any) -> list[Any]:
    from chorus.checks.models import ReviewRequest
    from chorus.privacy.registry import Section

    if person.user_id is None:
        return []
    return [
        Section(
            "Drafts you asked to have reviewed",
            [
                {
                    "when": r.created_at,
                    "network": r.network,
                    "text": r.text,
                    "question": r.question,
                    "status": r.get_status_display(),
                    "answer": r.answer,
                    "answered": r.answered_at,
                }
                for r in ReviewRequest.objects.filter(author_id=person.user_id).order_by(
                    "created_at"
                )
            ],
            note="Texts checked on the 'check my post' page are never stored.",
        )
    ]


def erase_person_data(person: Any) -> Any:
    from chorus.checks.models import ReviewRequest
    from chorus.privacy.registry import Erasure

    outcome = Erasure()
    if person.user_id:
        deleted, _ = ReviewRequest.objects.filter(author_id=person.user_id).delete()
        outcome.erase("drafts sent for review", deleted)
    return outcome
