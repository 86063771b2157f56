"""Other people's personal data: phone numbers, personal e-mail, home addresses, ID and card
numbers (check digits verified with python-stdnum), and health details about someone else.

The author's own data ("call me on", "my number") and an organization's press line are fine
(screening-dev labelling: PII is someone else's data). Numbers that fail their check digits
are not flagged (a card-shaped number that fails Luhn is nobody's card).
"""

from __future__ import annotations

import re

from chorus.screening.detectors.context import Context, Emit
from chorus.screening.text import fold
from chorus.screening.types import gettext_noop as _  # marks catalog strings (no Django)

_CARD = re.compile(r"(?<![\d-])(?:\d[ -]?){12,18}\d(?![\d-])")
_DIGIT = re.compile(r"\d")
_LONG_DIGITS = re.compile(r"\d(?:[ -]?\d){12}")
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]{4}){2,7}(?:[ ]?[A-Z0-9]{1,4})?\b")
_SSN = re.compile(r"(?<![\d-])\d{3}-\d{2}-\d{4}(?![\d-])")
_NINO = re.compile(r"\b[A-CEGHJ-PR-TW-Z]{2} ?\d{2} ?\d{2} ?\d{2} ?[A-D]\b")
_NINO_CONTEXT = re.compile(r"(?i)\b(national insurance|NI number|NINO)\b")
_DNI = re.compile(r"\b[XYZ]?\d{7,8}-?[A-Z]\b")
_CPF = re.compile(r"\b\d{3}\.\d{3}\.\d{3}-\d{2}\b")
_NIR = re.compile(r"\b[12] ?\d{2} ?\d{2} ?\d{2} ?\d{3} ?\d{3} ?\d{2}\b")
_EMAIL = re.compile(r"\b[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,24}\b")
_PHONE_CANDIDATE = re.compile(r"(?<![\w/.\-])\+?\(?\d[\d ()./-]{6,18}\d(?![\w/]|-\w)")
_PERSONAL_DOMAINS = frozenset(
    [
        "gmail.com",
        "googlemail.com",
        "hotmail.com",
        "hotmail.es",
        "hotmail.fr",
        "hotmail.co.uk",
        "outlook.com",
        "live.com",
        "msn.com",
        "yahoo.com",
        "yahoo.es",
        "yahoo.fr",
        "yahoo.de",
        "yahoo.co.uk",
        "ymail.com",
        "icloud.com",
        "me.com",
        "mac.com",
        "aol.com",
        "proton.me",
        "protonmail.com",
        "gmx.de",
        "gmx.net",
        "gmx.com",
        "web.de",
        "t-online.de",
        "orange.fr",
        "free.fr",
        "laposte.net",
        "wanadoo.fr",
        "sfr.fr",
        "libero.it",
        "uol.com.br",
        "bol.com.br",
        "sapo.pt",
        "terra.com.br",
        "mail.com",
        "yandex.com",
        "zoho.com",
        "fastmail.com",
        "hey.com",
        "tutanota.com",
    ]
)
_ROLE_MAILBOXES = frozenset(
    [
        "press",
        "media",
        "news",
        "info",
        "hello",
        "contact",
        "careers",
        "jobs",
        "support",
        "help",
        "sales",
        "marketing",
        "pr",
        "investors",
        "ir",
        "privacy",
        "legal",
        "security",
        "abuse",
        "noreply",
        "no-reply",
        "team",
        "office",
        "admin",
        "communications",
        "comms",
        "hr",
        "recruiting",
        "partners",
    ]
)
_OWN = re.compile(
    fold(
        r"\b(my|our|mi|mis|mon|ma|mes|meu|minha|mein|meine|meiner|meinem|meinen|unser|unsere|"
        r"unserer|nuestro)\s+(\w+\s+)?"
        r"(number|phone|cell|mobile|tel|telephone|landline|whatsapp|line|email|e-mail|mail|"
        r"address|office|n[uú]mero|t[eé]l[eé]phone|telefon|telefone|adresse|direcci[oó]n|"
        r"endere[cç]o|correo|handy|portable|m[oó]vil|tel[eé]fono|celular|telem[oó]vel|"
        r"handynummer|rufnummer|nummer)\b[^.!?\n]{0,20}$|"
        r"\b((appelez|appelle|ecrivez|ecris|contactez|joignez)-moi|llamame|llamadme|llameme|"
        r"escribeme|escribidme|(ruft|ruf|erreicht|erreichst) mich|(schreibt|schreib) mir|"
        r"me (liga|ligue|liguem|"
        r"chame|chama|escreva|escrevam)|(liga|ligue|liguem)-me|fala comigo)\b[^.!?\n]{0,30}$|"
        r"\b(call|text|reach|email|e-mail|contact|dm|ring|message|write to|ping) (me|us)\b"
        r"[^.!?\n]{0,30}$|\b(press|media|newsroom|hotline|helpline|support|customer service|"
        r"front desk|reception|switchboard|sales line|office line|main line)\b[^.!?\n]{0,30}$"
    )
)
_ADDRESS = re.compile(
    r"\b\d{1,5}[A-Za-z]?\s+(?:[A-Z][\w'.-]*\s+){1,4}(?:St|Street|Ave|Avenue|Rd|Road|Ct|Court|"
    r"Ln|Lane|Blvd|Boulevard|Dr|Drive|Way|Pl|Place|Ter|Terrace|Cir|Circle|Pkwy|Parkway|Hwy|"
    r"Highway|Sq|Square|Trl|Trail|Close|Crescent|Row|Mews|Gardens|Hill|Park)\b\.?"
    r"(?:,?\s+(?:Apt|Apartment|Unit|Suite|#)\s*\w+)?"
    r"(?:,\s*[A-Z][\w .'-]{1,40}?(?:,\s*[A-Z]{2})?\s+\d{5}(?:-\d{4})?)?"
    r"|\b(?:[A-ZÄÖÜ][\wäöüß-]*(?:straße|strasse|str\.|weg|allee|platz|gasse|ring))\s+\d{1,4}[a-z]?"
    r"(?:,\s*\d{5}\s+[A-ZÄÖÜ][\wäöüß-]+)?"
    r"|\b(?:Calle|C/|Avenida|Avda\.?|Rua|Av\.|Travessa|Rue|Avenue|Boulevard|Chemin|Impasse|"
    r"Largo|Plaza|Paseo)\s+(?:[\w'’ -]{2,40}?),?\s+(?:n[º°o]\.?\s*)?\d{1,4}"
)
_US_ZIP_TAIL = re.compile(r"\b[A-Z]{2}\s+\d{5}(?:-\d{4})?\b")
_ADDRESS_CONTEXT = re.compile(
    fold(
        r"\b(address|lives|live at|living at|home|house|apartment|apt|flat|moved to|"
        r"adresse|wohnt|wohnung|direcci[oó]n|vive en|casa|domicile|habite|morada|mora em|"
        r"endereço|send (it|them|flowers|a card) to)\b"
    )
)
_HEALTH = re.compile(
    fold(
        r"\b(miscarriage|pregnan\w*|cancer|chemo\w*|tumou?r|diagnos\w+|hospital\w*|"
        r"broken (hip|leg|arm)|surgery|stroke|heart attack|overdose|rehab|hiv|aids|std|"
        r"depress\w+|bipolar|schizo\w+|anxiety disorder|mental breakdown|psychiatric|therapy|"
        r"diabet\w+|dementia|alzheimer\w*|terminal|sick leave|disability|disabled|"
        r"ivf|fertility|abortion|epilep\w+|autis\w+|adhd|covid|dialysis|"
        r"fehlgeburt|krebs|krankenhaus|schwanger|aborto|c[aá]ncer|embarazada|hospitali\w+|"
        r"fausse couche|enceinte|cancro|gr[aá]vida|internad[oa]|burn-?out|krankgeschrieben|"
        r"arbeitsunf[aä]hig|baja m[eé]dica|arr[eê]t maladie|de baixa m[eé]dica|signed off sick)\b"
    )
)
_THIRD_PERSON = re.compile(
    fold(
        r"\b(he|she|his|her|him|he's|she's|they're|their|er|sie|ihr|ihre|seine?|él|ella|su|"
        r"il|elle|sa|son|ele|ela|dele|dela)\b"
    )
)
_FIRST_PERSON_HEALTH = re.compile(fold(r"\b(my|i|i'm|i've|mein|meine|mi|mon|ma|meu|minha)\b"))


def _own(ctx: Context, o_start: int) -> bool:
    before = ctx.text[max(0, o_start - 60) : o_start]
    return bool(_OWN.search(fold(before)))


def _card_ok(digits: str) -> bool:
    from stdnum import luhn

    if not 13 <= len(digits) <= 19 or len(set(digits)) < 2:
        return False
    if not digits.startswith(("2", "3", "4", "5", "6")):
        return False
    return bool(luhn.is_valid(digits))


def detect(ctx: Context) -> list[Emit]:
    if "privacy.personal_data" not in ctx.compiled.rules:
        return []
    text = ctx.text
    emits: list[Emit] = []
    taken: list[tuple[int, int]] = []

    def add(start: int, end: int, what: str, suggestion: str) -> None:
        if any(a < end and start < b for a, b in taken):
            return
        taken.append((start, end))
        emits.append(
            Emit(
                "privacy.personal_data",
                start,
                end,
                _(
                    "This looks like {what}. Posting someone's personal data exposes them to "
                    "fraud, harassment or discrimination."
                ),
                suggestion,
                why_params={"what": what},
            )
        )

    has_digits = _DIGIT.search(text) is not None
    if has_digits:
        from stdnum import iban
        from stdnum.us import ssn

        for match in _IBAN.finditer(text):
            if iban.is_valid(match.group(0)):
                add(match.start(), match.end(), _("a bank account number (IBAN)"),
                    _("Share payment details privately, never in a post."))  # fmt: skip
        for match in _CARD.finditer(text) if _LONG_DIGITS.search(text) else ():
            digits = re.sub(r"\D", "", match.group(0))
            if _card_ok(digits):
                add(match.start(), match.end(), _("a payment card number"),
                    _("Remove the card number; return the card privately."))  # fmt: skip
        for match in _SSN.finditer(text):
            if ssn.is_valid(match.group(0)):
                add(match.start(), match.end(), _("a US Social Security number"),
                    _("Remove the number; report the exposure to HR privately."))  # fmt: skip
        _national_ids(text, add)
        _phones(ctx, add, taken)
    if "@" in text:
        for match in _EMAIL.finditer(text):
            if _personal_email(ctx, match):
                add(match.start(), match.end(), _("someone's personal e-mail address"),
                    _("Ask the person first; share contact details privately."))  # fmt: skip
    if has_digits:
        for match in _ADDRESS.finditer(text):
            tail = _US_ZIP_TAIL.search(match.group(0))
            window = fold(text[max(0, match.start() - 80) : match.end() + 20])
            if (tail or _ADDRESS_CONTEXT.search(window)) and not _own(ctx, match.start()):
                add(match.start(), match.end(), _("a home address"),
                    _("Never post where someone lives."))  # fmt: skip
    _health(ctx, add)
    return emits


def _national_ids(text: str, add: object) -> None:
    from stdnum.br import cpf
    from stdnum.es import dni, nie
    from stdnum.fr import nir

    assert callable(add)
    # A National Insurance number has no check digit: require the words around it.
    if _NINO_CONTEXT.search(text):
        for match in _NINO.finditer(text):
            add(
                match.start(),
                match.end(),
                _("a UK National Insurance number"),
                _("Remove the ID number."),
            )
    checks = (
        (_CPF, cpf.is_valid, _("a Brazilian CPF number")),
        (_NIR, nir.is_valid, _("a French social security number")),
    )
    for pattern, valid, what in checks:
        for match in pattern.finditer(text):
            if valid(match.group(0)):
                add(match.start(), match.end(), what, _("Remove the ID number."))
    for match in _DNI.finditer(text):
        value = match.group(0)
        if dni.is_valid(value) or nie.is_valid(value):
            add(
                match.start(),
                match.end(),
                _("a Spanish ID number (DNI/NIE)"),
                _("Remove the ID number."),
            )


def _phones(ctx: Context, add: object, taken: list[tuple[int, int]]) -> None:
    import phonenumbers

    assert callable(add)
    text = ctx.text
    for match in _PHONE_CANDIDATE.finditer(text):
        raw = match.group(0)
        digits = re.sub(r"\D", "", raw)
        if not 8 <= len(digits) <= 15:
            continue
        if any(a < match.end() and match.start() < b for a, b in taken):
            continue
        if re.fullmatch(r"(19|20)\d\d[-/.](0?[1-9]|1[0-2])[-/.]\d\d?", raw.strip()):
            continue  # an ISO date
        parsed = None
        regions = (None,) if raw.startswith("+") else ctx.compiled.regions
        for region in regions:
            try:
                candidate = phonenumbers.parse(raw, region)
            except phonenumbers.NumberParseException:
                continue
            if phonenumbers.is_valid_number(candidate) or (
                len(digits) >= 10 and phonenumbers.is_possible_number(candidate) and
                _phone_context(text, match.start())
            ):  # fmt: skip
                parsed = candidate
                break
        if parsed is None or _own(ctx, match.start()):
            continue
        add(match.start(), match.end(), _("someone's phone number"),
            _("Share phone numbers privately, with the person's consent."))  # fmt: skip


def _phone_context(text: str, pos: int) -> bool:
    window = text[max(0, pos - 40) : pos].lower()
    return any(
        w in window
        for w in (
            "call",
            "phone",
            "tel",
            "mobile",
            "cell",
            "ring",
            "text",
            "whatsapp",
            " on ",
            " at ",
        )
    )


def _personal_email(ctx: Context, match: re.Match[str]) -> bool:
    local, _, domain = match.group(0).lower().partition("@")
    if local in _ROLE_MAILBOXES or local.split("+")[0] in _ROLE_MAILBOXES:
        return False
    if _own(ctx, match.start()):
        return False
    org_words = {w for name in ctx.compiled.org_names for w in name.split()}
    domain_root = domain.split(".")[0]
    if any(w and w in domain_root for w in org_words):
        # A colleague's work address is still personal data if it names a person.
        return "." in local or "_" in local
    if domain in _PERSONAL_DOMAINS:
        return True
    return "." in local or "_" in local


def _health(ctx: Context, add: object) -> None:
    assert callable(add)
    norm = ctx.norm
    for match in _HEALTH.finditer(norm):
        start, end = ctx.sentence_of(match.start())
        sentence = norm[start:end]
        # Someone else: a third-person word or a named person, and not about the author.
        prefix = norm[start : match.start()]
        own = _FIRST_PERSON_HEALTH.search(prefix[-40:])
        third = _THIRD_PERSON.search(sentence) or _named_person(ctx, start, end)
        if own and not _THIRD_PERSON.search(prefix[-40:]):
            continue
        if not third:
            continue
        o_start, o_end = ctx.nt.to_original(match.start(), match.end())
        add(o_start, o_end, _("health details about another person"),
            _("Health information is private; let the person share it themselves."))  # fmt: skip
        return


_NAME = re.compile(r"(?<![\w@#])[A-Z][a-z]{2,}(?:'s|’s)?\b")


def _named_person(ctx: Context, start: int, end: int) -> bool:
    o_start, o_end = ctx.nt.to_original(start, end)
    segment = ctx.text[o_start:o_end]
    entity_spans = [ctx.span(h) for h in ctx.hits]
    for match in _NAME.finditer(segment):
        if match.start() == len(segment) - len(segment.lstrip()):
            continue  # first word of the sentence
        pos = o_start + match.start()
        if any(a <= pos < b for a, b in entity_spans):
            continue
        return True
    return False
