"""Intake forms built by an admin (versioned), and filing a concern with one."""

from __future__ import annotations

import re
from datetime import date, timedelta
from functools import partial
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from chorus.audit.services import audit_record
from chorus.common.errors import InvalidInput, PermissionDenied
from chorus.people.models import Organization, Person, User
from chorus.speakup.files import CleanFile, clean_uploads
from chorus.speakup.models import (
    JURISDICTIONS,
    Attachment,
    Concern,
    IntakeForm,
    IntakeFormVersion,
    Message,
)
from chorus.speakup.services.base import (
    ANONYMOUS,
    clean_text,
    clocks_for,
    generate_key,
    handlers_of,
    key_hash,
    notify_staff,
    record,
)

QUESTION_TYPES = ("text", "textarea", "choice", "yesno", "date")
KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


def validate_questions(questions: Any) -> list[dict[str, Any]]:
    """Check a form's questions; return them normalized. Errors name the question."""
    if not isinstance(questions, list) or not questions:
        raise InvalidInput("Add at least one question.", field="questions")
    if len(questions) > 40:
        raise InvalidInput("A form holds at most 40 questions.", field="questions")
    seen: set[str] = set()
    out: list[dict[str, Any]] = []
    for n, q in enumerate(questions, 1):
        if not isinstance(q, dict):
            raise InvalidInput(f"Question {n} is not a question object.", field="questions")
        key = str(q.get("key", "")).strip()
        label = str(q.get("label", "")).strip()
        qtype = str(q.get("type", "text"))
        if not KEY_RE.match(key):
            raise InvalidInput(f"Question {n}: the key must be lower-case letters, digits and _ "
                               "(e.g. when_it_happened).", field="questions")
        if key in seen or key in ("description", "people_named"):
            raise InvalidInput(f"Question {n}: the key “{key}” is used twice or reserved.",
                               field="questions")
        if not label or len(label) > 300:
            raise InvalidInput(f"Question {n}: write the question (up to 300 characters).",
                               field="questions")
        if qtype not in QUESTION_TYPES:
            raise InvalidInput(f"Question {n}: the type must be one of "
                               f"{', '.join(QUESTION_TYPES)}.", field="questions")
        choices = [str(c).strip() for c in q.get("choices") or [] if str(c).strip()]
        if qtype == "choice" and len(choices) < 2:
            raise InvalidInput(f"Question {n}: a choice question needs at least two choices.",
                               field="questions")
        show_if = q.get("show_if") or None
        if show_if is not None:
            if (not isinstance(show_if, dict) or show_if.get("key") not in seen
                    or "equals" not in show_if):
                raise InvalidInput(f"Question {n}: a follow-up must name an earlier question "
                                   "and the answer that shows it.", field="questions")
            show_if = {"key": show_if["key"], "equals": str(show_if["equals"])}
        seen.add(key)
        out.append({"key": key, "label": label, "type": qtype,
                    "required": bool(q.get("required")), "choices": choices,
                    "help": str(q.get("help", ""))[:300], "show_if": show_if})
    return out


@transaction.atomic
def intake_form_save(*, organization: Organization, actor: User, key: str, label: str,
                     questions: Any, description: str = "") -> IntakeFormVersion:
    """Create a category's form or publish a new version of it (old versions stay)."""
    if not actor.has_role("admin") or actor.organization_id != organization.pk:
        raise PermissionDenied("Only an administrator can build intake forms.")
    key = (key or "").strip().lower()
    if not re.match(r"^[a-z0-9][a-z0-9-]{0,39}$", key):
        raise InvalidInput("The category key is lower-case letters, digits and hyphens "
                           "(e.g. fraud).", field="key")
    label = clean_text(label, field="label", label="the category's name", required=True,
                       limit=120)
    questions = validate_questions(questions)
    form, _ = IntakeForm.objects.get_or_create(organization=organization, key=key,
                                               defaults={"label": label})
    form.label, form.description, form.active = label, description.strip()[:300], True
    form.save(update_fields=["label", "description", "active", "updated_at"])
    current = form.current
    if current is not None and current.questions == questions:
        return current
    version = IntakeFormVersion.objects.create(
        organization=organization, form=form, number=(current.number + 1) if current else 1,
        questions=questions, published_by=actor)
    audit_record(organization=organization, actor=actor, action="speakup.form_published",
                 target=form, data={"version": version.number, "questions": len(questions)})
    return version


DEFAULT_QUESTIONS = [
    {"key": "when", "label": "When did it happen?", "type": "text", "required": False},
    {"key": "ongoing", "label": "Is it still going on?", "type": "yesno", "required": True},
    {"key": "evidence_where", "label": "Where can evidence be found?", "type": "textarea",
     "required": False, "show_if": {"key": "ongoing", "equals": "yes"}},
]


def ensure_default_form(organization: Organization) -> IntakeForm:
    """A general category so the channel works before an admin builds forms."""
    form = IntakeForm.objects.filter(organization=organization).order_by("pk").first()
    if form is not None:
        return form
    form = IntakeForm.objects.create(organization=organization, key="general",
                                     label="General concern")
    IntakeFormVersion.objects.create(organization=organization, form=form, number=1,
                                     questions=validate_questions(DEFAULT_QUESTIONS))
    return form


def visible_questions(questions: list[dict[str, Any]], answers: dict[str, str]) -> list[dict]:
    """The questions shown for these answers (conditional follow-ups included when met)."""
    shown = []
    for q in questions:
        cond = q.get("show_if")
        if cond and str(answers.get(cond["key"], "")) != cond["equals"]:
            continue
        shown.append(q)
    return shown


def clean_answers(questions: list[dict[str, Any]], raw: dict[str, Any]) -> dict[str, str]:
    """Validate answers against a version's questions. Raises InvalidInput naming the first
    wrong question (field `q_<key>`); the caller re-shows the form with every answer kept."""
    answers = {q["key"]: str(raw.get(q["key"], "") or "").strip() for q in questions}
    result: dict[str, str] = {}
    for q in visible_questions(questions, answers):
        value = answers[q["key"]]
        field = f"q_{q['key']}"
        if not value:
            if q["required"]:
                raise InvalidInput(f"Answer “{q['label']}” (required).", field=field)
            continue
        if len(value) > 5000:
            raise InvalidInput(f"Keep the answer to “{q['label']}” under 5,000 characters.",
                               field=field)
        if q["type"] == "choice" and value not in q["choices"]:
            raise InvalidInput(f"Choose one of the answers listed for “{q['label']}”.",
                               field=field)
        if q["type"] == "yesno" and value not in ("yes", "no"):
            raise InvalidInput(f"Answer “{q['label']}” with yes or no.", field=field)
        if q["type"] == "date":
            try:
                day = date.fromisoformat(value)
            except ValueError:
                raise InvalidInput(f"“{q['label']}”: give a date like 2026-12-01.",
                                   field=field) from None
            if day > timezone.localdate() + timedelta(days=1):
                raise InvalidInput(f"“{q['label']}”: the date is in the future.", field=field)
        result[q["key"]] = value
    return result


def _named_users(organization: Organization, text: str) -> list[User]:
    """Users behind the people a reporter names (by full name or e-mail, one per line or
    comma), so they are excluded from handling the concern."""
    names = [n.strip() for n in re.split(r"[\n,;]", text or "") if n.strip()]
    if not names:
        return []
    match = Q()
    for name in names[:50]:
        match |= Q(full_name__iexact=name) | Q(email__iexact=name)
    people = Person.objects.filter(organization=organization, user__isnull=False).filter(match)
    return [p.user for p in people.select_related("user") if p.user]


def store_files(*, message: Message, files: list[CleanFile]) -> list[Attachment]:
    stored = []
    for f in files:
        att = Attachment(organization_id=message.organization_id, message=message, mime=f.mime,
                         size=len(f.data), sha256=f.sha256, stripped=f.stripped)
        att.file.save("attachment", ContentFile(f.data), save=False)
        att.save()
        stored.append(att)
    return stored


def assign_handler(concern: Concern) -> User | None:
    excluded = set(concern.excluded_users.values_list("pk", flat=True))
    for user in handlers_of(concern.organization):
        if user.pk not in excluded:
            return user
    return None


@transaction.atomic
def concern_submit(
    *, organization: Organization, form: IntakeForm, description: str,
    answers: dict[str, Any], people_named: str = "", jurisdiction: str = "",
    contact_email: str = "", identity: str = "", files: list[UploadedFile] | None = None,
    form_version_id: int | None = None,
) -> tuple[Concern, str]:
    """File a concern; return it and the report key (shown once, only its hash is kept).

    Validates everything (answers, texts, every file) before writing. Nothing identifies the
    reporter unless they wrote their identity, which stays sealed for the custodian.
    """
    if form.organization_id != organization.pk or not form.active:
        raise InvalidInput("Choose a category from the list.", field="category")
    version = form.current
    if form_version_id and version and form_version_id != version.pk:
        version = form.versions.filter(pk=form_version_id).first() or version
    if version is None:
        raise InvalidInput("This category has no questions yet; choose another.",
                           field="category")
    cleaned = clean_answers(version.questions, answers)
    description = clean_text(description, field="description",
                             label="what happened: what you saw or know and why it concerns you",
                             required=True)
    people_named = clean_text(people_named, field="people_named", label="the people involved",
                              required=False, limit=2000)
    identity = clean_text(identity, field="identity", label="your name and how to reach you",
                          required=False, limit=500)
    contact_email = (contact_email or "").strip()
    if contact_email:
        from django.core.exceptions import ValidationError
        from django.core.validators import validate_email

        try:
            validate_email(contact_email)
        except ValidationError:
            raise InvalidInput("That contact address is not a valid e-mail address. Correct it "
                               "or leave it empty.", field="contact_email") from None
    jurisdiction = jurisdiction or "EU"
    if jurisdiction not in JURISDICTIONS:
        raise InvalidInput("Choose where you work from the list.", field="jurisdiction")
    clean = clean_uploads(list(files or []))

    key = generate_key()
    ack_days, feedback_days, remind_ack, remind_feedback = clocks_for(organization, jurisdiction)
    now = timezone.now()
    concern = Concern(
        organization=organization, form_version=version, category=form.key,
        category_label=form.label, description=description, answers=cleaned,
        people_named=people_named, jurisdiction=jurisdiction, key_hash=key_hash(key),
        contact_email=contact_email, identity=identity, received_at=now,
        ack_due_at=now + timedelta(days=ack_days), remind_ack_days=remind_ack,
        remind_feedback_days=remind_feedback,
    )
    concern.feedback_due_at = concern.ack_due_at + timedelta(days=feedback_days)
    concern.save()
    named = _named_users(organization, people_named)
    if named:
        concern.excluded_users.add(*named)
    concern.handler = assign_handler(concern)
    concern.save(update_fields=["handler", "updated_at"])
    if clean:
        message = Message.objects.create(organization=organization, concern=concern,
                                         author_kind=Message.Author.REPORTER,
                                         body="Files sent with the report.")
        store_files(message=message, files=clean)
    record(concern=concern, actor=None, kind="received", action="speakup.received",
           note="Report received." + (f" {len(named)} named person(s) excluded from handling."
                                      if named else ""),
           data={"category": form.key, "form_version": version.number,
                 "jurisdiction": jurisdiction, "files": len(clean),
                 "identity_given": bool(identity), "excluded": len(named)},
           audit_actor=ANONYMOUS)
    recipients = [concern.handler] if concern.handler else list(handlers_of(organization))
    transaction.on_commit(partial(
        notify_staff, concern=concern, kind="speakup.received",
        title=f"New speak-up report {concern.reference}: acknowledge by "
              f"{timezone.localtime(concern.ack_due_at):%d %b %Y}",
        recipients=recipients, dedupe_key=f"speakup:{concern.pk}:received"))
    return concern, key
