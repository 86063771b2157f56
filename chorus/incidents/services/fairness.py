"""Response fairness: warnings that are not strikes, and appeals decided by someone who took
no part in the case.

- A coaching note or informal warning is recorded apart from incidents' decisions, so it is
  never counted as history by the matrix, and it lapses on its expiry day.
- After a decision the employee may appeal within the matrix's `appeal_days`. HR names a
  reviewer who took no part (not the owner, the decision-maker, a reviewer of the case, nor
  anyone who acted on its timeline); only that reviewer decides: upheld, varied (a different
  sanction) or overturned (no sanction). The original decision is never rewritten; the
  appeal says what applies, and the matrix's history follows it.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from chorus.common.errors import Conflict, InvalidInput, PermissionDenied
from chorus.incidents.models import (
    Appeal,
    Incident,
    IncidentEvent,
    InformalAction,
    Outcome,
)
from chorus.incidents.services.base import _audit, _event, _require_role
from chorus.people.models import Organization, Person, User
from chorus.people.roles import Role

INFORMAL_DEFAULT_DAYS = {InformalAction.Kind.COACHING_NOTE: 90,
                         InformalAction.Kind.INFORMAL_WARNING: 180}


@transaction.atomic
def informal_action_give(*, organization: Organization, actor: User, subject: Person,
                         kind: str, note: str, expires_in_days: int | None = None,
                         incident: Incident | None = None) -> InformalAction:
    """Record a coaching note or an informal warning (HR). It is not discipline: it does not
    count as history in the matrix and it expires (1 to 365 days; 90 or 180 by default)."""
    _require_role(actor, Role.HR, doing="give coaching notes or informal warnings")
    if subject.organization_id != organization.pk or actor.organization_id != organization.pk:
        raise InvalidInput("That person is not in your organization.", field="subject")
    if kind not in InformalAction.Kind.values:
        raise InvalidInput("Choose a coaching note or an informal warning.", field="kind")
    note = (note or "").strip()
    if len(note) < 10:
        raise InvalidInput("Write what was discussed and what is expected (at least 10 "
                           "characters); the employee can read it.", field="note")
    if len(note) > 5000:
        raise InvalidInput("Keep the note under 5,000 characters.", field="note")
    days = expires_in_days if expires_in_days is not None else INFORMAL_DEFAULT_DAYS[
        InformalAction.Kind(kind)]
    if not 1 <= int(days) <= 365:
        raise InvalidInput("It expires after 1 to 365 days.", field="expires_in_days")
    if incident is not None and (incident.organization_id != organization.pk
                                 or incident.subject_id != subject.pk):
        raise InvalidInput("That incident is about someone else.", field="incident")
    action = InformalAction.objects.create(
        organization=organization, subject=subject, incident=incident, kind=kind, note=note,
        given_by=actor, expires_on=timezone.localdate() + timedelta(days=int(days)))
    if incident is not None:
        _event(incident, actor, IncidentEvent.Kind.INFORMAL,
               f"{action.get_kind_display()} given (expires {action.expires_on:%d %b %Y}); "
               "not counted as history", note=note)
    from chorus.audit.services import audit_record

    audit_record(organization=organization, actor=actor, action="incident.informal_given",
                 target=action, data={"kind": kind, "subject": subject.pk,
                                      "expires_on": action.expires_on.isoformat(),
                                      "incident": incident.pk if incident else None})
    return action


def informal_actions_active(*, subject: Person, today: date | None = None) -> list[InformalAction]:
    today = today or timezone.localdate()
    return list(InformalAction.objects.filter(subject=subject, expires_on__gte=today))


def appeal_deadline(incident: Incident) -> datetime | None:
    if incident.decided_at is None:
        return None
    days = incident.matrix.appeal_days if incident.matrix else 10
    return incident.decided_at + timedelta(days=days)


def appeal_can_file(incident: Incident, now: datetime | None = None) -> tuple[bool, str]:
    """(may the employee appeal now, why not)."""
    now = now or timezone.now()
    if incident.decided_at is None or not incident.outcome:
        return False, "There is no decision to appeal yet."
    if incident.outcome == Outcome.NO_ACTION:
        return False, "The decision was no action: there is nothing to appeal."
    if incident.appeals.exists():
        return False, "An appeal was already filed."
    deadline = appeal_deadline(incident)
    assert deadline is not None
    if now > deadline:
        return False, (f"The appeal window closed on {timezone.localtime(deadline):%d %b %Y} "
                       f"({incident.matrix.appeal_days if incident.matrix else 10} days after "
                       "the decision).")
    return True, ""


@transaction.atomic
def appeal_file(*, incident: Incident, actor: User, grounds: str) -> Appeal:
    """The employee the decision concerns appeals it, with their grounds."""
    if incident.subject is None or incident.subject.user_id != actor.pk:
        raise PermissionDenied("Only the employee the decision concerns can appeal it.")
    ok, why = appeal_can_file(incident)
    if not ok:
        raise Conflict(why)
    grounds = (grounds or "").strip()
    if len(grounds) < 20:
        raise InvalidInput("Say why you appeal (at least 20 characters): what is wrong with the "
                           "facts, the process or the sanction.", field="grounds")
    if len(grounds) > 10_000:
        raise InvalidInput("Keep the grounds under 10,000 characters.", field="grounds")
    try:
        with transaction.atomic():
            appeal = Appeal.objects.create(
                organization_id=incident.organization_id, incident=incident, appellant=actor,
                grounds=grounds, original_outcome=incident.outcome,
                original_decided_by=incident.decided_by)
    except IntegrityError:
        raise Conflict("An appeal was already filed.") from None
    _event(incident, actor, IncidentEvent.Kind.APPEALED, "The employee appealed the decision",
           note=grounds)
    _audit(incident, actor, "incident.appealed", appeal=appeal.pk)
    _notify_hr(incident, f"{incident.reference}: the employee appealed; name a reviewer",
               f"incident:{incident.pk}:appeal")
    return appeal


def took_part(incident: Incident, user: User) -> bool:
    """True if the user had any part in the case (so cannot review the appeal)."""
    if user.pk in {incident.owner_id, incident.decided_by_id, incident.facts_established_by_id,
                   incident.screen_reviewed_by_id}:
        return True
    if incident.subject is not None and incident.subject.user_id == user.pk:
        return True
    if incident.reviews.filter(reviewer=user).exists():
        return True
    return incident.events.filter(actor=user).exclude(
        kind__in=[IncidentEvent.Kind.APPEALED, IncidentEvent.Kind.APPEAL_ASSIGNED]).exists()


@transaction.atomic
def appeal_assign(*, appeal: Appeal, actor: User, reviewer: User) -> Appeal:
    """HR names the appeal's reviewer: HR or legal, of the organization, who took no part."""
    _require_role(actor, Role.HR, doing="name appeal reviewers")
    appeal = Appeal.objects.select_for_update().get(pk=appeal.pk)
    if not appeal.is_open:
        raise Conflict("This appeal is already decided.")
    if reviewer.organization_id != appeal.organization_id or not reviewer.is_active:
        raise InvalidInput("Choose someone of your organization.", field="reviewer")
    if not (reviewer.has_role(Role.HR) or reviewer.has_role(Role.LEGAL)):
        raise InvalidInput("The reviewer must have the HR or legal role.", field="reviewer")
    if took_part(appeal.incident, reviewer):
        raise InvalidInput(f"{reviewer} took part in this case; the reviewer must be someone "
                           "who did not.", field="reviewer")
    appeal.reviewer, appeal.assigned_by, appeal.status = reviewer, actor, Appeal.Status.IN_REVIEW
    appeal.save(update_fields=["reviewer", "assigned_by", "status", "updated_at"])
    _event(appeal.incident, actor, IncidentEvent.Kind.APPEAL_ASSIGNED,
           f"Appeal reviewer: {reviewer}")
    _audit(appeal.incident, actor, "incident.appeal_assigned", appeal=appeal.pk,
           reviewer=reviewer.pk)
    from chorus.notifications.services import notify

    incident = appeal.incident
    transaction.on_commit(lambda: notify(
        kind="incidents.appeal_review", recipients=[reviewer],
        organization=incident.organization,
        title=f"You review the appeal of {incident.reference}",
        link=f"/incidents/appeals/{appeal.pk}/", dedupe_key=f"appeal:{appeal.pk}:assigned"))
    return appeal


@transaction.atomic
def appeal_decide(*, appeal: Appeal, actor: User, result: str, reasons: str,
                  new_outcome: str = "") -> Appeal:
    """The named reviewer decides: upheld, varied (with the new sanction) or overturned."""
    appeal = Appeal.objects.select_for_update().get(pk=appeal.pk)
    if appeal.reviewer_id != actor.pk:
        raise PermissionDenied("Only the reviewer named for this appeal can decide it.")
    if appeal.status != Appeal.Status.IN_REVIEW:
        raise Conflict("This appeal is not waiting for a decision.")
    if result not in (Appeal.Status.UPHELD, Appeal.Status.VARIED, Appeal.Status.OVERTURNED):
        raise InvalidInput("Choose upheld, varied or overturned.", field="result")
    reasons = (reasons or "").strip()
    if len(reasons) < 20:
        raise InvalidInput("Write the reasons (at least 20 characters); the employee reads "
                           "them.", field="reasons")
    if result == Appeal.Status.VARIED:
        if new_outcome not in Outcome.values or new_outcome in (Outcome.NO_ACTION,
                                                                appeal.original_outcome):
            raise InvalidInput("Choose the sanction that now applies (different from the "
                               "original; to remove it, overturn).", field="new_outcome")
    else:
        new_outcome = ""
    appeal.status, appeal.reasons, appeal.new_outcome = result, reasons, new_outcome
    appeal.decided_at = timezone.now()
    appeal.save(update_fields=["status", "reasons", "new_outcome", "decided_at", "updated_at"])
    label = Appeal.Status(result).label
    _event(appeal.incident, actor, IncidentEvent.Kind.APPEAL_DECIDED, f"Appeal: {label}"
           + (f" ({Outcome(new_outcome).label})" if new_outcome else ""), note=reasons)
    _audit(appeal.incident, actor, "incident.appeal_decided", appeal=appeal.pk, result=result,
           original=appeal.original_outcome, new_outcome=new_outcome)
    incident = appeal.incident
    if incident.subject and incident.subject.user:
        from chorus.notifications.services import notify

        employee = incident.subject.user
        transaction.on_commit(lambda: notify(
            kind="incidents.appeal_decided", recipients=[employee],
            organization=incident.organization, title="Your appeal was decided",
            link=f"/incidents/{incident.pk}/appeal/", dedupe_key=f"appeal:{appeal.pk}:decided"))
    return appeal


def _notify_hr(incident: Incident, title: str, dedupe: str) -> None:
    from chorus.notifications.services import notify

    hr = list(User.objects.filter(organization_id=incident.organization_id, is_active=True,
                                  groups__name=Role.HR).distinct())
    transaction.on_commit(lambda: notify(
        kind="incidents.appeal_filed", recipients=hr, organization=incident.organization,
        title=title, link=f"/incidents/{incident.pk}/appeal/", dedupe_key=dedupe))
