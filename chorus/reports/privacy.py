"""Data rights for reports (see chorus.privacy.registry).

Anonymous submissions store no link to the reporter at all (only the hash of a key the
reporter holds), so they can be neither exported for nor erased with a person: nothing here
tries, and that is what keeps them anonymous.
"""

from __future__ import annotations

from typing import Any

ANONYMOUS_NOTE = (
    "Anonymous reports are stored without any link to whoever sent them, so they cannot be "
    "included here; the report key you were given is the only way back to one."
)
CASE_REASON = (
    "A case about reported conduct that is still open or led to an incident: kept for the "
    "establishment, exercise or defence of legal claims (GDPR Art. 17(3)(e)). It is erased or "
    "anonymized with the case under the organization's case retention."
)
EVIDENCE_REASON = (
    "Screenshots and descriptions are evidence in the case about the reported post; they stay "
    "with the case, no longer linked to this person as reporter."
)


def export_person_data(person: Any) -> list[Any]:
    from chorus.privacy.registry import Section
    from chorus.reports.models import Report, ReportEvent, Submission

    sections = []
    if person.user_id:
        submissions = (
            Submission.objects.filter(reporter_id=person.user_id, anonymous=False)
            .select_related("report")
            .prefetch_related("evidence")
            .order_by("created_at")
        )
        records = []
        for s in submissions:
            records.append(
                {
                    "report": s.report.reference,
                    "when": s.created_at,
                    "link": s.url,
                    "category": s.get_category_display(),
                    "what you wrote": s.description,
                    "post text you copied": s.post_text,
                    "case status": s.report.get_status_display(),
                    "screenshots (SHA-256)": ", ".join(e.sha256 for e in s.evidence.all()),
                }
            )
        sections.append(Section("Reports you sent", records, note=ANONYMOUS_NOTE))
        conversation = (
            ReportEvent.objects.filter(
                submission__reporter_id=person.user_id,
                submission__anonymous=False,
                kind__in=[ReportEvent.Kind.QUESTION, ReportEvent.Kind.ANSWER],
            )
            .select_related("report")
            .order_by("created_at")
        )
        sections.append(
            Section(
                "Questions and answers on your reports",
                [
                    {
                        "report": e.report.reference,
                        "when": e.created_at,
                        "kind": e.get_kind_display(),
                        "text": e.note,
                    }
                    for e in conversation
                ],
            )
        )
    about = Report.objects.filter(subject=person).order_by("created_at")
    sections.append(
        Section(
            "Reports that name you as the person concerned",
            [
                {
                    "report": r.reference,
                    "opened": r.created_at,
                    "category": r.get_category_display(),
                    "status": r.get_status_display(),
                    "link": r.url,
                }
                for r in about
            ],
            note="Who reported is not shown, to protect the reporters (GDPR Art. 15(4)).",
        )
    )
    return sections


def erase_person_data(person: Any) -> Any:
    from django.db.models import Q

    from chorus.privacy.registry import Erasure
    from chorus.reports.models import Report, ReportEvent, Submission

    outcome = Erasure()
    if person.user_id:
        mine = Submission.objects.filter(reporter_id=person.user_id, anonymous=False)
        count = mine.count()
        ReportEvent.objects.filter(submission__in=mine, actor_id=person.user_id).update(actor=None)
        mine.update(reporter=None)
        outcome.pseudonymize("reports sent (no longer linked to this person)", count)
        outcome.keep("descriptions and screenshots of reports sent", count, EVIDENCE_REASON)
    about = Report.objects.filter(subject=person)
    open_or_incident = about.filter(~Q(status=Report.Status.CLOSED) | ~Q(incident_ref=""))
    kept = open_or_incident.count()
    closed = about.exclude(pk__in=open_or_incident.values("pk"))
    count = closed.count()
    closed.update(subject=None)
    outcome.pseudonymize("closed reports naming this person (the link to them removed)", count)
    outcome.keep(
        "open reports, or reports that led to an incident, naming this person", kept, CASE_REASON
    )
    outcome.notes.append(ANONYMOUS_NOTE)
    return outcome
