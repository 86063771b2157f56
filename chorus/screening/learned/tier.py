"""How the engine uses the learned heads: findings for what the rules did not catch.

For each category whose rule is enabled in the policy, the post's probability is compared with
the head's threshold for the policy's preset; above it, and when no rule already reported that
category, one finding is emitted on the sentence that contributed most. Guarantees:

- the rules stay authoritative: credentials (``secret``) and check-digit personal data are never
  added by the model, and a category a rule found is not reported twice;
- protected activity (the rules' signal, or the model's own ``protected`` head) can only lower:
  learned conduct findings become ``info``, and no learned finding on a protected post reaches
  the policy's block line, so the model never turns a protected post into a block.

Pure Python + numpy; never imports Django.
"""

from __future__ import annotations

import re

from chorus.screening.catalog import SEVERITIES, SEVERITY_RANK
from chorus.screening.detectors import business
from chorus.screening.detectors.context import Context
from chorus.screening.learned.model import Heads, masked_sentences
from chorus.screening.types import Emit, gettext_noop

__all__ = ["CATEGORY_RULES", "learned_emits"]

#: Which rule carries a learned finding of each category (first enabled one wins).
CATEGORY_RULES: dict[str, tuple[str, ...]] = {
    "harassment": ("conduct.harassment",),
    "profanity": ("conduct.profanity",),
    "customer_negative": ("customer.negative",),
    "competitor_negative": ("competitor.negative",),
    "confidential": ("confidential.information",),
    "mnpi": ("securities.mnpi",),
    "pii": ("privacy.personal_data",),
    "undisclosed_endorsement": ("disclosure.employment",),
    "spokesperson": ("identity.spokesperson", "disclosure.views_own"),
    "regulated_claim": ("claims.regulated",),
}

_CONDUCT = frozenset({"harassment", "profanity"})

# Entity awareness: who or what a category is about must be in the post, as a policy entity
# or a generic word for it (over the normalized text: casefolded, accents dropped), so the
# model's sense of "negative" or "promotional" attaches to the right target.
_GATES: dict[str, tuple[tuple[str, ...], re.Pattern[str] | None]] = {
    "customer_negative": (
        ("customer",),
        re.compile(
            r"\b(?:customers?|clients?|accounts?|kund(?:e|en|in|innen)|auftraggeber\w*"
            r"|clientes?|clientas?|clientes?)\b"
        ),
    ),
    "competitor_negative": (
        ("competitor",),
        re.compile(
            r"\b(?:competitors?|competition|rivals?|the other guys|konkurren\w*|wettbewerb\w*"
            r"|competencia|competidor\w*|concurren\w*|concorren\w*)\b"
        ),
    ),
    "undisclosed_endorsement": (("product", "org", "unreleased", "codename"), None),
    "spokesperson": (
        ("org",),
        re.compile(
            r"\b(?:the company|our company|unternehmen\w*|firma|empresa|entreprise|societe"
            r"|companhia)\b"
        ),
    ),
    "mnpi": (
        ("ticker", "org"),
        re.compile(
            r"\b(?:stocks?|shares?|earnings|results|guidance|quarter|q[1-4]|revenue|merger"
            r"|acquisition|acquired|deal|dividend|aktien?|quartal\w*|prognose|umsatz|zahlen"
            r"|ubernahme|fusion\w*|acci(?:o|on)(?:es)?|resultados|trimestre|ingresos|ventas"
            r"|adquisicion|actions?|resultats|chiffre d'affaires|rachat|acoes|acao|receita"
            r"|t[1-4])\b"
        ),
    ),
    "regulated_claim": (
        (),
        re.compile(
            r"\b(?:guarant\w*|garant\w*|promis\w*|proven|prove|cure[sd]?|heal\w*|prevent\w*"
            r"|eliminat\w*|risk-free|risikofrei|sans risque|sin riesgo|sem risco|return|rendite"
            r"|rendement|rentabilidad|retorno|roi|never|nie|jamais|nunca|zero|null|zero|cero"
            r"|100 ?%|sure thing|sichere?|certain\w*|segur[oa]|cert[oa]|can't lose|fda|clinical\w*"
            r"|klinisch|verhinder\w*|heil\w*|gueri\w*|cura\w*|previen\w*|previn\w*|prouve"
            r"|bewiesen|demostrado|comprovado|doctors?|arzte|medecins|medicos|versprochen"
            r"|only go up|nur noch steigen|que monter|solo puede subir|so pode subir)\b"
        ),
    ),
    "pii": (
        (),
        re.compile(
            r"\b(?:colleague|coworker|co-worker|intern|his|her|he|she|their|manager|boss"
            r"|customer|driver|receptionist|guy|woman|man|kolleg\w*|praktikant\w*|sein\w*"
            r"|ihr\w*|er|sie|chef\w*|fahrer|kundin|collegue|stagiaire|son|sa|ses|il|elle"
            r"|chauffeur|cliente?|hotesse|companer[oa]|becari[oa]|su|sus|el|ella|conductor"
            r"|recepcionista|colega|estagiari[oa]|dele|dela|ele|ela|motorista|rececionista"
            r"|[a-z]+ (?:from|aus|de|du|da|do) [a-z]+)\b"
        ),
    ),
}

# Phrases that make a learned finding of these categories wrong whatever the model says:
# already public news (not MNPI or confidential), the author's own contact details (not
# someone else's personal data), the author speaking as a customer.
_VETO: dict[str, re.Pattern[str]] = {
    "mnpi": re.compile(
        r"\b(?:public|publicly|published|publish|announced|press release|filed|10-q|10-k"
        r"|webcast|investor (?:relations|page|site)|offentlich\w*|veroffentlicht\w*"
        r"|bekanntgegeben|pressemitteilung|publie\w*|annonce\w*|communique|publicad[oa]s?"
        r"|anunciad[oa]s?|comunicado|public[oa]s?|divulgad[oa]s?)\b"
    ),
    "pii": re.compile(
        r"\b(?:call me|text me|text my|my cell|my number|my phone|my email|my e-mail|dm me"
        r"|reach me|contact me|ruf mich|meine nummer|mein handy|appelez-moi|appelle-moi"
        r"|mon numero|mon portable|llamame|mi numero|mi movil|liga-me|me liga|o meu numero"
        r"|meu numero|meu telemovel|meu celular)\b"
    ),
    "customer_negative": re.compile(
        r"\b(?:as a (?:customer|client)|als kunde|als kundin|en tant que client\w*"
        r"|como cliente)\b"
    ),
}
_VETO["confidential"] = _VETO["mnpi"]
_VETO["spokesperson"] = re.compile(
    r"\b(?:not an? official|unofficial|views? (?:are )?my own|my own (?:views?|opinion|take)"
    r"|personal (?:opinion|view)|just my (?:take|opinion)|speaking for myself|for myself only"
    r"|i don'?t speak for|nicht offiziell|meine (?:personliche )?meinung|privat(?:e meinung)?"
    r"|pas officiel|mon avis|je ne parle qu'en mon nom|no es oficial|opinion personal"
    r"|hablo solo por mi|nao e oficial|opiniao pessoal|falo so por mim)\b"
)
_VETO["regulated_claim"] = re.compile(
    r"\b(?:no guarantee|not guaranteed|no guarantees|can'?t guarantee|cannot guarantee"
    r"|keine garantie|nicht garantiert|aucune garantie|pas garanti|sin garantia"
    r"|no garantizad[oa]|nenhuma garantia|sem garantia|nao garantid[oa])\b"
)


def _gate_open(ctx: Context, category: str) -> bool:
    if category == "undisclosed_endorsement" and (
        business.disclosed(ctx) or business.NOT_PROMO.search(ctx.norm)
    ):
        return False
    veto = _VETO.get(category)
    if veto is not None and veto.search(ctx.norm):
        return False
    gate = _GATES.get(category)
    if gate is None:
        return True
    kinds, words = gate
    return (bool(kinds) and ctx.has(*kinds)) or (
        words is not None and words.search(ctx.norm) is not None
    )


def _positive(ctx: Context, start: int, end: int) -> bool:
    """The sentence says only good things (a compliment is not disparagement)."""
    total, worst = business.valence(ctx, start, end, [])
    return total > 0.5 and worst >= 0


_WHY: dict[str, str] = {
    "harassment": gettext_noop(
        "This sentence reads as an insult or attack on a person (learned model, score {score})."
    ),
    "profanity": gettext_noop(
        "This sentence reads as vulgar language (learned model, score {score})."
    ),
    "customer_negative": gettext_noop(
        "This sentence reads as disparaging a customer (learned model, score {score})."
    ),
    "competitor_negative": gettext_noop(
        "This sentence reads as disparaging a competitor (learned model, score {score})."
    ),
    "confidential": gettext_noop(
        "This sentence reads as sharing internal or unannounced information "
        "(learned model, score {score})."
    ),
    "mnpi": gettext_noop(
        "This sentence reads as material non-public information about results, deals or the "
        "stock (learned model, score {score})."
    ),
    "pii": gettext_noop(
        "This sentence reads as sharing someone else's personal information "
        "(learned model, score {score})."
    ),
    "undisclosed_endorsement": gettext_noop(
        "This sentence promotes our product without saying you work here "
        "(learned model, score {score})."
    ),
    "spokesperson": gettext_noop(
        "This sentence reads as speaking for the company (learned model, score {score})."
    ),
    "regulated_claim": gettext_noop(
        "This sentence reads as a guaranteed-result, financial or health claim "
        "(learned model, score {score})."
    ),
}


def learned_emits(ctx: Context, heads: Heads, emits: list[Emit], signals: list[str]) -> list[Emit]:
    """Learned findings for ``ctx``; may append ``protected_activity`` to ``signals``."""
    compiled = ctx.compiled
    rules = compiled.rules
    sentences = ctx.sentences
    masked = masked_sentences(ctx.norm, sentences, ctx.hits)
    probs, handle = heads.post_scores(masked)
    preset = compiled.policy.preset
    col = heads.column("protected")
    learned_protected = col is not None and probs[col] >= heads.threshold("protected", preset)
    if learned_protected and "protected_activity" not in signals:
        signals.append("protected_activity")
    protected = "protected_activity" in signals
    found = set()
    for emit in emits:
        rule = rules.get(emit.rule_id)
        if rule is not None and rule.category:
            found.add(rule.category)
    out: list[Emit] = []
    below_block = SEVERITIES[max(0, compiled.block_rank - 1)]
    for category, rule_ids in CATEGORY_RULES.items():
        if category in found:
            continue
        i = heads.column(category)
        if i is None:
            continue
        p = float(probs[i])
        if p < heads.threshold(category, preset) or not _gate_open(ctx, category):
            continue
        # One conduct finding per post: an insult the rules found is not also profanity,
        # profanity the rules found is not also an insult unless the model is sure.
        if category == "profanity" and "harassment" in found:
            continue
        if category == "harassment" and "profanity" in found and p < 0.7:
            continue
        rule_id = next((r for r in rule_ids if r in rules), None)
        if rule_id is None:
            continue
        rule = rules[rule_id]
        severity = rule.severity or "medium"
        if category == "harassment":
            # Without a threat or slur lexicon hit the model's finding is an insult.
            insult = (rule.params or {}).get("insult_severity")
            if isinstance(insult, str) and insult in SEVERITY_RANK:
                severity = insult
        if protected and SEVERITY_RANK[severity] >= compiled.block_rank:
            severity = below_block
        s = (
            int(heads.sentence_contributions(handle, category).argmax())
            if len(sentences) > 1
            else 0
        )
        n_start, n_end = sentences[min(s, len(sentences) - 1)]
        if category in ("customer_negative", "competitor_negative") and _positive(
            ctx, n_start, n_end
        ):
            continue
        start, end = ctx.nt.to_original(n_start, n_end)
        text = ctx.text
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if end <= start:
            start, end = 0, len(text)
        out.append(
            Emit(
                rule_id,
                start,
                end,
                _WHY[category],
                severity=severity,
                lowerable=category in _CONDUCT,
                why_params={"score": f"{p:.2f}"},
            )
        )
    return out
