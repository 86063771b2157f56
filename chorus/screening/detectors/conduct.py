"""Harassment, threats, slurs and profanity (lexicons plus the statistical model).

Decisions, in order of precedence:

- threats (``conduct.threats``) and slurs (``conduct.harassment`` at full severity) are never
  lowered by protected activity;
- an insult needs a target in the same sentence (a person word, an @mention, "you", or a
  copula frame such as "X is a weasel"); it is reported one step lower (``insult_severity``);
- strong profanity aimed at a person ("fuck you") is an insult; otherwise it is ``profanity``;
- the statistical model only adds a finding when no lexicon finding exists, and only for a
  post aimed at someone (``harassment``); English posts use a lower threshold than others
  because the model was trained on English only.
"""

from __future__ import annotations

import re
from functools import lru_cache

from chorus.screening import lexicon as lx
from chorus.screening.detectors.context import Context, Emit, Hit
from chorus.screening.offensive import get_model
from chorus.screening.types import gettext_noop

_THREATS = re.compile("|".join(f"(?:{p})" for p in lx.THREAT_PATTERNS))
_MENTION = re.compile(r"(?<![\w@])@\w{2,}")
_FRAMED_ONLY = frozenset(lx.INSULTS_FRAMED_ONLY)
_WEAK_PROFANITY = frozenset(lx.PROFANITY_WEAK)
_AMBIGUOUS_SLURS = frozenset(
    {"macaco", "mongol", "homo", "homos", "cripple", "bicha", "tard", "coon", "mongo", "moro"}
)
# French "retard" means delay ("deux mois de retard", "en retard"): after these words it is
# the ordinary noun, never the English slur.
_FRENCH_RETARD = re.compile(
    r"(?:\b(?:de|d'|en|du|des|un|le|les|avec|sans|mon|ton|son|notre|votre|leur|leurs|gros|petit|"
    r"quel|ce|au|aux|sur|par|pris|accumule)\s*|\bd')$"
)
_FRAME_WORDS = frozenset(
    [
        "is",
        "are",
        "was",
        "were",
        "'s",
        "'re",
        "am",
        "be",
        "being",
        "such",
        "so",
        "as",
        "you",
        "ur",
        "u",
        "ya",
        "your",
        "total",
        "complete",
        "absolute",
        "utter",
        "real",
        "fucking",
        "bloody",
        "ist",
        "bist",
        "sind",
        "war",
        "waren",
        "ein",
        "eine",
        "einer",
        "so",
        "du",
        "ihr",
        "es",
        "eres",
        "son",
        "sois",
        "era",
        "fue",
        "un",
        "una",
        "est",
        "es",
        "t'es",
        "etait",
        "sont",
        "une",
        "um",
        "uma",
        "é",
        "e",
        "és",
        "sao",
        "são",
        "foi",
        "seu",
        "sua",
        "what",
        "espece",
        "pedazo",
        "bande",
        "tas",
        "quel",
        "quelle",
        "que",
        # French demonstrative insult frame: "ce con de stagiaire", "cette idiote de..."
        "ce",
        "cet",
        "cette",
    ]
)
_TARGET_AFTER = re.compile(
    r"\s*(?:you|u|ya|him|her|them|off|yourself|this guy|that guy|@\w+|dich|dir|euch|"
    r"te|toi|vous|voce|vc)\b"
)
_PERSON_NAME = re.compile(r"(?<![\w@#])[A-ZÀ-Ý][a-zà-ÿ]{2,}(?:\s[A-ZÀ-Ý][a-zà-ÿ]+)?")
# Offensive words the model leans on that are not in the lexicon; used to place a span.
_INSULT_SEVERITY_DEFAULT = "medium"

#: The blended model also scores mild words ("damn", "hell", "garbage") as offensive, so in
#: employee posts it only adds a finding for a post aimed at someone, at a high score.
#: Untargeted profanity is left to the lexicon, whose mild/strong line is reviewed by people.
MODEL_FINDING_THRESHOLD = 0.85
#: For English posts (the model's training language) aimed at someone, the threshold picked
#: on TweetEval validation under the constraint of no new finding on screening-dev and the
#: held-out-like set.
ENGLISH_TARGETED_THRESHOLD = 0.40
_EN_WORDS = frozenset(
    [
        "the", "a", "an", "you", "your", "you're", "i", "i'm", "is", "are", "was", "be", "to",
        "of", "and", "in", "on", "it", "that", "this", "my", "me", "for", "with", "so", "what",
        "he", "she", "they", "his", "her", "him", "them", "just", "not", "do", "don't", "at",
        "like",
    ]
)  # fmt: skip
_OTHER_WORDS = frozenset(
    [
        "der", "die", "das", "und", "ist", "nicht", "ich", "du", "wir", "ein", "eine", "el",
        "la", "los", "las", "que", "es", "y", "en", "un", "una", "por", "para", "le", "les",
        "et", "est", "je", "tu", "nous", "des", "une", "pas", "ne", "o", "os", "as", "não",
        "nao", "eu", "voce", "você", "com", "uma", "mas",
    ]
)  # fmt: skip


def _looks_english(ctx: Context) -> bool:
    tokens = [tok for _, _, tok in ctx.tokens(0, len(ctx.norm))]
    en = sum(tok in _EN_WORDS for tok in tokens)
    other = sum(tok in _OTHER_WORDS for tok in tokens)
    return en >= 2 and en > 2 * other


def _insult_severity(ctx: Context) -> str:
    rule = ctx.compiled.rules.get("conduct.harassment")
    value = (rule.params or {}).get("insult_severity") if rule else None
    return value if isinstance(value, str) else _INSULT_SEVERITY_DEFAULT


def _framed(ctx: Context, hit: Hit) -> bool:
    """An insult word in a predicate or address frame ('is a weasel', 'you idiot')."""
    sentence_start, _ = ctx.sentence_of(hit.start)
    before = ctx.tokens(sentence_start, hit.start)[-4:]
    return any(tok in _FRAME_WORDS for _, _, tok in before)


def _has_target(ctx: Context, start: int, end: int) -> bool:
    """A person or group in ``norm[start:end]`` (checked sentence by sentence)."""
    for s_start, s_end in ctx.sentences:
        lo, hi = max(start, s_start), min(end, s_end)
        if lo < hi and _has_target_in_sentence(ctx, lo, hi):
            return True
    return False


def _has_target_in_sentence(ctx: Context, start: int, end: int) -> bool:
    if any(True for _ in ctx.hits_in(("target", "executive"), start, end)):
        return True
    o_start, o_end = ctx.nt.to_original(start, end)
    segment = ctx.text[o_start:o_end]
    if _MENTION.search(segment):
        return True
    # A capitalized name that is not the first word of the sentence and not a known entity.
    entity_spans = [ctx.span(h) for h in ctx.of("org", "product", "customer", "competitor")]
    first = True
    for match in _PERSON_NAME.finditer(segment):
        abs_start = o_start + match.start()
        if first and not segment[: match.start()].strip():
            first = False
            continue
        first = False
        if any(a <= abs_start < b for a, b in entity_spans):
            continue
        return True
    return False


def _entity_in_sentence(ctx: Context, pos: int) -> bool:
    start, end = ctx.sentence_of(pos)
    return any(True for _ in ctx.hits_in(("customer", "competitor"), start, end))


def detect(ctx: Context) -> list[Emit]:
    """All conduct findings for one post."""
    emits: list[Emit] = []
    rules = ctx.compiled.rules
    harassment_on = "conduct.harassment" in rules
    threats_on = "conduct.threats" in rules
    profanity_on = "conduct.profanity" in rules
    insult_sev = _insult_severity(ctx)
    covered: list[tuple[int, int]] = []

    if (threats_on or harassment_on) and ctx.has("threat_trigger"):
        match = _THREATS.search(ctx.norm)
        if match:
            start, end = ctx.nt.to_original(match.start(), match.end())
            emits.append(
                Emit(
                    "conduct.threats" if threats_on else "conduct.harassment",
                    start,
                    end,
                    gettext_noop(
                        "This reads as a threat of harm against a person; threats are never "
                        "protected, whatever the context."
                    ),
                    gettext_noop(
                        "Remove the threat. If you feel unsafe or need to raise a concern, "
                        "contact HR or security."
                    ),
                )
            )
            covered.append((match.start(), match.end()))

    if harassment_on:
        for hit in ctx.of("slur"):
            sentence = ctx.sentence_of(hit.start)
            if hit.value in _AMBIGUOUS_SLURS and not _has_target(ctx, *sentence):
                continue
            if hit.value.startswith("retard") and _FRENCH_RETARD.search(
                ctx.norm[max(0, hit.start - 12) : hit.start]
            ):
                continue
            if hit.value.startswith("homo") and ctx.norm[hit.end : hit.end + 8].strip().startswith(
                ("sapiens", "erectus")
            ):
                continue
            start, end = ctx.span(hit)
            emits.append(
                Emit(
                    "conduct.harassment",
                    start,
                    end,
                    gettext_noop("This is a slur: it demeans people for who they are."),
                    gettext_noop("Remove the slur."),
                )
            )
            covered.append((hit.start, hit.end))
        for hit in ctx.of("insult"):
            if any(a <= hit.start < b for a, b in covered):
                continue
            if _entity_in_sentence(ctx, hit.start):
                continue  # a remark about a customer or competitor is judged there
            sentence = ctx.sentence_of(hit.start)
            framed = _framed(ctx, hit)
            if hit.value in _FRAMED_ONLY:
                if not (framed and _has_target(ctx, *sentence)):
                    continue
            elif not (framed or _has_target(ctx, *sentence)):
                continue
            start, end = ctx.span(hit)
            emits.append(
                Emit(
                    "conduct.harassment",
                    start,
                    end,
                    gettext_noop(
                        "This insults a person; demeaning a colleague or anyone else by name or "
                        "handle is harassment."
                    ),
                    gettext_noop("Criticize the work or the decision, not the person."),
                    severity=insult_sev,
                    lowerable=True,
                )
            )
            covered.append((hit.start, hit.end))

    strong = [h for h in ctx.of("profanity") if h.value not in _WEAK_PROFANITY]
    profane = ctx.of("profanity") if strong else []
    for hit in profane:
        if any(a < hit.end and hit.start < b for a, b in covered):
            continue
        start, end = ctx.span(hit)
        targeted = bool(_TARGET_AFTER.match(ctx.norm, hit.end))
        if targeted and harassment_on:
            emits.append(
                Emit(
                    "conduct.harassment",
                    start,
                    end,
                    gettext_noop("Profanity aimed at a person reads as an insult."),
                    gettext_noop("Say what went wrong without swearing at anyone."),
                    severity=insult_sev,
                    lowerable=True,
                )
            )
        elif profanity_on:
            emits.append(
                Emit(
                    "conduct.profanity",
                    start,
                    end,
                    gettext_noop(
                        "Strong profanity in a post tied to your work reflects on you and the team."
                    ),
                    gettext_noop("Consider a milder word."),
                    lowerable=True,
                )
            )
        covered.append((hit.start, hit.end))

    if not covered and harassment_on:
        emits.extend(_model_findings(ctx, insult_sev))
    return emits


@lru_cache(maxsize=1)
def _threshold() -> float:
    return MODEL_FINDING_THRESHOLD


def _model_findings(ctx: Context, insult_sev: str) -> list[Emit]:
    model = get_model()
    if model is None or len(ctx.norm) < 8:
        return []
    if any(_entity_in_sentence(ctx, s) for s, _ in ctx.sentences):
        return []  # a remark about a customer or competitor is judged there
    targeted = _has_target(ctx, 0, len(ctx.norm))
    if not targeted:
        # Untargeted: the lexicon decides (measured: a model path here adds nothing on
        # TweetEval, where nearly every tweet has an @user target, and flags mild words).
        return []
    # The model was trained on English tweets only: elsewhere it keys on function words
    # ("die", "el", French "retard"), so other languages keep the strict threshold.
    threshold = ENGLISH_TARGETED_THRESHOLD if _looks_english(ctx) else _threshold()
    score = model.score_if_at_least(ctx.text, threshold)
    if score is None:
        return []
    start, end = 0, len(ctx.text)
    for term in model.top_word_terms(ctx.text):
        pos = ctx.norm.find(term)
        if pos >= 0:
            start, end = ctx.nt.to_original(pos, pos + len(term))
            break
    why = gettext_noop(
        "The offensive-language model rates this post {score} likely offensive, and it is "
        "aimed at someone."
    )
    rules = ctx.compiled.rules
    if "conduct.harassment" in rules:
        return [
            Emit(
                "conduct.harassment",
                start,
                end,
                why,
                gettext_noop("Criticize the work or the decision, not the person."),
                severity=insult_sev,
                lowerable=True,
                why_params={"score": f"{score:.0%}"},
            )
        ]
    return []
