"""Credentials: well-known token formats, private keys, password assignments, high-entropy
tokens next to key words. Runs on the original text because case matters in tokens.

Guarantee: examples of *bad patterns* ("P@ssw0rd-style junk") and talk about keys without a
key ("never paste the private one") are not flagged; a credential is flagged even when the
writer says it expired, because it may still work.
"""

from __future__ import annotations

import math
import re
from collections import Counter

from chorus.screening.detectors.context import Context, Emit
from chorus.screening.types import gettext_noop as _  # marks catalog strings (no Django)

_TOKENS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (_("a private key"), re.compile(
        r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----(?:[\s\S]*?-----END (?:[A-Z0-9]+ )*"
        r"PRIVATE KEY(?: BLOCK)?-----|[A-Za-z0-9+/=\s]*)")),
    (_("an AWS access key"), re.compile(r"\b(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AROA)[A-Z0-9]{16}\b")),
    (_("a GitHub token"), re.compile(
        r"\b(?:gh[pousr]_[A-Za-z0-9]{30,255}|github_pat_[A-Za-z0-9_]{40,255})\b")),
    (_("a GitLab token"), re.compile(r"\bgl(?:pat|dt|rt|ptt|cbt|imt|oas|ft)-[A-Za-z0-9_\-]{20,}")),
    (_("a Slack token"), re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}")),
    (_("a Slack webhook"), re.compile(r"https://hooks\.slack\.com/(?:services|workflows)/[A-Za-z0-9/_-]{20,}")),
    (_("a Stripe key"), re.compile(r"\b(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{16,}\b")),
    (_("a Google API key"), re.compile(r"\bAIza[0-9A-Za-z_\-]{35}\b")),
    (_("an OpenAI-style API key"), re.compile(r"\bsk-(?:proj-|ant-)?[A-Za-z0-9_\-]{32,}\b")),
    (_("a JSON Web Token"), re.compile(
        r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}")),
    (_("a Twilio key"), re.compile(r"\bSK[0-9a-fA-F]{32}\b")),
    (_("a SendGrid key"), re.compile(r"\bSG\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,}")),
    (_("an npm token"), re.compile(r"\bnpm_[A-Za-z0-9]{36}\b")),
    (_("a PyPI token"), re.compile(r"\bpypi-[A-Za-z0-9_\-]{50,}")),
    (_("a Telegram bot token"), re.compile(r"\b\d{8,10}:AA[A-Za-z0-9_-]{33}\b")),
    (_("a database URL with a password"), re.compile(
        r"\b[a-z][a-z0-9+.-]{1,20}://[^\s:/@]{1,64}:[^\s@/]{3,128}@[^\s/]{3,}")),
)  # fmt: skip

_KEYWORD_VALUE = re.compile(
    r"(?i)\b(?:password|passwd|passwort|kennwort|pwd|pass|passcode|pin|contrase[ñn]a|"
    r"clave|mot de passe|mdp|senha|secret|api[_ -]?key|apikey|access[_ -]?key|secret[_ -]?key|"
    r"auth[_ -]?token|token|bearer|client[_ -]?secret|aws_secret_access_key)"
    # "mot de passe du compte démo :", "password for the VPN:"
    r"(?:\s+(?:for|of|on|to|du|de|del|des|der|für|fur|fürs|furs|zum|zur|vom|beim|para|pour|"
    r"da|do|das|dos)"
    r"\s+[^\n:=]{1,40}?)?"
    r"(?:\s+(?:is|es|est|ist|é))?\s*[:=]\s*[\"']?(?P<value>[^\s\"',;]{4,})"
)
_LOGIN_PAIR = re.compile(
    r"(?i)\b(?:login|log-in|credentials|creds|user(?:name)?|account|zugang|acceso|acc[eè]s|"
    r"identifiants|utilizador|usu[aá]rio)\b[^\n]{0,60}?(?:\b(?:is|are|es|est|ist|é)\b|[:=])\s*"
    r"(?P<user>[^\s/|:]{2,64})\s*(?:/|\||:|,)\s*(?P<value>[^\s,;]{6,64})"
)
_PASSWORD_IS = re.compile(
    r"(?i)\b(?:password|passwort|kennwort|contrase[ñn]a|clave|mot de passe|mdp|senha|pwd|pin)\b"
    r"(?:\s+(?:for|to|of|on|at|für|fur|fürs|furs|zum|zur|vom|beim|des|der|de|del|para|du|da|do|"
    r"das|dos|pour|au)\s+[^\n]{1,50}?)?\s+(?:is|es|est|ist|é|=)\s+"
    r"[\"'“]?(?P<value>[^\s\"'”,;]{6,64})"
)
_BEARER_NEAR = re.compile(
    r"(?i)\b(?:token|key|secret|api|apikey|bearer|credential|auth)\w*\b[^\n]{0,40}?"
    r"(?P<value>\b[A-Za-z0-9_\-+/=]{24,}\b)"
)
_PLACEHOLDER = re.compile(
    r"(?i)^(?:x+|\*+|\.+|<[^>]*>|\{[^}]*\}|your[\w-]*|example|changeme|redacted|hunter2|"
    r"password|secret|none|null|\$\{?\w+\}?|%\w+%)$"
)


# Cheap gates so that the many patterns above only run on posts that could match them.
_TOKEN_HINT = re.compile(
    r"-----BEGIN|\b(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AROA|gh[pousr]_|github_pat_|gl[a-z]{1,3}-|"
    r"xox[abposr]-|hooks\.slack|sk_|rk_|pk_|AIza|sk-|eyJ|SK[0-9a-fA-F]|SG\.|npm_|pypi-)|://|\d:AA"
)
_KEYWORD_HINT = re.compile(
    r"pass|pwd|pin|secret|key|token|bearer|login|log-in|creds|credential|user|account|"
    r"zugang|acceso|acces|identifiants|utilizador|usuario|contrase|clave|mdp|senha|kennwort"
)


def _entropy(value: str) -> float:
    counts = Counter(value)
    size = len(value)
    return -sum(c / size * math.log2(c / size) for c in counts.values())


def _looks_secret(value: str) -> bool:
    if _PLACEHOLDER.match(value):
        return False
    classes = sum(
        (any(c.islower() for c in value), any(c.isupper() for c in value),
         any(c.isdigit() for c in value), any(not c.isalnum() for c in value))
    )  # fmt: skip
    return classes >= 2 and len(value) >= 6


def detect(ctx: Context) -> list[Emit]:
    if "security.credentials" not in ctx.compiled.rules:
        return []
    text = ctx.text
    emits: list[Emit] = []
    taken: list[tuple[int, int]] = []

    def add(start: int, end: int, what: str) -> None:
        if any(a < end and start < b for a, b in taken):
            return
        taken.append((start, end))
        emits.append(
            Emit(
                "security.credentials",
                start,
                end,
                _("This looks like {what}. Anyone who reads the post can use it."),
                _("Delete the post, then revoke and rotate the credential right away."),
                why_params={"what": what},
            )
        )

    for what, pattern in _TOKENS if _TOKEN_HINT.search(text) else ():
        for match in pattern.finditer(text):
            add(match.start(), match.end(), what)
    norm = ctx.norm
    keyword_patterns = (
        (_KEYWORD_VALUE, _PASSWORD_IS, _LOGIN_PAIR) if _KEYWORD_HINT.search(norm) else ()
    )
    for pattern in keyword_patterns:
        for match in pattern.finditer(text):
            value = match.group("value")
            if pattern is _PASSWORD_IS and value.isalpha():
                # Prose ("la clave del éxito es Constancia"): a password said in a sentence
                # has a digit or a symbol in it; a plain word there is just a word.
                continue
            if _looks_secret(value):
                add(match.start("value"), match.end("value"), _("a password or secret"))
    if ("key" in ctx.norm or "token" in ctx.norm or "secret" in ctx.norm) and not emits:
        for match in _BEARER_NEAR.finditer(text):
            value = match.group("value")
            if _entropy(value) >= 3.5 and _looks_secret(value) and not value.startswith("http"):
                add(match.start("value"), match.end("value"), _("an access token"))
    return emits
