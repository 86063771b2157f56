"""Working a concern: acknowledging (stops the 7-day clock), the conversation, feedback
(stops the 3-month clock), closing, conflicts of interest, identity disclosure, redaction,
and handing the case to incidents."""

from __future__ import annotations

from functools import partial
from typing import Any

from django.apps import apps
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from chorus.audit.services import audit_record
from chorus.common.errors import Conflict, InvalidInput, PermissionDenied
from chorus.people.models import Person, User
from chorus.speakup.files import clean_uploads
from chorus.speakup.models import (
    Concern,
    IdentityRequest,
    Message,
    Redaction,
)
from chorus.speakup.services.base import (
    ANONYMOUS,
    channel_settings,
    clean_text,
    clocks_for,
    feedback_due,
    handlers_of,
    mail_reporter_contact,
    notify_staff,
    record,
    require_handler,
)
from chorus.speakup.services.intake import assign_handler, store_files

REDACTED = "█ redacted"


def _lock(concern: Concern) -> Concern:
    return Concern.objects.select_for_update().get(pk=concern.pk)


def _tell_reporter(concern: Concern) -> None:
    """After commit: a neutral e-mail to the contact the reporter left, if any."""
    transaction.on_commit(partial(_mail_contact, concern.pk))


def _mail_contact(concern_id: int) -> None:
    concern = Concern.objects.filter(pk=concern_id).first()
    if concern and mail_reporter_contact(concern):
        Concern.objects.filter(pk=concern_id).update(contact_notified_at=timezone.now())


@transaction.atomic
def concern_acknowledge(*, concern: Concern, actor: User, message: str = "") -> Concern:
    """Acknowledge receipt (Art. 9(1)(b)): stops the 7-day clock and starts the 3-month one
    from now. The reporter reads the acknowledgment on their key page (and is told at their
    contact, if they left one)."""
    require_handler(actor, concern)
    concern = _lock(concern)
    if concern.acknowledged_at:
        raise Conflict(f"{concern.reference} was already acknowledged on "
                       f"{timezone.localtime(concern.acknowledged_at):%d %b %Y}.")
    text = clean_text(message, field="message", label="the acknowledgment", required=False) or (
        "We received your report and will look into it. We will give you feedback on what we "
        "do about it. You can add information or ask questions here at any time.")
    now = timezone.now()
    _, feedback_days, _, _ = clocks_for(concern.organization, concern.jurisdiction)
    concern.acknowledged_at, concern.status = now, Concern.Status.ACKNOWLEDGED
    concern.feedback_due_at = feedback_due(concern, feedback_days)
    if concern.handler_id is None:
        concern.handler = actor
    concern.save(update_fields=["acknowledged_at", "status", "feedback_due_at", "handler",
                                "updated_at"])
    Message.objects.create(organization_id=concern.organization_id, concern=concern,
                           author_kind=Message.Author.STAFF, author=actor, body=text)
    on_time = now <= concern.ack_due_at
    record(concern=concern, actor=actor, kind="acknowledged", action="speakup.acknowledged",
           note="Acknowledged " + ("on time." if on_time else "late."),
           data={"on_time": on_time})
    _tell_reporter(concern)
    return concern


@transaction.atomic
def concern_message_staff(*, concern: Concern, actor: User, body: str,
                          files: list[UploadedFile] | None = None) -> Message:
    """A handler writes to the reporter."""
    require_handler(actor, concern)
    concern = _lock(concern)
    if concern.is_closed:
        raise Conflict("This concern is closed; it takes no more messages.")
    body = clean_text(body, field="body", label="your message", required=True)
    clean = clean_uploads(list(files or []))
    message = Message.objects.create(organization_id=concern.organization_id, concern=concern,
                                     author_kind=Message.Author.STAFF, author=actor, body=body)
    store_files(message=message, files=clean)
    record(concern=concern, actor=actor, kind="message_sent", action="speakup.message_sent",
           data={"message": message.pk, "files": len(clean)})
    _tell_reporter(concern)
    return message


@transaction.atomic
def concern_message_reporter(*, concern: Concern, body: str,
                             files: list[UploadedFile] | None = None) -> Message:
    """The reporter (holding only the key) writes to the handlers. No identity is recorded."""
    concern = _lock(concern)
    if concern.is_closed:
        raise Conflict("This report is closed, so it takes no more messages. If something new "
                       "happened, send a new report.", field="body")
    body = clean_text(body, field="body", label="your message", required=not files)
    clean = clean_uploads(list(files or []))
    message = Message.objects.create(organization_id=concern.organization_id, concern=concern,
                                     author_kind=Message.Author.REPORTER,
                                     body=body or "Files added.")
    store_files(message=message, files=clean)
    record(concern=concern, actor=None, kind="message_received",
           action="speakup.message_received", data={"message": message.pk, "files": len(clean)},
           audit_actor=ANONYMOUS)
    recipients = [concern.handler] if concern.handler else list(handlers_of(concern.organization))
    transaction.on_commit(partial(
        notify_staff, concern=concern, kind="speakup.message",
        title=f"New message from the reporter of {concern.reference}", recipients=recipients,
        dedupe_key=f"speakup:message:{message.pk}"))
    return message


@transaction.atomic
def concern_set_contact(*, concern: Concern, contact_email: str) -> Concern:
    """The reporter sets, changes or removes the address told of updates."""
    contact_email = (contact_email or "").strip()
    if contact_email:
        from django.core.exceptions import ValidationError
        from django.core.validators import validate_email

        try:
            validate_email(contact_email)
        except ValidationError:
            raise InvalidInput("That is not a valid e-mail address. Correct it, or leave it "
                               "empty to be told nothing.", field="contact_email") from None
    concern.contact_email = contact_email
    concern.save(update_fields=["contact_email", "updated_at"])
    record(concern=concern, actor=None, kind="contact_changed", action="speakup.contact_changed",
           note="The reporter " + ("left a contact for updates." if contact_email
                                   else "removed their contact."),
           data={"contact": bool(contact_email)}, audit_actor=ANONYMOUS)
    return concern


@transaction.atomic
def concern_give_feedback(*, concern: Concern, actor: User, text: str) -> Concern:
    """Feedback to the reporter on the action taken (Art. 9(1)(f)); stops the 3-month clock."""
    require_handler(actor, concern)
    concern = _lock(concern)
    if concern.is_closed:
        raise Conflict("This concern is closed.")
    if not concern.acknowledged_at:
        raise Conflict("Acknowledge the report first (the 7-day clock).")
    text = clean_text(text, field="text", label="the feedback: what was done or is planned, "
                      "and why", required=True)
    now = timezone.now()
    first = concern.feedback_at is None
    concern.feedback_at = concern.feedback_at or now
    concern.feedback_text, concern.status = text, Concern.Status.FEEDBACK_GIVEN
    concern.save(update_fields=["feedback_at", "feedback_text", "status", "updated_at"])
    Message.objects.create(organization_id=concern.organization_id, concern=concern,
                           author_kind=Message.Author.STAFF, author=actor,
                           body=f"Feedback: {text}")
    on_time = now <= concern.feedback_due_at
    record(concern=concern, actor=actor, kind="feedback", action="speakup.feedback_given",
           note=("Feedback given " + ("on time." if on_time else "late.")) if first
           else "Feedback updated.", data={"on_time": on_time, "first": first})
    _tell_reporter(concern)
    return concern


@transaction.atomic
def concern_close(*, concern: Concern, actor: User, note: str) -> Concern:
    """Close the concern; its retention period starts now."""
    require_handler(actor, concern)
    concern = _lock(concern)
    if concern.is_closed:
        raise Conflict("This concern is already closed.")
    note = clean_text(note, field="note", label="why it is closed", required=True, limit=2000)
    concern.status, concern.closed_at = Concern.Status.CLOSED, timezone.now()
    concern.save(update_fields=["status", "closed_at", "updated_at"])
    record(concern=concern, actor=actor, kind="closed", action="speakup.closed", note=note)
    _tell_reporter(concern)
    return concern


@transaction.atomic
def concern_declare_conflict(*, concern: Concern, actor: User, note: str) -> Concern:
    """A handler declares a conflict of interest: they are excluded from the concern from now
    on, and it is handed to another handler if it was theirs."""
    require_handler(actor, concern)
    note = clean_text(note, field="note", label="the conflict (e.g. “I manage the person "
                      "named”)", required=True, limit=1000)
    concern.excluded_users.add(actor)
    fields = ["updated_at"]
    if concern.handler_id == actor.pk:
        concern.handler = assign_handler(concern)
        fields.append("handler")
    concern.save(update_fields=fields)
    record(concern=concern, actor=actor, kind="conflict", action="speakup.conflict_declared",
           note=note, data={"reassigned_to": concern.handler_id})
    if concern.handler:
        transaction.on_commit(partial(
            notify_staff, concern=concern, kind="speakup.assigned",
            title=f"{concern.reference} was handed to you (a handler declared a conflict)",
            recipients=[concern.handler], dedupe_key=f"speakup:{concern.pk}:conflict:{actor.pk}"))
    return concern


@transaction.atomic
def concern_exclude_person(*, concern: Concern, actor: User, person: Person) -> Concern:
    """A handler records that the concern names this person: they are excluded from it."""
    require_handler(actor, concern)
    if person.organization_id != concern.organization_id:
        raise InvalidInput("That person is not in your organization.", field="person")
    if person.user_id:
        concern.excluded_users.add(person.user_id)
        if concern.handler_id == person.user_id:
            concern.handler = assign_handler(concern)
            concern.save(update_fields=["handler", "updated_at"])
    record(concern=concern, actor=actor, kind="excluded", action="speakup.person_excluded",
           note=f"{person.full_name} is named and excluded from handling.",
           data={"person": person.pk})
    return concern


# Identity disclosure (Art. 16): only with the custodian's approval of a justified request.

@transaction.atomic
def identity_request(*, concern: Concern, actor: User, justification: str,
                     custodian: User) -> IdentityRequest:
    """A handler asks a named custodian to disclose the reporter's identity."""
    require_handler(actor, concern)
    if not concern.identity:
        raise Conflict("The reporter did not give their identity; there is nothing to disclose.")
    justification = clean_text(justification, field="justification",
                               label="why the investigation needs the identity (the legal "
                                     "obligation or necessity)", required=True, limit=3000)
    if len(justification) < 30:
        raise InvalidInput("Explain the necessity in at least 30 characters: which obligation "
                           "or step of the investigation needs the identity.",
                           field="justification")
    if not channel_settings(concern.organization).custodians.filter(pk=custodian.pk).exists():
        raise InvalidInput("Choose one of the channel's named custodians.", field="custodian")
    if custodian.pk == actor.pk:
        raise InvalidInput("A custodian cannot approve their own request; choose another.",
                           field="custodian")
    if concern.excluded_users.filter(pk=custodian.pk).exists():
        raise InvalidInput("This custodian is excluded from the concern; choose another.",
                           field="custodian")
    if concern.identity_requests.filter(status=IdentityRequest.Status.PENDING).exists():
        raise Conflict("A request is already waiting for the custodian.")
    req = IdentityRequest.objects.create(organization_id=concern.organization_id,
                                         concern=concern, requested_by=actor,
                                         custodian=custodian, justification=justification)
    record(concern=concern, actor=actor, kind="identity_requested",
           action="speakup.identity_requested", note=justification,
           data={"request": req.pk, "custodian": custodian.pk})
    transaction.on_commit(partial(
        notify_staff, concern=concern, kind="speakup.identity_request",
        title=f"Identity disclosure requested for {concern.reference}", recipients=[custodian],
        dedupe_key=f"speakup:identity:{req.pk}"))
    return req


@transaction.atomic
def identity_decide(*, request: IdentityRequest, actor: User, approve: bool, note: str,
                    tell_reporter: bool = True) -> IdentityRequest:
    """The custodian approves or refuses. Approval discloses the identity to the handlers;
    the reporter is told in their conversation (Art. 16(3)) unless `tell_reporter` is False
    because telling them would jeopardise the investigation, which needs a reason."""
    request = IdentityRequest.objects.select_for_update().get(pk=request.pk)
    if request.custodian_id != actor.pk:
        raise PermissionDenied("Only the custodian named on the request can decide it.")
    if request.status != IdentityRequest.Status.PENDING:
        raise Conflict("This request was already decided.")
    note = clean_text(note, field="note", label="the reason for your decision", required=True,
                      limit=2000)
    request.status = (IdentityRequest.Status.APPROVED if approve
                      else IdentityRequest.Status.REFUSED)
    request.decided_at, request.decision_note = timezone.now(), note
    request.reporter_told = bool(approve and tell_reporter)
    request.save(update_fields=["status", "decided_at", "decision_note", "reporter_told",
                                "updated_at"])
    concern = request.concern
    record(concern=concern, actor=actor,
           kind="identity_disclosed" if approve else "identity_refused",
           action="speakup.identity_disclosed" if approve else "speakup.identity_refused",
           note=note, data={"request": request.pk, "requested_by": request.requested_by_id,
                            "reporter_told": request.reporter_told})
    if request.reporter_told:
        Message.objects.create(
            organization_id=concern.organization_id, concern=concern,
            author_kind=Message.Author.STAFF, author=None,
            body="We are required to tell you: the identity you gave was disclosed to the "
                 f"people handling your report, because: {note}")
        _tell_reporter(concern)
    transaction.on_commit(partial(
        notify_staff, concern=concern, kind="speakup.identity_decided",
        title=f"Identity request for {concern.reference}: "
              f"{'approved' if approve else 'refused'}",
        recipients=[request.requested_by], dedupe_key=f"speakup:identity:{request.pk}:decided"))
    return request


def identity_visible_to(concern: Concern, user: User) -> bool:
    """True once a custodian approved a request on this concern and the user may handle it."""
    from chorus.speakup.services.base import can_handle

    return (bool(concern.identity) and can_handle(user, concern)
            and concern.identity_requests.filter(status=IdentityRequest.Status.APPROVED).exists())


@transaction.atomic
def identity_view_record(*, concern: Concern, actor: User) -> None:
    """Every time a handler opens a disclosed identity is audited."""
    audit_record(organization=concern.organization, actor=actor,
                 action="speakup.identity_viewed", target=concern, data={})


@transaction.atomic
def redact(*, concern: Concern, actor: User, where: str, text: str, reason: str,
           message: Message | None = None) -> Redaction:
    """Permanently remove `text` from the description, an answer or a message, keeping the
    reason, who and when. There is no undo: the text is not stored anywhere."""
    require_handler(actor, concern)
    reason = clean_text(reason, field="reason", label="why this is redacted", required=True,
                        limit=300)
    text = (text or "").strip()
    if not text:
        raise InvalidInput("Paste the exact words to redact.", field="text")
    concern = _lock(concern)
    if message is not None:
        if message.concern_id != concern.pk:
            raise InvalidInput("That message belongs to another concern.", field="message")
        source, label = message.body, f"message {message.pk}"
    elif where == "description":
        source, label = concern.description, "description"
    elif where.startswith("answer:") and where[7:] in concern.answers:
        source, label = concern.answers[where[7:]], where
    elif where == "people_named":
        source, label = concern.people_named, "people named"
    else:
        raise InvalidInput("Choose what to redact from.", field="where")
    if text not in source:
        raise InvalidInput("These words are not in that text (check the exact spelling).",
                           field="text")
    count = source.count(text)
    new = source.replace(text, REDACTED)
    if message is not None:
        message.body = new
        message.save(update_fields=["body", "updated_at"])
    elif where == "description":
        concern.description = new
    elif where == "people_named":
        concern.people_named = new
    else:
        concern.answers = {**concern.answers, where[7:]: new}
    concern.save(update_fields=["description", "answers", "people_named", "updated_at"])
    redaction = Redaction.objects.create(
        organization_id=concern.organization_id, concern=concern, message=message,
        where=label, removed_chars=len(text) * count, reason=reason, redacted_by=actor)
    record(concern=concern, actor=actor, kind="redacted", action="speakup.redacted",
           note=f"Redacted from {label}: {reason}",
           data={"where": label, "chars": len(text) * count})
    return redaction


def incidents_available() -> bool:
    return apps.is_installed("chorus.incidents")


@transaction.atomic
def concern_open_incident(*, concern: Concern, actor: User, subject: Person | None,
                          title: str = "") -> Any:
    """Hand the concern to the incident process about the person concerned. The incident gets
    the (redacted) description only: never the identity or the conversation."""
    require_handler(actor, concern)
    if not incidents_available():
        raise Conflict("The incidents module is not installed in this Chorus.")
    if concern.incident_ref:
        raise Conflict("An incident is already open for this concern "
                       f"(INC-{concern.incident_ref}).")
    if subject is not None and concern.excluded_users.filter(pk=actor.pk).exists():
        raise PermissionDenied("This concern names you.")
    from chorus.incidents.services import incident_open_from_speakup

    incident = incident_open_from_speakup(concern=concern, subject=subject, actor=actor,
                                          title=title)
    concern.incident_ref = str(incident.pk)
    concern.save(update_fields=["incident_ref", "updated_at"])
    record(concern=concern, actor=actor, kind="incident", action="speakup.incident_opened",
           note=f"Incident INC-{incident.pk} opened.", data={"incident": incident.pk})
    return incident
