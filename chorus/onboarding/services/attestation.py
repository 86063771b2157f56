"""Knowledge checks, acknowledgments and the signed personal links that allow them without
an account."""

from __future__ import annotations

import datetime
import hashlib
import secrets
from collections.abc import Sequence

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from chorus.audit.services import audit_record
from chorus.common.errors import Conflict, InvalidInput
from chorus.onboarding.models import (
    Assignment,
    Attestation,
    AttestationLink,
    KnowledgeCheck,
    QuizQuestion,
)
from chorus.onboarding.services.base import _require_hr
from chorus.onboarding.services.texts import acknowledgment_statement, onboarding_settings_for
from chorus.people.models import User
from chorus.policy.models import PolicyVersion

LINK_SALT = "chorus.onboarding.attestation-link"


@transaction.atomic
def knowledge_check_add_question(*, version: PolicyVersion, actor: User, prompt: str,
                                 choices: Sequence[str], correct: int, explanation: str = ""
                                 ) -> QuizQuestion:
    """Add a multiple-choice question to a version's knowledge check (created on first use)."""
    _require_hr(actor, "edit knowledge checks")
    prompt = prompt.strip()
    choices = [c.strip() for c in choices if c and c.strip()]
    if not prompt:
        raise InvalidInput("Write the question.", field="prompt")
    if len(choices) < 2:
        raise InvalidInput("Give at least two answers to choose from.", field="choices")
    if len(set(c.lower() for c in choices)) != len(choices):
        raise InvalidInput("Two answers are the same; make each one different.",
                           field="choices")
    if not 0 <= correct < len(choices):
        raise InvalidInput("Mark which answer is right.", field="correct")
    check, _ = KnowledgeCheck.objects.get_or_create(
        version=version, defaults={"organization": version.organization})
    question = QuizQuestion.objects.create(
        knowledge_check=check, prompt=prompt[:300], choices=choices, correct=correct,
        explanation=explanation.strip()[:500], order=check.questions.count())
    audit_record(organization=check.organization, actor=actor,
                 action="onboarding.quiz_question_added", target=check,
                 data={"version": version.number})
    return question


@transaction.atomic
def knowledge_check_update(*, version: PolicyVersion, actor: User, pass_mark: int
                           ) -> KnowledgeCheck:
    _require_hr(actor, "edit knowledge checks")
    check = KnowledgeCheck.objects.filter(version=version).first()
    if check is None:
        raise InvalidInput("Add a question first.", field="pass_mark")
    total = check.questions.count()
    if not 1 <= pass_mark <= total:
        raise InvalidInput(f"The pass mark must be between 1 and {total} (the number of "
                           "questions).", field="pass_mark")
    check.pass_mark = pass_mark
    check.save(update_fields=["pass_mark", "updated_at"])
    return check


@transaction.atomic
def knowledge_check_remove_question(*, question: QuizQuestion, actor: User) -> None:
    _require_hr(actor, "edit knowledge checks")
    check = question.knowledge_check
    question.delete()
    check.pass_mark = max(1, min(check.pass_mark, check.questions.count()))
    check.save(update_fields=["pass_mark", "updated_at"])


def knowledge_check_grade(*, version: PolicyVersion, answers: dict[int, int]
                          ) -> tuple[int, int, list[int]]:
    """(correct, total, ids of wrongly answered questions). No check: (0, 0, [])."""
    check = KnowledgeCheck.objects.filter(version=version).first()
    if check is None:
        return 0, 0, []
    questions = list(check.questions.all())
    wrong = [q.pk for q in questions if answers.get(q.pk) != q.correct]
    return len(questions) - len(wrong), len(questions), wrong


class QuizNotPassed(InvalidInput):
    """The quiz was not passed (`wrong`) or not fully answered (`unanswered`)."""

    def __init__(self, message: str, *, wrong: list[int],
                 unanswered: list[int] | None = None) -> None:
        super().__init__(message, field="quiz")
        self.wrong = wrong
        self.unanswered = unanswered or []


@transaction.atomic
def assignment_mark_read(*, assignment: Assignment) -> Assignment:
    """Record, once, that the reader's page reached the end of the policy text. The
    attestation copies this time as evidence that the text was scrolled through."""
    assignment = Assignment.objects.select_for_update().get(pk=assignment.pk)
    if assignment.status != Assignment.Status.PENDING or assignment.read_to_end_at is not None:
        return assignment
    assignment.read_to_end_at = timezone.now()
    assignment.save(update_fields=["read_to_end_at", "updated_at"])
    return assignment


@transaction.atomic
def attestation_create(*, assignment: Assignment, channel: str, content_hash: str,
                       confirmed: bool, answers: dict[int, int] | None = None,
                       user: User | None = None, link: AttestationLink | None = None,
                       read_stated: bool = False) -> Attestation:
    """Record that the assigned person received and read the version. Idempotent: a second
    submission (double click, second tab, replayed link) returns the existing record and
    writes nothing. Refuses, writing nothing, when the reader has not reached the end of the
    text (recorded by the page, `assignment_mark_read`, or stated with `read_stated` where the
    page cannot tell), a quiz question is unanswered, the quiz is not passed, the statement is
    not confirmed, or the text changed since the page was shown (`content_hash`)."""
    assignment = (Assignment.objects.select_for_update().select_related(
        "person", "version", "version__policy", "campaign").get(pk=assignment.pk))
    existing = Attestation.objects.filter(person=assignment.person,
                                          version=assignment.version).first()
    if existing is not None:
        return existing
    if assignment.status != Assignment.Status.PENDING:
        raise Conflict("This request is closed; there is nothing left to acknowledge.")
    version = assignment.version
    if content_hash != version.content_hash:
        raise Conflict("The policy changed while you were reading it. Read the current version "
                       "below and confirm again.")
    if assignment.read_to_end_at is None and not read_stated:
        raise InvalidInput("Read the policy to the end first: the button unlocks when you "
                           "reach it (or tick that you read it to the end).", field="read")
    correct, total, wrong = knowledge_check_grade(version=version, answers=answers or {})
    if total:
        check = KnowledgeCheck.objects.get(version=version)
        unanswered = [q.pk for q in check.questions.all() if q.pk not in (answers or {})]
        if unanswered:
            raise QuizNotPassed(
                f"Answer all {total} questions: {len(unanswered)} "
                f"{'is' if len(unanswered) == 1 else 'are'} still open. Nothing was recorded.",
                wrong=[], unanswered=unanswered)
        if correct < check.pass_mark:
            raise QuizNotPassed(
                f"You answered {correct} of {total} questions correctly; {check.pass_mark} are "
                "needed. Reread the policy and try again: nothing was recorded.", wrong=wrong)
    if not confirmed:
        raise InvalidInput("Tick the box to confirm you received and read the policy.",
                           field="confirm")
    text = version.plain_text()
    now = timezone.now()
    try:
        with transaction.atomic():
            attestation = Attestation.objects.create(
                organization_id=assignment.organization_id, person=assignment.person,
                version=version, assignment=assignment, person_name=assignment.person.full_name,
                person_email=assignment.person.email, policy_title=str(version.policy)[:300],
                version_number=version.number, content_hash=version.content_hash,
                text_shown=text, text_sha256=hashlib.sha256(text.encode()).hexdigest(),
                statement=acknowledgment_statement(version), channel=channel,
                user_id_at_time=user.pk if user else None, language=settings.LANGUAGE_CODE,
                quiz_correct=correct if total else None, quiz_total=total or None,
                read_evidence="scrolled" if assignment.read_to_end_at else "stated",
                read_to_end_at=assignment.read_to_end_at, attested_at=now)
    except IntegrityError:
        # Another request won the race on the unique constraint: theirs is the record.
        return Attestation.objects.get(person=assignment.person, version=version)
    # Every pending request for this version is satisfied by one acknowledgment.
    Assignment.objects.filter(person=assignment.person, version=version,
                              status=Assignment.Status.PENDING).update(
        status=Assignment.Status.DONE, completed_at=now)
    if link is not None:
        AttestationLink.objects.filter(pk=link.pk).update(used_at=now)
    audit_record(organization=assignment.person.organization, actor=user,
                 action="onboarding.attested", target=attestation,
                 data={"version": version.number, "content_hash": version.content_hash,
                       "channel": channel, "campaign": assignment.campaign_id,
                       "read": attestation.read_evidence})
    from chorus.notifications.events import emit_event

    emit_event(organization=assignment.person.organization, type="attestation.completed", data={
        "attestation_id": attestation.pk, "person_id": assignment.person_id,
        "policy_version_id": version.pk, "version_number": version.number,
        "campaign_id": assignment.campaign_id, "channel": channel,
    })  # fmt: skip
    return attestation


class LinkProblem(Exception):
    """Why a link does not work: `kind` is tampered | expired | used | closed."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


@transaction.atomic
def attestation_link_create(*, assignment: Assignment, actor: User | None) -> str:
    """A new single-person link for an assignment; returns the token for `/a/<token>`."""
    if actor is not None:
        _require_hr(actor, "create attestation links")
    if assignment.status != Assignment.Status.PENDING:
        raise Conflict("This request is already closed; no link is needed.")
    valid_days = onboarding_settings_for(organization=assignment.person.organization
                                         ).link_valid_days
    link = AttestationLink.objects.create(
        organization_id=assignment.organization_id, assignment=assignment,
        nonce=secrets.token_urlsafe(12), valid_days=valid_days, created_by=actor)
    if actor is not None:
        audit_record(organization=assignment.person.organization, actor=actor,
                     action="onboarding.link_created", target=assignment.person,
                     data={"assignment": assignment.pk, "valid_days": valid_days})
    return signing.TimestampSigner(salt=LINK_SALT).sign(f"{link.pk}-{link.nonce}")


def attestation_link_resolve(token: str) -> AttestationLink:
    """The link for a token, or LinkProblem. Reads only; checks the signature, the age
    against the link's validity, single use and whether the request is still open."""
    signer = signing.TimestampSigner(salt=LINK_SALT)
    try:
        value = signer.unsign(token)
        pk, nonce = value.split("-", 1)
        link = (AttestationLink.objects.select_related(
            "assignment", "assignment__person", "assignment__version",
            "assignment__version__policy", "assignment__previous_version",
            "assignment__person__organization").filter(pk=int(pk), nonce=nonce).first())
    except (signing.BadSignature, ValueError):
        raise LinkProblem("tampered") from None
    if link is None:
        raise LinkProblem("tampered")
    try:
        signer.unsign(token, max_age=datetime.timedelta(days=link.valid_days))
    except signing.SignatureExpired:
        raise LinkProblem("expired") from None
    if link.used_at is not None or link.assignment.status == Assignment.Status.DONE:
        raise LinkProblem("used")
    if link.assignment.status != Assignment.Status.PENDING:
        raise LinkProblem("closed")
    return link


def attestation_url(token: str) -> str:
    return settings.SITE_URL + reverse("onboarding-public:attest", args=[token])
