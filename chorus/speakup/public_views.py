"""The reporter's side: filing with the organization's intake form and, holding only the
report key, reading progress and exchanging messages and files with the handlers.

No account and no cookie of ours identify the reporter. The key travels only in POST bodies
(never in a URL, the session or a log line). Wrong keys count against the same per-client
allowance as the reports key page (`chorus.reports.key_attempts`), so keys cannot be guessed
on either page.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect

from chorus.common.errors import DomainError
from chorus.common.forms import add_domain_error
from chorus.people.models import Organization
from chorus.reports.key_attempts import (
    WINDOW_SECONDS,
    key_attempt_failed,
    key_attempts_exhausted,
)
from chorus.speakup import selectors, services
from chorus.speakup.forms import ContactForm, IntakeForm, KeyForm, ReporterMessageForm
from chorus.speakup.models import Concern, Message


def _org(slug: str) -> Organization:
    org = Organization.objects.filter(slug=slug).first()
    if org is None:
        raise Http404("No such organization.")
    return org


@never_cache
def start(request: HttpRequest, org_slug: str) -> HttpResponse:
    org = _org(org_slug)
    services.ensure_default_form(org)
    return render(request, "speakup/public_start.html",
                  {"org": org, "forms": selectors.forms_for(organization=org)})


def receipt_text(request: HttpRequest, concern: Concern, key: str) -> str:
    """The printable / downloadable receipt: the key, where to use it and the legal dates,
    nothing about what was reported."""
    from django.urls import reverse

    url = request.build_absolute_uri(reverse("speakup_public:follow-up"))
    ack = timezone.localtime(concern.ack_due_at)
    fb = timezone.localtime(concern.feedback_due_at)
    return (
        f"Speak-up report receipt — {concern.organization.name}\n\n"
        f"Report key: {key}\n"
        f"Reference: {concern.reference}\n"
        f"Sent on: {timezone.localtime(concern.received_at):%d %b %Y}\n\n"
        f"Use the key at {url} to read answers, write to the team and add files.\n"
        f"You will get an acknowledgment by {ack:%d %b %Y} and feedback by {fb:%d %b %Y}.\n\n"
        "Keep this key private: anyone holding it can read the conversation. It cannot be "
        "recovered: we keep only a fingerprint of it.\n"
    )


@never_cache
@csrf_protect
def intake(request: HttpRequest, org_slug: str, form_key: str) -> HttpResponse:
    org = _org(org_slug)
    intake_form = selectors.forms_for(organization=org).filter(key=form_key).first()
    if intake_form is None or intake_form.current is None:
        raise Http404("No such category.")
    version = intake_form.current
    if request.method == "POST":
        form = IntakeForm(request.POST, request.FILES, questions=version.questions)
        if form.is_valid():
            try:
                concern, key = services.concern_submit(
                    organization=org, form=intake_form,
                    description=form.cleaned_data["description"],
                    answers=form.answers(), people_named=form.cleaned_data["people_named"],
                    jurisdiction=form.cleaned_data["jurisdiction"],
                    contact_email=form.cleaned_data["contact_email"],
                    identity=form.cleaned_data["identity"],
                    files=form.cleaned_data["files"], form_version_id=version.pk)
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                return render(request, "speakup/public_submitted.html", {
                    "org": org, "concern": concern, "key": key,
                    "receipt": receipt_text(request, concern, key),
                    "clocks": services.concern_clocks(concern)})
        return render(request, "speakup/public_intake.html",
                      {"org": org, "intake": intake_form, "version": version, "form": form},
                      status=422)
    form = IntakeForm(questions=version.questions,
                      initial={"jurisdiction": services.channel_settings(org).default_jurisdiction})
    return render(request, "speakup/public_intake.html",
                  {"org": org, "intake": intake_form, "version": version, "form": form})


def _too_many(request: HttpRequest) -> HttpResponse:
    response = render(request, "speakup/public_too_many.html",
                      {"minutes": WINDOW_SECONDS // 60}, status=429)
    response["Retry-After"] = str(WINDOW_SECONDS)
    return response


@never_cache
@csrf_protect
def follow_up(request: HttpRequest) -> HttpResponseBase:
    """GET: ask for the key. POST `key` (+ `action`: message, contact, receipt): the report."""
    if key_attempts_exhausted(request):
        return _too_many(request)
    if request.method != "POST":
        return render(request, "speakup/public_key.html", {"form": KeyForm()})
    form = KeyForm(request.POST)
    if not form.is_valid():
        return render(request, "speakup/public_key.html", {"form": form}, status=422)
    key = form.cleaned_data["key"]
    concern = selectors.concern_for_key(key=key)
    if concern is None:
        erased = selectors.erased_for_key(key=key)
        if erased is not None:
            form.add_error("key", f"This key belonged to a report that was closed and then "
                                  f"erased on {erased.erased_at:%d %b %Y}, as the retention "
                                  "schedule requires. Nothing of it is kept. If you need to "
                                  "raise the matter again, send a new report.")
            return render(request, "speakup/public_key.html", {"form": form}, status=410)
        key_attempt_failed(request)
        form.add_error("key", "No report matches this key. Check it for typos (letters and "
                              "digits, in four groups of five); it is the key you were shown "
                              "after sending your report.")
        return render(request, "speakup/public_key.html", {"form": form}, status=422)
    action = request.POST.get("action", "")
    if action == "receipt":
        response = HttpResponse(receipt_text(request, concern, key),
                                content_type="text/plain; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="speak-up-receipt.txt"'
        return response
    if action == "file":
        from django.http import FileResponse

        from chorus.speakup.models import Attachment

        att = Attachment.objects.filter(message__concern=concern,
                                        pk=(str(request.POST.get("file", "")).isdigit()
                                        and int(request.POST["file"])) or 0).first()
        if att is None:
            raise Http404("No such file.")
        return FileResponse(att.file.open("rb"), as_attachment=True,
                            filename=att.display_name, content_type=att.mime)
    message_form, contact_form = ReporterMessageForm(), ContactForm(
        initial={"contact_email": concern.contact_email})
    sent = ""
    status = 200
    if action == "message":
        message_form = ReporterMessageForm(request.POST, request.FILES)
        if message_form.is_valid():
            try:
                services.concern_message_reporter(concern=concern,
                                                  body=message_form.cleaned_data["body"],
                                                  files=message_form.cleaned_data["files"])
                sent, message_form = "Your message was sent to the team.", ReporterMessageForm()
            except DomainError as exc:
                add_domain_error(message_form, exc)
        if message_form.errors:
            status = 422
    elif action == "contact":
        contact_form = ContactForm(request.POST)
        if contact_form.is_valid():
            try:
                services.concern_set_contact(concern=concern,
                                             contact_email=contact_form.cleaned_data["contact_email"])
                sent = ("We will e-mail that address when there is an update."
                        if concern.contact_email else "We will not e-mail you.")
            except DomainError as exc:
                add_domain_error(contact_form, exc)
        if contact_form.errors:
            status = 422
    messages = (Message.objects.filter(concern=concern)
                .prefetch_related("attachments").order_by("created_at", "pk"))
    return render(request, "speakup/public_status.html", {
        "concern": concern, "org": concern.organization, "key": key,
        "messages": messages, "clocks": services.concern_clocks(concern),
        "message_form": message_form, "contact_form": contact_form, "sent": sent,
    }, status=status)
