"""Forms of the speak-up channel. The intake form is built from a form version's questions;
validation of the answers is the service's (`clean_answers`), so the API and the page agree."""

from __future__ import annotations

from typing import Any

from django import forms

from chorus.speakup.models import JURISDICTIONS


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        if not data:
            return []
        items = data if isinstance(data, (list, tuple)) else [data]
        return [super(MultipleFileField, self).clean(d, initial) for d in items]


def _files_field(label: str = "Files (optional)") -> MultipleFileField:
    return MultipleFileField(
        label=label, required=False,
        widget=MultipleFileInput(attrs={"accept": "image/png,image/jpeg,image/gif,image/webp,"
                                                  "application/pdf,application/zip,.zip"}),
        help_text="Photos, screenshots or PDFs (or a .zip of them), up to 10. We remove hidden "
                  "information (camera, location, author) before anyone sees them.")


class IntakeForm(forms.Form):
    """The fixed part of every report plus one field per question of the version."""

    description = forms.CharField(
        label="What happened?", widget=forms.Textarea(attrs={"rows": 6}),
        help_text="What you saw or know, and why it concerns you. Leave out your name unless "
                  "you want to give it below.")
    people_named = forms.CharField(
        label="People involved (optional)", required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="One per line. Anyone you name here is kept out of handling your report.")
    jurisdiction = forms.ChoiceField(
        label="Where do you work?",
        choices=[(k, v.label) for k, v in JURISDICTIONS.items()],
        help_text="Decides the legal deadlines for our answers.")
    identity = forms.CharField(
        label="Your name and how to reach you (optional)", required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Only if you want to. It is sealed: the people handling your report see it "
                  "only if a named custodian approves a justified request, and we tell you "
                  "if that happens.")
    contact_email = forms.EmailField(
        label="E-mail for updates (optional)", required=False,
        help_text="A private address we may write to when there is news. The e-mail says only "
                  "that there is an update, never anything about the report. Staff do not see "
                  "it.")
    files = _files_field()  # type: ignore[assignment]  # a field, not BaseForm.files

    def __init__(self, *args: Any, questions: list[dict[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questions = questions
        for q in questions:
            name = f"q_{q['key']}"
            attrs: dict[str, str] = {}
            if q.get("show_if"):
                attrs = {"data-show-if": f"q_{q['show_if']['key']}",
                         "data-show-equals": q["show_if"]["equals"]}
            # Required-ness is checked by the service (a hidden follow-up is not required), so
            # the field says it in words instead of the browser's `required`.
            help_text = ("Required. " if q["required"] else "") + q.get("help", "")
            common = {"label": q["label"], "required": False, "help_text": help_text.strip()}
            if q["type"] == "textarea":
                field: forms.Field = forms.CharField(
                    widget=forms.Textarea(attrs={"rows": 3, **attrs}), **common)
            elif q["type"] == "choice":
                field = forms.ChoiceField(choices=[("", "Choose…")]
                                          + [(c, c) for c in q["choices"]],
                                          widget=forms.Select(attrs=attrs), **common)
            elif q["type"] == "yesno":
                field = forms.ChoiceField(choices=[("", "Choose…"), ("yes", "Yes"),
                                                   ("no", "No")],
                                          widget=forms.Select(attrs=attrs), **common)
            elif q["type"] == "date":
                field = forms.CharField(widget=forms.DateInput(attrs={"type": "date", **attrs}),
                                        **common)
            else:
                field = forms.CharField(widget=forms.TextInput(attrs=attrs), **common)
            field.question = q  # type: ignore[attr-defined]
            self.fields[name] = field

    @property
    def question_fields(self) -> list[Any]:
        return [self[f"q_{q['key']}"] for q in self.questions]

    def answers(self) -> dict[str, str]:
        return {q["key"]: self.data.get(f"q_{q['key']}", "") for q in self.questions}


class KeyForm(forms.Form):
    key = forms.CharField(
        label="Report key", max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false",
                                      "placeholder": "XXXXX-XXXXX-XXXXX-XXXXX"}),
        help_text="The key you were shown when you sent your report.")


class ReporterMessageForm(forms.Form):
    body = forms.CharField(label="Your message", required=False,
                           widget=forms.Textarea(attrs={"rows": 4}))
    files = _files_field("Add files (optional)")  # type: ignore[assignment]  # a field, not BaseForm.files


class ContactForm(forms.Form):
    contact_email = forms.EmailField(label="E-mail for updates", required=False,
                                     help_text="Leave empty to be told nothing.")


class StaffMessageForm(forms.Form):
    body = forms.CharField(label="Message to the reporter",
                           widget=forms.Textarea(attrs={"rows": 4}),
                           help_text="The reporter reads this with their key. Do not name "
                                     "anyone they did not name.")
    files = _files_field("Attach files (optional)")  # type: ignore[assignment]  # a field, not BaseForm.files


class TextForm(forms.Form):
    text = forms.CharField(label="Text", widget=forms.Textarea(attrs={"rows": 3}))


class NoteForm(forms.Form):
    note = forms.CharField(label="Note", widget=forms.Textarea(attrs={"rows": 2}))


class IdentityRequestForm(forms.Form):
    custodian: forms.ModelChoiceField = forms.ModelChoiceField(
        queryset=None, label="Custodian")  # type: ignore[arg-type]
    justification = forms.CharField(
        label="Why is the identity necessary?", widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The legal obligation or investigative step that needs it (at least 30 "
                  "characters). The custodian and the audit trail keep this.")

    def __init__(self, *args: Any, custodians: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["custodian"].queryset = custodians  # type: ignore[attr-defined]


class IdentityDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "Approve: disclose to the handlers"),
                                          ("refuse", "Refuse")], widget=forms.RadioSelect)
    note = forms.CharField(label="Reason", widget=forms.Textarea(attrs={"rows": 3}))
    withhold_notice = forms.BooleanField(
        label="Do not tell the reporter now (telling them would jeopardise the investigation)",
        required=False)


class RedactForm(forms.Form):
    where = forms.CharField(widget=forms.HiddenInput, required=False)
    message = forms.IntegerField(widget=forms.HiddenInput, required=False)
    text = forms.CharField(label="Exact words to remove", max_length=2000)
    reason = forms.CharField(label="Reason (kept)", max_length=300)


class IncidentForm(forms.Form):
    subject: forms.ModelChoiceField = forms.ModelChoiceField(
        queryset=None, label="Who the incident concerns", required=False)  # type: ignore[arg-type]
    title = forms.CharField(label="Title", max_length=200, required=False)

    def __init__(self, *args: Any, people: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["subject"].queryset = people  # type: ignore[attr-defined]


class FormBuilderForm(forms.Form):
    key = forms.SlugField(label="Category key", max_length=40,
                          help_text="Lower-case, e.g. fraud. Used in links and exports.")
    label = forms.CharField(label="Category name", max_length=120)
    description = forms.CharField(label="Shown to reporters", max_length=300, required=False)
    questions = forms.CharField(
        label="Questions", widget=forms.Textarea(attrs={"rows": 10, "class": "mono"}),
        help_text="One per line: key | question | type (text, textarea, choice, yesno, date) | "
                  "required or optional | choices separated by / | show if key=answer. "
                  "Saving publishes a new version; reports keep the version they used.")


class ClockRuleForm(forms.Form):
    jurisdiction = forms.ChoiceField(choices=[(k, v.label) for k, v in JURISDICTIONS.items()])
    ack_days = forms.IntegerField(label="Acknowledge within (days)", min_value=1, max_value=7)
    feedback_days = forms.IntegerField(label="Feedback within (days)", min_value=1,
                                       max_value=91)
    remind_ack_days = forms.IntegerField(label="Remind before acknowledgment (days)",
                                         min_value=0, max_value=6, initial=2)
    remind_feedback_days = forms.IntegerField(label="Remind before feedback (days)",
                                              min_value=0, max_value=60, initial=14)


class RetentionForm(forms.Form):
    category = forms.CharField(label="Category key (empty: all others)", required=False,
                               max_length=40)
    days = forms.IntegerField(label="Keep closed concerns for (days)", min_value=30,
                              max_value=3650)


def parse_question_lines(text: str) -> list[dict[str, Any]]:
    """The builder's line format → question dicts (the service validates them)."""
    questions: list[dict[str, Any]] = []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split("|")]
        parts += [""] * (6 - len(parts))
        key, label, qtype, req, choices, cond = parts[:6]
        q: dict[str, Any] = {"key": key, "label": label, "type": qtype or "text",
                             "required": req.lower() in ("required", "yes", "true", "1"),
                             "choices": [c.strip() for c in choices.split("/") if c.strip()]}
        if cond:
            ck, _, cv = cond.partition("=")
            q["show_if"] = {"key": ck.strip(), "equals": cv.strip()} if _ else {"key": ck.strip()}
        questions.append(q)
    return questions


def question_lines(questions: list[dict[str, Any]]) -> str:
    lines = []
    for q in questions:
        cond = q.get("show_if")
        lines.append(" | ".join([
            q["key"], q["label"], q["type"], "required" if q["required"] else "optional",
            " / ".join(q.get("choices") or []),
            f"{cond['key']}={cond['equals']}" if cond else ""]).rstrip(" |"))
    return "\n".join(lines)
