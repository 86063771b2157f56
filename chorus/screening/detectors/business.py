"""Business rules: customer and competitor remarks, confidential information, MNPI,
undisclosed endorsements, spokesperson claims, the "views are my own" note and regulated claims.

All of them key on the policy's named entities (one automaton pass, see ``engine``) plus
multilingual cue patterns over the normalized text (casefolded, accents dropped). A cue alone
never fires where an entity is required, so ordinary talk stays clean.
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache

from chorus.screening import lexicon as lx
from chorus.screening.detectors.context import Context, Emit, Hit
from chorus.screening.text import fold
from chorus.screening.types import gettext_noop


def _rx(pattern: str) -> re.Pattern[str]:
    """Compile a cue pattern written with accents; the text it runs on has none."""
    return re.compile(fold(pattern))


# ----------------------------------------------------------------------------- sentiment

_VADER_LOCK = threading.Lock()
_VADER: dict[str, float] | None = None
# VADER words that are positive in its lexicon but mostly neutral in workplace posts.
_VADER_SKIP = frozenset(
    [
        "like",
        "no",
        "please",
        "yes",
        "ok",
        "okay",
        "want",
        "pretty",
        "well",
        "lol",
        "haha",
        "kind",
        "sure",
        "free",
        "support",
        "true",
        "care",
        "share",
        "save",
        "help",
        "joke",
        "fun",
        "ha",
        "hah",
        "fine",
        "yeah",
        # false friends: ordinary function words in de/es/fr/pt that VADER scores
        "die",
        "gift",
        "con",
    ]
)
_NEGATORS = frozenset(fold(n) for n in lx.NEGATORS)
_SARCASM = tuple(fold(c) for c in lx.SARCASM_CUES)
_REPETITION = re.compile(
    r"(?<!\w)(?:" + "|".join(re.escape(fold(c)) for c in lx.REPETITION_CUES) + r")(?!\w)"
)
# Ironic frames: "about as reliable as a chocolate teapot", in five languages.
_IRONY = _rx(
    r"\b(about|roughly|just) as \w+ as\b(?! (they|it|you) (come|comes|get|gets)\b)|"
    r"\b(ungef[aä]hr|etwa|genauso) so \w+ wie\b|\b(à peu près|a peu pres) aussi \w+ que\b|"
    r"\b(m[aá]s o menos|igual de) (tan )?\w+ (como|que)\b|"
    r"\b(mais ou menos|t[aã]o) \w+ quanto\b"
)
# "approved in only eleven months", "in nur 19 Tagen": "only" before a long wait is a jab.
# A separate pattern that starts at "only" (a cheap scan), with the preposition looked back at.
_LONG_WAIT = _rx(
    r"(?<=\b(?:in|en|em) )(?:only|just|nur|solo|seulement|apenas) (?:\d\d+|[6-9]|six|seven|"
    r"eight|nine|ten|eleven|twelve|sechs|sieben|acht|neun|zehn|elf|zw[oö]lf|seis|siete|ocho|"
    r"nueve|diez|once|doce|sept|huit|neuf|dix|onze|douze|sete|oito|nove|dez|doze) "
    r"(?:months|years|monaten|jahren|meses|a[nñ]os|mois|ans|anos)\b|"
    r"(?<=\b(?:in|en|em) )(?:only|just|nur|solo|seulement|apenas) [1-9]\d "
    r"(?:days|tagen|d[ií]as|jours|dias)\b"
)
_ONLY_WORDS = (" only ", " just ", " nur ", " solo ", " seulement ", " apenas ")
# "but" and its peers: the writer's real point follows. French "mais" and Portuguese "mas"
# only after a comma (unaccented they collide with Portuguese "mais" and Spanish "más").
_CONTRAST = re.compile(
    r"(?:\s(?:but|pero|aber|doch|however|though|although|cependant|sin embargo|"
    r"por[eé]m|contudo|todavia)\s|,\s?(?:mais|mas)\s)"
)
# "Not saying Globex copied it": a negator before a verb of saying negates nothing.
_POSSESSIVES = frozenset({"their", "its", "his", "her", "our"})
_RHETORICAL = frozenset({"saying", "say", "sagen", "decir", "dire", "dizer"})
_SCARE_QUOTES = re.compile(r"(?<!\w)['\"][^'\"\n]{2,30}['\"](?!\w)")
_EXTRA_VALENCE = {fold(k): v for k, v in {**lx.NEGATIVE_EXTRA, **lx.POSITIVE_EXTRA}.items()}


def vader_lexicon() -> dict[str, float]:
    """VADER's word valences (-4..4), loaded once from the vaderSentiment package."""
    global _VADER
    if _VADER is None:
        with _VADER_LOCK:
            if _VADER is None:
                from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

                _VADER = dict(SentimentIntensityAnalyzer().lexicon)
    return _VADER


def valence(ctx: Context, start: int, end: int, skip: list[tuple[int, int]]) -> tuple[float, float]:
    """(sum, most negative term) of word valences in ``norm[start:end]``, negation-aware."""
    vader = vader_lexicon()
    consumed: list[tuple[int, int]] = list(skip)
    terms: list[tuple[int, float]] = []
    # Longest phrases first, so "attention span of a goldfish" wins over "attention span".
    phrases = sorted(ctx.hits_in(("valence",), start, end), key=lambda h: h.start - h.end)
    tokens = ctx.tokens(start, end)
    for hit in phrases:
        if " " in hit.value or not hit.value.isalpha():
            if any(a < hit.end and hit.start < b for a, b in consumed):
                continue
            value = float(str(hit.extra))
            # "isn't bad at all": a negator just before a phrase flips it too.
            before = [w for s, _, w in tokens if s < hit.start][-3:]
            if any(w in _NEGATORS or w.endswith("n't") for w in before):
                value *= -0.74
            terms.append((hit.start, value))
            consumed.append((hit.start, hit.end))
    for i, (t_start, _t_end, tok) in enumerate(tokens):
        if any(a <= t_start < b for a, b in consumed):
            continue
        valence = _EXTRA_VALENCE.get(tok)
        if valence is None and len(tok) > 4 and tok.endswith("s"):
            # Romance plurals of listed words ("lamentables", "pénibles", "inúteis" aside).
            valence = _EXTRA_VALENCE.get(tok[:-1]) or _EXTRA_VALENCE.get(tok[:-2])
        if valence is None:
            if tok in _VADER_SKIP:
                continue
            if (
                tok in ("best", "finest", "latest")
                and i
                and (tokens[i - 1][2].endswith(("'s", "’s")) or tokens[i - 1][2] in _POSSESSIVES)
            ):
                continue  # "Initech's best" is their top product, not praise
            valence = vader.get(tok)
        if valence is None:
            continue
        window = [w for _, _, w in tokens[max(0, i - 3) : i]]
        negated = [j for j, w in enumerate(window) if w in _NEGATORS or w.endswith("n't")]
        if negated and not any(w in _RHETORICAL for w in window[negated[-1] + 1 :]):
            valence *= -0.74
        terms.append((t_start, valence))
    # After "but" the writer's real point follows; weigh it more (as VADER does).
    contrast = _CONTRAST.search(ctx.norm, start, end)
    but = contrast.start() if contrast else -1
    total = 0.0
    lowest = 0.0
    for pos, valence in terms:
        if but >= 0:
            valence = valence * (1.5 if pos > but else 0.5)
        total += valence
        lowest = min(lowest, valence)
    return total, lowest


def _sarcastic(ctx: Context, start: int, end: int) -> bool:
    segment = ctx.norm[start:end]
    return any(cue in segment for cue in _SARCASM) or _ironic(ctx, start, end)


def _ironic(ctx: Context, start: int, end: int) -> bool:
    if _IRONY.search(ctx.norm, start, end):
        return True
    # Substring checks first: the long-wait pattern is rarely needed and costs a scan.
    segment = ctx.norm[start:end]
    return any(w in segment for w in _ONLY_WORDS) and bool(_LONG_WAIT.search(segment))


# ----------------------------------------------------------------------------- entities


def _entity_window(ctx: Context, hit: Hit) -> tuple[int, int]:
    """The entity's sentence, plus the next one unless it names another entity."""
    index = ctx.sentence_index(hit.start)
    start, end = ctx.sentences[index]
    if index + 1 < len(ctx.sentences):
        n_start, n_end = ctx.sentences[index + 1]
        others = [
            h
            for h in ctx.hits_in(("customer", "competitor", "org", "product"), n_start, n_end)
            if h.value != hit.value
        ]
        if not others:
            end = n_end
            # A short verdict fragment right after ("Useless.", "Never again.") is about it too.
            if index + 2 < len(ctx.sentences):
                f_start, f_end = ctx.sentences[index + 2]
                if len(ctx.tokens(f_start, f_end)) <= 4 and not any(
                    True
                    for _ in ctx.hits_in(
                        ("customer", "competitor", "org", "product"), f_start, f_end
                    )
                ):
                    end = f_end
    return start, end


def _negative_about(ctx: Context, hit: Hit) -> bool:
    start, end = _entity_window(ctx, hit)
    entity_spans = [
        (h.start, h.end)
        for h in ctx.hits_in(("customer", "competitor", "org", "product", "codename"), start, end)
    ]
    total, lowest = valence(ctx, start, end, entity_spans)
    o_start, o_end = ctx.nt.to_original(start, end)
    if _SCARE_QUOTES.search(ctx.text, o_start, o_end):
        total -= 1.0
    if _sarcastic(ctx, start, end) and total > -2.0:
        # Praise plus a sarcasm cue ("great at signing contracts, terrible at...", 🙄).
        total = -abs(total) - 1.0
    if _ironic(ctx, start, end):
        # "about as reliable as...", "in only 19 days": the frame itself is the complaint.
        total -= 1.0
    if total < 0 and _REPETITION.search(ctx.norm, start, end):
        # "yet another outage", "mal wieder nicht pünktlich": exasperation deepens a complaint.
        total -= 1.0
        lowest -= 0.5
    if total <= -2.0:
        return True
    return lowest <= -2.0 and total <= 0.0


def detect_entities(ctx: Context) -> list[Emit]:
    emits: list[Emit] = []
    for kind, rule_id, label in (
        ("customer", "customer.negative", gettext_noop("a customer")),
        ("competitor", "competitor.negative", gettext_noop("a competitor")),
    ):
        if rule_id not in ctx.compiled.rules:
            continue
        done: set[str] = set()
        # Longest form first at a position: "Umbrella Dynamics" before its head "Umbrella".
        for hit in sorted(ctx.of(kind), key=lambda h: (h.start, -h.end)):
            if hit.value in done or not _negative_about(ctx, hit):
                continue
            done.add(hit.value)
            start, end = ctx.span(hit)
            emits.append(
                Emit(
                    rule_id,
                    start,
                    end,
                    gettext_noop(
                        "This reads as a disparaging remark about {name}, {label} named in "
                        "the policy; it can harm the relationship and reflect on the company."
                    ),
                    gettext_noop("Stick to facts you can back up, or leave the company out of it."),
                    why_params={"name": hit.value, "label": label},
                )
            )
    return emits


# Customers the policy does not list: "worst client ever", "clients from hell". The generic
# noun is the target when it is someone's client (a determiner or a verdict adjective before
# it), not "customer service" or "as a customer" talk about a shop the writer buys from.
# Compiled as written (no accents in it): fold() would lower-case the group names.
_CLIENT_NOUN = re.compile(
    r"\b(?P<det>our|my|this|that|these|those|the|a|one|worst|awful|terrible|horrible|"
    r"nightmare|dreadful|clueless|impossible|rude|cheap|stingy|unbearable|"
    r"unser(e[mnrs]?)?|mein(e[mnrs]?)?|diese[mnrs]?|der|die|den|ein(e[mnr]?)?|"
    r"schlimmste[nr]?|furchtbare[nr]?|nuestros?|nuestras?|mis?|este|esta|estos|estas|el|la|"
    r"los|las|un|una|peor(es)?|nos|notre|nos|mon|ma|mes|ce|cette|ces|le|les|une|pire|"
    r"nossos?|nossas?|meus?|minhas?|esse|essa|este|esta|o|os|as|um|uma|pior(es)?)"
    r"(?: \w+)? (?P<noun>clients?|customers?|kunden?|kundin(nen)?|auftraggeber(in)?|"
    r"clientes?|clientas?|clientes?)\b"
    r"(?! (service|services|support|care|success|experience|journey|portal|base|"
    r"feedback|satisfaction|stories|story|day|days|event|summit|conference|team|teams|"
    r"meeting|meetings|call|calls|visit|visits|site|workshop|demo|onboarding|list|lists|"
    r"dienst|servicio|atendimento|atencion|exito|sucesso))"
)
_CLIENT_VERDICTS = frozenset(
    fold(w)
    for w in [
        "worst",
        "awful",
        "terrible",
        "horrible",
        "nightmare",
        "dreadful",
        "clueless",
        "impossible",
        "rude",
        "unbearable",
        "pire",
        "pior",
        "piores",
        "peor",
        "peores",
        "pénible",
        "insupportable",
        "chiant",
        "insuportável",
        "insoportable",
    ]
)
_THIRD_PERSON = frozenset(
    [
        "their",
        "its",
        "his",
        "her",
        "ses",
        "son",
        "sa",
        "leur",
        "leurs",
        "sus",
        "su",
        "seus",
        "suas",
        "seu",
        "sua",
        "ihre",
        "ihren",
        "ihrer",
        "ihrem",
        "seine",
        "seinen",
        "seiner",
        "seinem",
        "deren",
        "dessen",
    ]
)
_CLIENT_VERDICT_STEMS = ("schlimmst", "furchtbar", "unmöglich", "nervig", "schrecklich")
_CLIENT_STEMS = ("client", "customer", "kund", "auftraggeber")  # cheap pre-check
_SELF_AS_CUSTOMER = _rx(
    r"\b(as a (customer|client)|i'?m (a|their) (customer|client)|als kund(e|in)|"
    r"como (client[ea]|cliente)|en tant que client|comme client)\b"
)


def detect_unnamed_customer(ctx: Context) -> list[Emit]:
    """A disparaging remark about a client the policy does not name (cue-driven)."""
    if "customer.negative" not in ctx.compiled.rules or ctx.of("customer"):
        return []  # named customers are judged by detect_entities
    if ctx.protected:
        # Staff comparing notes on how clients treat them is protected; this cue-only
        # finding never adds to such a post.
        return []
    norm = ctx.norm
    if not any(stem in norm for stem in _CLIENT_STEMS) or _SELF_AS_CUSTOMER.search(norm):
        return []
    for match in _CLIENT_NOUN.finditer(norm):
        index = ctx.sentence_index(match.start())
        s_start, end = ctx.sentences[index]
        if index + 1 < len(ctx.sentences):
            end = ctx.sentences[index + 1][1]
        # From the clause of the noun on: "Worst weather ever, the client meeting..." is not
        # about the client.
        start = max(s_start, norm.rfind(",", s_start, match.start()) + 1)
        noun = (match.start("noun"), match.end("noun"))
        words = norm[match.start() : match.start("noun")].split()
        if any(w in _THIRD_PERSON for w in words) or any(
            True for _ in ctx.hits_in(("competitor",), s_start, end)
        ):
            continue  # "Initech promised its clients the moon": someone else's clients
        total, lowest = valence(ctx, start, end, [noun])
        if any(w in _CLIENT_VERDICTS or w.startswith(_CLIENT_VERDICT_STEMS) for w in words):
            # "the worst client", "der schlimmste Kunde": the noun phrase is the verdict.
            total, lowest = min(total, -2.0), min(lowest, -2.0)
        if _sarcastic(ctx, start, end) and total > -2.0:
            total = -abs(total) - 1.0
        if not (total <= -2.0 or (lowest <= -2.0 and total <= 0.0)):
            continue
        o_start, o_end = ctx.nt.to_original(match.start(), match.end())
        return [
            Emit(
                "customer.negative",
                o_start,
                o_end,
                gettext_noop(
                    "This reads as a disparaging remark about a client; even unnamed, a customer "
                    "can recognize themselves, and it reflects on the company."
                ),
                gettext_noop(
                    "Keep client frustrations off public channels, or raise them with your manager."
                ),
            )
        ]
    return []


# ----------------------------------------------------------------------------- confidential

_SECRECY = _rx(
    r"\b(internal[- ]only|internal use only|for internal use|do not (share|forward|post)|"
    r"don'?t (share|forward|tell anyone)|not for (public|external)|confidential|"
    r"under wraps|hush[- ]hush|keep (it|this) (quiet|secret|between us|to yourselves|"
    r"under wraps|on the down ?low)|(isn'?t|is not|not|aren'?t|are not) (public|announced|"
    r"official) yet|not yet (public|announced)|nobody('?s| has)? (outside|heard|knows)|"
    r"no one (outside|knows)|nobody outside (the|our) (company|team)|"
    r"(before|until) (the )?(press release|announcement|official announcement|it'?s announced|"
    r"launch|embargo)|patched it quietly|quietly (patched|fixed)|swept under|covered (it )?up|"
    r"didn'?t (tell|disclose)|without telling|under nda|off the record|embargo|"
    r"streng vertraulich|vertraulich|nur intern|nicht öffentlich|offiziell sagen wir noch nichts|"
    r"noch (nicht|nichts) (öffentlich|offiziell|angekündigt)|sagen wir noch nichts|"
    r"confidencial|todav[ií]a no es (p[uú]blico|oficial)|no es p[uú]blico|a[uú]n no (es|se ha)|"
    r"no se lo digáis|pas encore (public|officiel|annonc[ée])|entre nous|"
    r"ne le dites pas|ainda n[aã]o (é|foi) (p[uú]blico|oficial|anunciad)|"
    r"n[aã]o contem a ningu[eé]m|"
    # winks at secrecy: "sneak peek nobody's supposed to see", "you didn't hear it from me"
    r"sneak peek|not supposed to (see|know|share|say|tell|talk)|nobody'?s supposed to|"
    r"act surprised|you didn'?t hear (it|this|that) from me|can'?t say (any )?more|"
    # "unannounced yet, you heard it here first", "can't say much but"
    r"(still |as yet |yet )?un-?announced|not (been )?announced yet|unreleased|pre-?release|"
    r"(you )?heard it here first|can'?t say (too |that )?much|cannot say (too |that )?much|"
    r"not allowed to (say|share|talk about)|not officially|before (it'?s|it is) official|"
    r"unangek[uü]ndigt|noch geheim|ihr habt es (hier )?zuerst (von mir )?geh[oö]rt|"
    r"(hier|von mir) zuerst geh[oö]rt|kann nicht viel sagen|"
    r"sin anunciar|no anunciado|lo (oíste|oyeron|leíste) aquí primero|"
    r"no puedo decir mucho|"
    r"non annonc[ée]e?s?|vous l'avez (entendu|lu) ici en premier|"
    r"je ne peux pas en dire (beaucoup|plus)|"
    r"ainda n[aã]o anunciad[oa]s?|n[aã]o anunciad[oa]s?|ouviram aqui primeiro|"
    r"n[aã]o posso (falar|dizer) muito|"
    r"mum'?s the word|between you and me|off the books|"
    r"internal (numbers|metrics|figures|data|dashboard|report|deck|memo|roadmap|forecast|"
    r"projections?|slides?|test|tests|testing)|"
    r"nur f[uü]r uns|unter uns|darf (ich|man) (noch )?nicht (sagen|verraten|erz[aä]hlen)|"
    r"interne (zahlen|daten|roadmap|kennzahlen)|pssst|"
    r"entre nosotros|no puedo decir (nada )?m[aá]s|no se puede contar|que quede entre|"
    r"(cifras|datos|n[uú]meros) internos|hoja de ruta interna|"
    r"on n'a pas le droit d'en parler|pas le droit d'en parler|motus|chut|petit leak|"
    r"(roadmap|feuille de route|chiffres|donn[eé]es) internes?|"
    r"s[oó] entre n[oó]s|entre n[oó]s|guard(em|a|e) segredo|n[aã]o posso (falar|dizer) mais|"
    r"(n[uú]meros|dados) internos|roadmap interno)"
)
_PUBLIC = _rx(
    r"\b(announced|public (release|earnings|filing|results)|press release (today|this)|"
    r"company blog|our blog|blog post|investor site|filed|published|now available|"
    r"launched (today|this)|is out now|available today|as (the company|we) announced)\b"
)
_BUSINESS = _rx(
    r"\b(pilot|launch|launches|roadmap|release|beta|prototype|deal|contract|customer|client|"
    r"revenue|metrics|numbers|accuracy|results|quarter|feature|product|pricing|price|sunset|"
    r"sunsetting|discontinu\w*|acquisition|merger|partnership|bug|incident|outage|breach|"
    r"data[- ]loss|vulnerability|plan|spec|design|version|line|v\d|program|programme|project|"
    r"projekt|proyecto|projet|projeto|q[1-4]|layoffs?|reorg|headcount|budget|prototyp\w*|"
    r"produkt\w*|producto|produit|produto|lancement|lanzamiento|lancamento|markteinfuhrung)\b"
)
_INCIDENT = _rx(
    r"\b(data[- ]loss|breach|outage|wiped|leaked|leak|vulnerabilit\w+|exploit|recall|"
    r"defect|security hole|crash(ed)?|lost (customer )?data|corrupt\w*)\b"
)
_UNDISCLOSED = _rx(
    r"\b(quietly|silently|secretly|nobody (knows|noticed)|didn'?t (tell|disclose|announce)|"
    r"without telling|hush|covered up|never (told|disclosed)|kept (it )?quiet)\b"
)


def detect_confidential(ctx: Context, *, mnpi_found: bool = False) -> list[Emit]:
    """Codenames and unreleased products; secrecy markers in business talk; undisclosed
    incidents. A secrecy marker already explained by an MNPI finding is not repeated."""
    if "confidential.information" not in ctx.compiled.rules:
        return []
    emits: list[Emit] = []
    norm = ctx.norm
    for hit in ctx.of("codename", "unreleased"):
        if hit.kind == "codename" and not _codename_meant(ctx, hit):
            continue
        start, end = ctx.span(hit)
        what = (
            gettext_noop("an internal codename")
            if hit.kind == "codename"
            else gettext_noop("an unreleased product")
        )
        emits.append(
            Emit(
                "confidential.information",
                start,
                end,
                gettext_noop(
                    "{name} is {what}; naming it publicly, with its dates or numbers, "
                    "discloses non-public company information."
                ),
                gettext_noop("Leave out the codename and any unannounced details."),
                why_params={"name": repr(hit.value), "what": what},
            )
        )
    secrecy = _SECRECY.search(norm)
    business = ctx.has("org", "product", "customer", "competitor", "codename", "unreleased")
    if mnpi_found:
        secrecy = None
    if secrecy and (business or _BUSINESS.search(norm)) and not _pay_talk(ctx, secrecy.start()):
        start, end = ctx.nt.to_original(secrecy.start(), secrecy.end())
        emits.append(
            Emit(
                "confidential.information",
                start,
                end,
                gettext_noop("The post itself says this information is not public yet."),
                gettext_noop("Wait until it is announced, then share the public link."),
            )
        )
    elif ctx.has("org", "product") and not _PUBLIC.search(norm):
        incident = _INCIDENT.search(norm)
        if incident and _UNDISCLOSED.search(norm):
            start, end = ctx.nt.to_original(incident.start(), incident.end())
            emits.append(
                Emit(
                    "confidential.information",
                    start,
                    end,
                    gettext_noop("This describes an undisclosed incident with a company product."),
                    gettext_noop(
                        "Incidents are disclosed by the company through its own channels."
                    ),
                )
            )
    return emits


_NATURE = _rx(
    r"\b(birds?|bird ?watching|birding|feeders?|nests?|nesting|wings?|feathers?|"
    r"vogel|v[oö]gel|p[aá]jaros?|aves?|oiseaux?|p[aá]ssaros?|trail|ridge|hike|hiking|"
    r"wildlife|nature)\b|🐦|🪶|🦅|🌳"
)


_WORK = _rx(
    r"\b(ships?|shipping|goes live|go-live|tests?|testing|demo|flights?|fliegt|vuela|vole|"
    r"voa|sprint|milestone|build|firmware|next (week|month|quarter|year)|n[aä]chste woche|"
    r"la semana que viene|semaine prochaine|pr[oó]xima semana|january|february|march|april|"
    r"june|july|august|september|october|november|december|team|equipo|[eé]quipe|equipe)\b"
)


def _codename_meant(ctx: Context, hit: Hit) -> bool:
    """A codename that is also an ordinary word ("Bluebird", "Kestrel") at the start of a
    sentence means the codename only with work context; next to birds and trails, never."""
    o_start, o_end = ctx.span(hit)
    before = ctx.text[:o_start]
    written_out = " " in hit.value and o_end - o_start > len(hit.value.split()[-1])
    if before.endswith(("#", "@")) or written_out:
        return True  # "#Bluebird", "Project Kestrel" written out
    if _NATURE.search(ctx.norm):
        return False
    prev = before.rstrip()
    sentence_start = not prev or prev.endswith((".", "!", "?", ":", "\n"))
    if not sentence_start:
        return True
    return bool(
        _BUSINESS.search(ctx.norm)
        or _WORK.search(ctx.norm)
        or _SECRECY.search(ctx.norm)
        or ctx.has("org", "product", "customer", "competitor")
        or re.search(r"\d", ctx.norm)
    )


def _pay_talk(ctx: Context, pos: int) -> bool:
    """Secrecy about pay or working conditions is never confidential (Stericycle)."""
    start, end = ctx.sentence_of(pos)
    return ctx.protected and not any(
        True for _ in ctx.hits_in(("product", "customer", "competitor", "codename"), start, end)
    )


# ----------------------------------------------------------------------------- mnpi

_SECURITY = _rx(
    r"(\$[a-z]{1,5}\b|\b(stock|stocks|shares|share price|calls|puts|options|equity|"
    r"aktie|aktien|acciones|actions|ações|acoes|titres|shareholders?|stockholders?|"
    r"aktion[aä]re|accionistas|actionnaires|acionistas|investors)\b)"
)
_TRADE = _rx(
    r"\b(buy|buying|sell|selling|grab|grabbing|pick(ing)? up|load(ing)? up|dump|dumping|short|"
    r"shorting|get out|be out|bail|go long|calls|puts|position|trade|acheter|achetez|ach[eè]te|"
    r"vendre|vendez|comprar|compren|compra|comprad|vender|vendan|kaufen|kauft|verkaufen|"
    r"verkauft|compre|comprem|invest|investir|invertir|hold|holding|rethink|reconsider|"
    r"get rid of|offload|unload|stock up|stocking up|vendam|venda|vendem|vendei|compren|"
    r"comprez|achetez|vendez|kauf|verkauf|nachkaufen|einsteigen|aussteigen|"
    r"screaming buy|strong buy|vender[ií]a|comprar[ií]a|venderia|compraria|vendrais|"
    r"ach[eè]terais|w[uü]rde (jetzt )?(kaufen|verkaufen))\b"
)
_NONPUBLIC = _rx(
    r"(\binsider\b|\bbefore (the |it |they |we |our |next |\w+'?s )?"
    r"(report|reports|earnings|results|announcement|"
    r"investor day|release|leaks|is announced|announce|news|call|quarter)|isn'?t public|not public|"
    r"not yet public|isn'?t out|nobody knows|\brumou?rs?\b|rumor mill|\bin talks\b|"
    r"tracking \d+ ?% (under|over|above|below|behind|ahead)|under plan|behind plan|over plan|"
    r"miss(ing)? (guidance|the quarter|estimates|numbers)|beat(ing)? (estimates|guidance)|"
    r"i'?ve seen the (deck|numbers|results)|mega-?deal|avant (la |les |l')?(publication|annonce|"
    r"resultats)|antes (de|del|da|do|dos) (anuncio|informe|resultados|divulgac)|vor (der|den) "
    r"(veroffentlichung|zahlen|bekanntgabe)|ils vont exploser|going to (pop|moon|tank|explode|"
    r"skyrocket|crater)|to the moon|🚀|entre nous|unter uns|entre nosotros|"
    r"before\b[^.!?\n]{0,40}\b(gets|is|are|goes|get|being) (announced|public|released|out)|"
    r"nobody outside|no one outside|personne ne (le )?sait|"
    r"nadie (lo )?sabe|ningu[eé]m sabe|niemand wei(ss|ß)|"
    r"n'est pas (encore )?public|no es p[uú]blico|nicht [oö]ffentlich|n[aã]o [eé] p[uú]blico|"
    # timing tips: "before Thursday", "antes del viernes", "vor Freitag"
    r"\b(before|by|until|antes d[eo]l?|avant|vor|bis) (next |this |el |le |la |o |a |dem )?"
    r"(mon|tues|wednes|thurs|fri|satur|sun)day|\b(antes del?|hasta el) (lunes|martes|"
    r"mi[eé]rcoles|jueves|viernes)|\bavant (lundi|mardi|mercredi|jeudi|vendredi)|"
    r"\bvor (montag|dienstag|mittwoch|donnerstag|freitag)|\bantes d[ae] (segunda|ter[cç]a|"
    r"quarta|quinta|sexta)|"
    # material events hinted before they are out
    r"guidance (is )?(getting |being |going to be )?(cut|raised|lowered|slashed)|"
    r"(cut|raise|lower)(ing)? (the )?guidance|(big|huge|major|material) (news|announcement)s? "
    r"(coming|incoming|soon|next week|this week)|while (it'?s|they'?re|the price is) (still )?"
    r"(cheap|low)|allowed to say|better than expected|worse than expected|besser als erwartet|"
    r"schlechter als erwartet|mejor de lo esperado|peor de lo esperado|mieux que pr[eé]vu|"
    r"pire que pr[eé]vu|melhor do que o esperado|pior do que o esperado|"
    r"(wants|want|going|plans?|about) to (buy|acquire) us|(se viene|viene) una (adquisici[oó]n|"
    r"fusi[oó]n|compra)|weiss (das )?(noch )?keiner|noch weiss das keiner|🤐)"
)
# Cues added for phrasing outside English; a separate pattern anchored on word starts, run
# only when the main one finds nothing (it is the slower scan).
_NONPUBLIC_MORE = _rx(
    r"\b(?:"
    # the announcement comes later: "offiziell erst nächste Woche", "o anúncio sai só na segunda"
    r"offiziell erst|erst (n[aä]chste|am|ab) |(announced|announcement) (only )?(next|on|not "
    r"until)|not announced until|(el )?anuncio (sale|es|ser[aá]) (el|la|hasta)|"
    r"l'annonce (sera|est pr[eé]vue|tombe)|o an[uú]ncio (sai|ser[aá]|[eé]) s[oó]|"
    r"(vai|va|se va a|wird) (voar|explodir|disparar|exploser|d[eé]coller|dispararse|explodieren)|"
    # a guidance change before it is published, in es/fr/pt/de
    r"(rebajar|bajar|recortar|subir|elevar) (las |nuestras )?previsiones|"
    r"(abaisser|relever|baisser|r[eé]viser) (ses |les |nos )?pr[eé]visions|"
    r"(rebaixar|cortar|reduzir|elevar) (o |a |as |nosso |nossa )?(guidance|proje[cç][oõ]es|"
    r"previs[oõ]es)|prognose (senken|anheben|kappen|gesenkt|angehoben)|"
    # present or future tense: "numbers are way above guidance" (not "came in above")
    r"(are|is|will be|look|looks|looking) (way |well |far )?(above|below) guidance)"
)


def detect_mnpi(ctx: Context) -> list[Emit]:
    if "securities.mnpi" not in ctx.compiled.rules:
        return []
    norm = ctx.norm
    ticker = ctx.of("ticker")
    security = _SECURITY.search(norm)
    if not ticker and not (security and ctx.has("org")):
        return []
    trade = _TRADE.search(norm)
    nonpublic = _NONPUBLIC.search(norm) or _NONPUBLIC_MORE.search(norm)
    if not (trade and nonpublic):
        return []
    if ticker:
        start, end = ctx.span(ticker[0])
    else:
        assert security is not None
        start, end = ctx.nt.to_original(security.start(), security.end())
    return [
        Emit(
            "securities.mnpi",
            start,
            end,
            gettext_noop(
                "This pairs the company's securities with trading talk and information that is "
                "not public; that can be insider trading or tipping."
            ),
            gettext_noop("Remove it. Talk about results only after they are published."),
        )
    ]


# ----------------------------------------------------------------------------- endorsement

_DISCLOSED = _rx(
    r"\b(i work (at|for|on|in|with|there|here)|i'?m (an? )?\w+ (at|for) |i lead|my (employer|"
    r"company|team|colleagues)|our team|we (built|make|made|designed|ship|shipped)|employee|"
    r"employees|disclosure|i'?m with|joined (the )?\w* ?team|rejoint|trabajo (en|para)|"
    r"trabalho (na|no|para|em)|ich arbeite (bei|fur)|mein arbeitgeber|je travaille (chez|pour)|"
    r"mon employeur|mi empresa|minha empresa|nuestro equipo|notre equipe|unser team|"
    r"yours truly|i helped (build|design|make))\b|#ad\b|#sponsored|#partner|#werbung|#publi"
)
_PROMO = _rx(
    r"\b(best|the only .{0,40}(recommend|use|trust)|recommend|nothing (else )?comes close|"
    r"game[- ]?changer|must[- ]have|hands down|no[- ]brainer|the answer|you'?re welcome|"
    r"garantiza|garantit|garante|garantiert|"
    r"easy choice|should (have|get|buy|try|use|order)|(love|loving) (it|them|my|our)|changed "
    r"(my|our|how)|will change|change how|guaranteed|go order|beste|mejor|meilleur|melhor|"
    r"ganz klar|sin duda|sans hesiter|sem duvida|imprescindible|incontournable|"
    # comparisons and rhetorical pushes: "not even close", "what are you even doing?"
    r"not even close(?=\s*[.!]|$)|no contest|in a different league|in another league|"
    r"what are you (even )?(doing|waiting for)|if (you|your \w+) (don'?t|doesn'?t|aren'?t|"
    r"isn'?t) (run|use|using|running|have|on|got) [\w ]{0,20}yet|"
    r"(the|der|die|das|el|la|le|o|a) (only|einzige|unico|unica|seul|seule) "
    r"[^.!?\n]{0,40}(that|which|das|der|die|que|qui) (actually |really |wirklich |"
    r"realmente |vraiment )?(works?|funktioniert|funciona|marche|fonctionne)|"
    r"(le|la) plus \w+ du march[eé]|(el|la) m[aá]s \w+ del mercado|(o|a) mais \w+ do "
    r"mercado|the most \w+ (on the market|out there|in the industry)|\w+ste auf dem markt|"
    r"a qu[eé] esper[aá]is|qu'attendez-vous|worauf wartet ihr|o que (voc[eê]s? )?"
    r"(est[aá]|est[aã]o) esperando|unschlagbar|imbatible|imbattable|imbat[ií]vel|"
    r"gamechanger|cambi[oó] la vida|me ha cambiado la vida|a chang[eé] ma vie|"
    r"mudou minha vida|hat mein leben ver[aä]ndert)\b"
)
_CTA = _rx(
    r"(?:^|[.!?:,;]\s*|\b(?:go|just|and|please|then|should|must|gotta|to)\s+)"
    r"(book|order|buy|try|grab|check out|sign up|request|schedule|switch to|upgrade to|"
    r"go with|testet|probad|prueben|pruebalo|essayez|commandez|achetez|experimentem|"
    r"experimente|comprem|kauft|bestellt|foncez|allez-y|pedidlo|p[ií]delo|pedid|pedilo|"
    r"holt euch|hol dir|unbedingt ausprobieren|ausprobieren|probadlo|pru[eé]benlo|"
    r"testez|essayez-le|pe[cç]a j[aá]|corram|experimentem|switch already|"
    r"go get|get yours)\b"
)
NOT_PROMO = _rx(
    r"\b(open role|we'?re hiring|hiring|job opening|apply|careers|vacanc\w+|position|"
    r"stellenangebot|vaga|oferta de empleo|offre d'emploi)\b"
)


def disclosed(ctx: Context) -> bool:
    """The post says the author works here (hashtags, policy phrases, "I work at"...)."""
    norm = ctx.norm
    if any(tag in norm for tag in ctx.compiled.hashtags):
        return True
    if any(phrase in norm for phrase in ctx.compiled.disclosure_phrases):
        return True
    return bool(_DISCLOSED.search(norm))


def detect_endorsement(ctx: Context) -> list[Emit]:
    if "disclosure.employment" not in ctx.compiled.rules:
        return []
    products = ctx.of("product")
    orgs = ctx.of("org")
    if not products and not orgs:
        return []
    norm = ctx.norm
    if NOT_PROMO.search(norm) or disclosed(ctx):
        return []
    promo = _PROMO.search(norm)
    cta = _CTA.search(norm)
    target: Hit | None = None
    if products and (promo or cta):
        target = products[0]
    elif orgs and promo:
        target = orgs[0]
    if target is None and products and _disparages_competitor(ctx):
        # "Globex's drone is a toy next to Skylift": running down a competitor next to our
        # product promotes it as surely as praise does.
        target = products[0]
        promo = promo or cta
    if target is None:
        return []
    # Praise has to be about our product: a negative post is not an endorsement.
    start, end = 0, len(norm)
    total, _ = valence(ctx, start, end, [])
    if total <= -3.0 and not promo:
        return []
    o_start, o_end = ctx.span(target)
    return [
        Emit(
            "disclosure.employment",
            o_start,
            o_end,
            gettext_noop(
                "This promotes {name} without saying you work for "
                "{organization}; readers must know about the connection."
            ),
            f"Add a disclosure such as {_first_hashtag(ctx)} or 'I work at {_short_name(ctx)}'.",
            why_params={
                "name": target.value,
                "organization": ctx.compiled.policy.organization.name,
            },
        )
    ]


def _disparages_competitor(ctx: Context) -> bool:
    return "competitor.negative" in ctx.compiled.rules and any(
        _negative_about(ctx, hit) for hit in ctx.of("competitor")
    )


def _short_name(ctx: Context) -> str:
    org = ctx.compiled.policy.organization
    return org.aliases[0] if org.aliases else org.name


def _first_hashtag(ctx: Context) -> str:
    tags = ctx.compiled.policy.effective_hashtags()
    if len(tags) > 5:
        return tags[5] if tags[5].endswith("Employee") else tags[0]
    return tags[0] if tags else "#Employee"


# ----------------------------------------------------------------------------- spokesperson


@lru_cache(maxsize=64)
def _spokesperson_rx(orgs: tuple[str, ...]) -> re.Pattern[str]:
    org = "(?:" + "|".join(re.escape(o) for o in sorted(orgs, key=len, reverse=True)) + ")"
    company = rf"(?:the (?:whole |entire )?(?:company|firm|organization|organisation)|{org})"
    return re.compile(
        rf"\bon behalf of {company}|\bas {org}(?:'s?)? (?:official )?(?:representative|"
        rf"spokesperson|spokesman|spokeswoman|voice)\b|\b(?:speaking|speak|i speak|i'?m speaking)"
        rf" (?:for|on behalf of) (?:the (?:whole |entire )?(?:company|firm|team)|{org}|all of "
        rf"{org}|everyone at {org})|{org}(?:'s?)? (?:formal|official) (?:response|statement|"
        rf"position|reply|stance)|\b(?:officially|on the record|official statement)\b"
        rf"[^.!?\n]{{0,30}}"
        rf"\b(?:for |from )?{company}|\b(?:em nome d[ao]|en nombre de|au nom de|im namen (?:von|"
        rf"der|des)) (?:la |le |l'|der |die )?{company}|"
        rf"\b(?:as|como|en tant que|als|enquanto) (?:the |an? |el |la |le |o |a |der |die )?"
        rf"(?:official |oficial |officiel(?:le)? |offizielle[rn]? )?(?:spokesperson|spokesman|"
        rf"spokeswoman|portavoz|porte-parole|sprecher(?:in)?|porta-voz) (?:(?:of|for|de|da|do|"
        rf"von|der|des|f[uü]r|pour) )?(?:la |le |l'|der |die )?{company}|"
        rf"\b(?:officiellement|offiziell|oficialmente) (?:pour|au nom de|f[uü]r|im namen von|"
        rf"para|por|en nombre de|pela|pelo|em nome da) (?:la |le |l'|a |o )?{company}|"
        rf"\bthe company'?s (?:official )?"
        rf"(?:position|statement) is\b"
    )


_DISCLAIMER = _rx(
    r"\b(views are my own|opinions are my own|my own (views|opinions)|personal (views|opinion)|"
    r"not speaking (for|on behalf)|don'?t (speak for|represent)|do not (speak for|represent)|"
    r"meine (eigene )?meinung|opiniones (son )?m[ií]as|mis opiniones|opinion personnelle|"
    r"mes opinions|opini[oõ]es (s[aã]o )?minhas|privat hier|views (are )?my own|"
    r"just my (take|opinion|two cents)|(not|no|kein|pas|n[aã]o [eé]) (an? |eine |una |un |uma )?"
    r"(official|offizielle|oficial|officielle) (statement|stellungnahme|declaraci[oó]n|"
    r"d[eé]claration|declara[cç][aã]o)|mi opini[oó]n personal|minha opini[aã]o pessoal|"
    r"avis perso\w*|nur meine meinung)\b"
)
_COMPANY_NEWS = _rx(
    r"\b(strategy|announce\w*|news|launch\w*|acqui\w+|deal|pricing|price|decision|earnings|"
    r"results|response|article|regulation|partnership|ceo|leadership|roadmap|layoff|merger|"
    r"lawsuit|statement|press)\b"
)


def detect_spokesperson(ctx: Context) -> list[Emit]:
    rules = ctx.compiled.rules
    norm = ctx.norm
    disclaimer = _DISCLAIMER.search(norm) or any(p in norm for p in ctx.compiled.disclosure_phrases)
    emits: list[Emit] = []
    if "identity.spokesperson" in rules and not disclaimer:
        match = _spokesperson_rx(ctx.compiled.org_names).search(norm)
        if match:
            start, end = ctx.nt.to_original(match.start(), match.end())
            emits.append(
                Emit(
                    "identity.spokesperson",
                    start,
                    end,
                    gettext_noop(
                        "This presents the post as an official company statement; only authorized "
                        "spokespeople speak on behalf of the company."
                    ),
                    gettext_noop(
                        "Speak for yourself ('I think...'), or ask the communications team to post "
                        "the official statement."
                    ),
                )
            )
    if (
        "disclosure.views_own" in rules
        and not emits
        and not disclaimer
        and not ctx.protected
        and ctx.has("org", "product")
        and _COMPANY_NEWS.search(norm)
    ):
        hit = ctx.of("org", "product")[0]
        start, end = ctx.span(hit)
        emits.append(
            Emit(
                "disclosure.views_own",
                start,
                end,
                gettext_noop(
                    "You comment on the company's news or strategy; readers may take it as "
                    "official."
                ),
                gettext_noop("Consider adding 'Views are my own.'"),
            )
        )
    return emits


# ----------------------------------------------------------------------------- claims

_PROMISE = _rx(
    r"\b(guaranteed|guarantee[sd]?|risk[- ]free|no[- ]risk|zero[- ]risk|no downside|"
    r"can'?t[- ]lose|cannot lose|never loses?|never lose|sure thing|locked in|clinically proven|"
    r"proven to|cures?|cured|reverses?|reversed|heals?|healed|works for everyone|works every "
    r"time|100 ?% (of|success|guaranteed|safe|seguro|segura|sicher|s[uû]r|sure)|"
    r"garantiert[e]?[nrs]?|garantizad[oa]s?|garantiza|garantizan|garantit|garante|"
    r"sin riesgos?|garantie|garanties|sans risque|garantid[oa]s?|sem risco|cura|cur[oó]|"
    r"gu[eé]rit|gu[eé]rir|gu[eé]rissent|heilt|heilen|geheilt|curan|curam|garanti|"
    r"risikofrei|risikolos|ohne risiko|sin ning[uú]n riesgo|sans aucun risque|"
    r"sem (nenhum )?risco( nenhum)?)\b"
)
_NEGATED_PROMISE = _rx(r"\b(no|not|nothing|isn'?t|is never|nothing is|never) (\w+ )?$")
_CLAIM_DOMAIN = _rx(
    r"(\d+ ?%|[$€£] ?\d|\b(returns?|profits?|invest\w*|fund|trade|trading|options|stocks?|"
    r"crypto|income|a (year|month|week|day)|per (year|month|week)|yield|roi|gains?|"
    r"productivity|disease|cancer|diabetes|heart|injur\w*|pain|illness|covid|weight|"
    r"blood pressure|arthritis|depression|anxiety|immune|krankheit|enfermedad|maladie|"
    r"doenca|rendite|rendimiento|rendement|rendimento|lucro|ganancias|results|asthma|"
    r"allerg\w*|migraines?|insomnia|acne|eczema|psoriasis|obesity|cholesterol|thyroid|"
    r"inflammation|infection|symptoms?|disorder|syndrome|inhaler|insulin|medication|"
    r"diab[eè]t\w*|ansiedad|ansiedade|anxi[eé]t[eé]|angst|depresi[oó]n|depress[aã]o|"
    r"d[eé]pression|krebs|cancro|asma|asthme|dolor|douleur|dor|schmerz\w*|blutdruck|"
    r"presi[oó]n arterial|press[aã]o arterial|tension|colesterol|cholest[eé]rol|gewinne?|"
    r"beneficios|ganhos|gains|profit|artritis|arthrite|artrite|arthrose|migr[aä]nen?|"
    r"jaqueca|enxaqueca|al mes|por mes|im monat|pro monat|pro jahr|par mois|ao m[eê]s|"
    r"por m[eê]s|al a[nñ]o|par an|ao ano|krypto|cripto|crypto-monnaie|resultados|r[eé]sultats|"
    r"ergebnisse|lesi[oó]n|lesiones|les[aã]o|les[oõ]es|blessures?|verletzung\w*|"
    r"r[uü]ckenschmerz\w*|back pain)\b)"
)


# (Written with [^\w]: _rx lower-cases the pattern, which would turn \W into \w.)
# A promise followed closely by a promised outcome is a guaranteed-result claim whatever the
# domain: "Guaranteed to double your warehouse throughput", "garantiert doppelter Umsatz".
_RESULT = _rx(
    r"[^\w]*(\w+[^\w]+){0,4}?(double|doubles|doubling|triple|triples|quadruple|halve|halves|"
    r"\d+ ?x|\d+ ?%|\d+ times|twice|cut|cuts|slash|slashes|boost|boosts|increase|increases|"
    r"multiply|save|saves|more (sales|revenue|leads|throughput|output|customers)|"
    r"verdoppel\w*|verdreifach\w*|halbier\w*|steiger\w*|doppelte[nmrs]?|"
    r"duplica\w*|triplica\w*|aumenta\w*|reduci\w*|reduz\w*|dobra\w*|"
    r"doubler|double[rz]?|tripler|augmente\w*|r[eé]dui\w*|multipli\w*)\b"
)


def detect_claims(ctx: Context) -> list[Emit]:
    if "claims.regulated" not in ctx.compiled.rules:
        return []
    norm = ctx.norm
    for match in _PROMISE.finditer(norm):
        head = norm[max(0, match.start() - 20) : match.start()]
        if _NEGATED_PROMISE.search(head) and not match.group(0).startswith("never"):
            continue
        index = ctx.sentence_index(match.start())
        lo = ctx.sentences[max(0, index - 1)][0]
        hi = ctx.sentences[min(len(ctx.sentences) - 1, index + 1)][1]
        if not _CLAIM_DOMAIN.search(norm, lo, hi) and not _RESULT.match(
            norm, match.end(), min(len(norm), match.end() + 60)
        ):
            continue
        start, end = ctx.nt.to_original(match.start(), match.end())
        return [
            Emit(
                "claims.regulated",
                start,
                end,
                gettext_noop(
                    "Guaranteed returns, risk-free promises and cure claims are regulated; they "
                    "mislead readers and can expose you and the company."
                ),
                gettext_noop("Describe your own experience without promising results."),
            )
        ]
    return []
