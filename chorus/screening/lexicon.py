"""Word lists used by the detectors (en, de, es, fr, pt).

Plain data, reviewed by people: every list says what a hit means. Terms are written in their
natural form; the engine folds them (casefold, accents dropped) and, for the conduct lists, also
matches their de-obfuscated skeleton. Lists hold general vocabulary only, never sentences taken
from an evaluation set. Offensive terms appear here because a filter has to name what it filters.
"""

from __future__ import annotations

from typing import Final

# ----------------------------------------------------------------------------- conduct

#: Strong profanity: untargeted -> profanity; aimed at a person -> harassment (insult).
#: Mild words ("damn", "hell", "crap", "sucks") are deliberately absent.
PROFANITY: Final = (
    # en
    "fuck", "fucking", "fucked", "fucker", "fuckin", "fck", "fcking", "fuk", "fucks", "fuckup",
    "fucktard", "motherfucker", "motherfucking", "mf", "wtf", "stfu", "gtfo", "shit", "shitty",
    "shite", "shitting", "shitshow", "shithole", "bullshit", "horseshit", "batshit", "cunt",
    "cunts", "goddamn", "goddamnit", "bollocks", "arsehole", "piss off", "pissed off", "jfc",
    "clusterfuck", "fml", "🖕", "🖕🏻", "🖕🏼", "🖕🏽", "🖕🏾", "🖕🏿",
    # de
    "scheiße", "scheisse", "scheiss", "scheiß", "verfickt", "fick", "ficken", "kacke", "mist",
    "verdammte scheiße", "arschloch",
    # es
    "mierda", "joder", "jodido", "coño", "carajo", "hostia", "me cago", "puta madre", "cojones",
    "chingada", "chingado", "verga", "pinche", "hostia puta", "puta vida", "puto", "putos",
    "me cago en",
    # fr
    "merde", "putain", "bordel de merde", "fait chier", "chier", "enculé", "enfoiré", "bordel",
    "nique", "niquer",
    # pt
    "merda", "porra", "caralho", "foda-se", "foda", "fodido", "puta que pariu", "cacete", "bosta",
)  # fmt: skip

#: German swear prefixes that form compounds ("Scheißtag", "Scheißwetter"): they count as
#: strong profanity also when glued to the following noun, not only as whole words.
PROFANITY_PREFIXES: Final = ("scheiß", "scheiss")

#: Profanity that is too mild or ambiguous alone; counts only next to a strong word.
PROFANITY_WEAK: Final = ("bordel", "mist", "kacke", "hostia", "foda", "verga", "chier")

#: Insults: demeaning words for a person. A finding needs a target in the same clause.
INSULTS: Final = (
    # en
    "idiot", "idiots", "moron", "morons", "imbecile", "stupid", "dumb", "dumbass", "dimwit",
    "dim", "useless", "incompetent", "loser", "losers", "pathetic", "weasel", "spineless",
    "coward", "cowards", "clown", "clowns", "bitch", "bitches", "asshole", "assholes", "ass",
    "dick", "dickhead", "prick", "jerk", "douche", "douchebag", "scumbag", "piece of shit",
    "waste of space", "waste of oxygen", "brain-dead", "braindead", "halfwit", "nitwit",
    "cretin", "twat", "wanker", "tosser", "pig", "slut", "whore", "hoe", "creep", "freak",
    "psycho", "bimbo", "airhead", "lazy", "worthless", "trash", "garbage", "snake", "rat",
    "liar", "fraud", "parasite", "degenerate", "subhuman", "vermin", "ugly", "fat", "fatso",
    "dumb cow", "cow", "pussy", "sucks",
    # de
    "idiot", "vollidiot", "depp", "trottel", "blöd", "blöde", "dumm", "dumme", "dummkopf",
    "dumme kuh", "kuh", "arschloch", "wichser", "hure", "schlampe", "penner", "versager",
    "hohlkopf", "spast", "missgeburt", "nutte", "sau", "schwein", "lügner", "feigling",
    "vollpfosten", "witzfigur", "schleimer", "schwätzer", "blender", "hochstapler", "lappen",
    "flachpfeife", "knalltüte", "dumm wie brot", "strohdumm",
    # es
    "idiota", "imbécil", "estúpido", "estúpida", "pendejo", "pendeja", "gilipollas", "cabrón",
    "cabrona", "tonto", "tonta", "inútil", "puta", "zorra", "payaso", "mentiroso", "cobarde",
    "subnormal", "tarado", "tarada", "basura", "rata", "perra", "mamón",
    "pringado", "pringada", "farsante", "baboso", "babosa", "gusano", "incompetente",
    "inútiles", "idiotas", "payasos",
    # fr
    "connard", "connasse", "conne", "con", "idiot", "idiote", "débile", "salope", "crétin",
    "crétine", "abruti", "abrutie", "pute", "nul", "nulle", "minable", "lâche", "menteur",
    "menteuse", "pauvre type", "bouffon", "imbécile", "ordure", "raclure", "tocard",
    "bon à rien", "bonne à rien", "tire-au-flanc", "lèche-bottes", "nullard", "incapable",
    "imposteur", "crétins", "abrutis", "connards",
    # pt
    "idiota", "burro", "burra", "otário", "otária", "babaca", "imbecil", "vagabundo",
    "vagabunda", "puta", "inútil", "corno", "filho da puta", "cretino", "covarde", "mentiroso",
    "palhaço", "lixo", "vaca", "escroto", "retardado",
    "puxa-saco", "verme", "nojento", "nojenta", "incompetente", "impostor", "palhaços",
    "inúteis", "imbecis",
)  # fmt: skip

#: Insult words that are ordinary words in other uses; they count only in "X is a ___"
#: or "you ___" frames, never as a bare hit.
INSULTS_FRAMED_ONLY: Final = (
    "dim", "useless", "lazy", "trash", "garbage", "snake", "rat", "pig", "cow", "kuh", "sau",
    "schwein", "basura", "rata", "lixo", "vaca", "nul", "nulle", "con", "fat", "ugly", "liar",
    "fraud", "ass", "dick", "incompetent", "pathetic", "worthless", "sucks", "freak", "creep",
    "burro", "burra", "tonto", "tonta", "inútil", "minable", "clown", "clowns", "jerk",
)  # fmt: skip

#: Slurs: demeaning terms for a protected group; harassment at full severity wherever they
#: appear. Reclaimed use cannot be told apart by a machine, so a person reviews the warning.
SLURS: Final = (
    # en
    "fag", "fags", "faggot", "faggots", "retard", "retards", "retarded", "tranny", "trannies",
    "dyke", "dykes", "spic", "spics", "chink", "chinks", "kike", "kikes", "wetback",
    "wetbacks", "raghead", "towelhead", "nigger", "niggers", "nigga", "niggas", "coon",
    "gook", "gooks", "beaner", "beaners", "paki", "pakis", "sandnigger", "shemale", "homo",
    "homos", "gyppo", "gypsies", "tard", "mongoloid", "cripple", "spaz",
    # de
    "schwuchtel", "kanake", "kanaken", "neger", "zigeuner", "mongo", "behindi", "tunte",
    # es
    "maricón", "maricon", "marica", "sudaca", "sudacas", "moro de mierda", "mongólico",
    "panchito", "bollera", "travelo",
    # fr
    "pédé", "pede", "tapette", "bougnoule", "bicot", "négro", "nègre", "youpin", "gouine",
    "tarlouze", "mongol",
    # pt
    "viado", "bicha", "sapatão", "macaco", "crioulo", "traveco",
)  # fmt: skip

# ----------------------------------------------------------------------------- targets

#: Words that point at a person or group (a target for an insult).
TARGET_WORDS: Final = (
    "you", "your", "you're", "youre", "u", "ur", "ya", "yourself", "he", "she", "him", "her",
    "his", "they", "them", "he's", "she's", "they're", "guy", "girl", "woman", "man", "dude",
    "boss", "manager", "managers", "colleague", "colleagues", "coworker", "coworkers",
    "co-worker", "teammate", "intern", "designer", "engineer", "developer", "vp", "ceo", "cto",
    "cfo", "director", "lead", "supervisor", "team", "people", "folks", "guys", "everyone",
    "customer", "customers", "client", "clients", "employee", "employees", "staff", "hr",
    "new hire", "trainee", "analyst", "recruiter", "admin", "rep", "assistant",
    # de
    "du", "dich", "dir", "ihr", "er", "sie", "chef", "chefin", "kollege", "kollegin",
    "kollegen", "frau", "herr", "typ", "leute", "mitarbeiter", "praktikant", "praktikantin",
    "abteilungsleiter", "abteilungsleiterin", "vorgesetzter", "vorgesetzte", "azubi",
    "teamleiter", "teamleiterin", "geschäftsführer",
    # es
    "tú", "tu", "te", "ti", "usted", "él", "ella", "jefe", "jefa", "compañero", "compañera",
    "señor", "señora", "tipo", "gente", "ese", "esa", "becario", "becaria", "director",
    "directora", "gerente", "encargado", "encargada", "el de compras", "el nuevo", "la nueva",
    # fr
    "toi", "tu", "te", "vous", "il", "elle", "patron", "patronne", "collègue", "chef", "mec",
    "gars", "monsieur", "madame", "type", "gens", "stagiaire", "directeur", "directrice",
    "responsable", "manager", "alternant", "alternante",
    # pt
    "você", "voce", "vc", "tu", "ele", "ela", "chefe", "colega", "cara", "senhor", "senhora",
    "gente", "pessoal", "estagiário", "estagiária", "gerente", "diretor", "diretora",
    "supervisor", "supervisora",
)  # fmt: skip

# ----------------------------------------------------------------------------- threats

#: Words that gate the threat patterns (cheap pre-check before any regex runs).
THREAT_TRIGGERS: Final = (
    "kill", "killing", "hurt", "shoot", "stab", "beat", "punch", "dead", "murder", "bury",
    "walking", "regret", "where you live", "where he lives", "where she lives", "burn", "bomb",
    "gun", "knife", "smash", "strangle", "choke", "break your", "slap", "run over",
    "watch your", "pay for it", "pay for this", "getting out", "going home", "making it",
    "driving home", "leaving", "killed", "shot", "stabbed", "beaten", "hospitalized",
    "hospitalised", "blow", "destroy", "matar", "mato", "matarte", "pegar", "partir",
    "reventar", "tuer", "buter", "crever", "frapper", "defoncer", "casser", "umbringen",
    "bring dich", "bring ihn", "bring sie", "abstechen", "fertigmachen", "kaltmachen",
    "abknallen", "schlag", "stech", "tot", "muerto", "muerta", "muertos", "mort", "morto",
    "morta", "quebrar", "quebro", "arrebentar", "arrebento", "parto", "reviento",
    "break", "bring ich", "bringe ich", "mach ich", "beat", "senseless", "shut your",
    "for you", "or else",
)  # fmt: skip

#: Threat patterns over the normalized text (casefolded, accents dropped). Each needs a target
#: (a person or "someone") and harm; idioms such as "traffic was murder" do not match.
THREAT_PATTERNS: Final = (
    # en: I'll / gonna / going to <harm> you|him|her|them|someone
    r"\b(?:i'?ll|i will|i'?m gonna|i'?m going to|gonna|going to|i'd|i would|i should|"
    r"someone should|somebody should|we'?ll|we will)\s+(?:\w+\s+){0,2}?"
    r"(?:kill|hurt|shoot|stab|beat|punch|murder|bury|strangle|choke|smash|slap|break|end|"
    r"destroy|run over|find)\s+(?:you|u|him|her|them|that|this|the|his|her|your|ur|every|"
    r"some|@)",
    r"\b(?:somebody|someone|some one|he|she|you|they|people|everyone|y'all)"
    r"(?:\s+[\w']+){0,5}?(?:'s| is| are|'re)?\s+"
    r"(?:going to|gonna|will|'ll|about to)\s+(?:get|be)\s+(?:hurt|killed|shot|stabbed|"
    r"beaten|dead|hospitali[sz]ed)",
    r"\b(?:he|she|they|you)(?:'s|'re| is| are| ain'?t| won'?t be| will not be)\s+(?:not\s+)?"
    r"(?:walking|going home|making it home|leaving|getting out|driving home)\b"
    r"(?:\s+(?:to|out|home|alive|in one piece))?",
    r"\b(?:you'?re|ur|you are|he'?s|she'?s|they'?re)\s+(?:so\s+|all\s+)?dead\b",
    r"\bi know where (?:you|he|she|they) (?:live|lives|park|parks|sleep)",
    r"\bwatch your (?:back|step)\b",
    r"\b(?:you|he|she|they)(?:'ll|'s|'re| will| is| are)?\s+(?:going to |gonna )?"
    r"(?:regret|pay for) (?:it|this|that)\b",
    r"\b(?:kill|shoot|stab|strangle)\s+(?:you|u|him|her|them|@\w+|that \w+|this \w+)\b",
    r"\b(?:burn|blow|shoot)\s+(?:the|this|that|their|your)\s+(?:\w+\s+)?"
    r"(?:office|building|place|house|warehouse|plant|hq)\s*(?:down|up)?\b",
    r"\bnot (?:walking|making it) (?:to (?:his|her|their|your) car|out (?:of )?here)",
    # "shut your mouth or I'll shut it for you": an ultimatum with harm done *for* them
    r"\b(?:or|otherwise|before) (?:i'?ll|i will|we'?ll|i'?m gonna) (?:\w+ ){0,2}?"
    r"(?:it|you|u|that|them) for (?:you|u|them)\b",
    r"\bshut (?:your|ur) (?:\w+ )?(?:mouth|face|trap)\b[^.!?\n]{0,30}\bor (?:else|i'?ll)\b",
    # de
    r"\bich (?:bring|mach|schlag|stech)\w* (?:dich|ihn|sie|euch)\b",
    # inverted order after a subordinate clause: "..., bring ich ihn um"
    r"\b(?:bring|mach|schlag)\w*\s+ich\s+(?:dich|ihn|sie|euch)\s+(?:um|kalt|fertig|tot)\b",
    r"\b(?:dich|ihn|sie|euch) (?:umbringen|abstechen|fertigmachen|kaltmachen|abknallen)\b",
    r"\bdu bist (?:so )?tot\b",
    # es
    r"\b(?:te|lo|la|los|les) (?:voy a|vamos a)\s+(?:matar|partir|reventar|pegar|romper)",
    r"\bte (?:mato|parto|reviento)\b",
    r"\b(?:estas|esta|estan) muert[oa]s?\b",
    # fr
    r"\bje (?:vais|vas) (?:te|le|la|les|vous) (?:tuer|buter|crever|frapper|defoncer|casser)",
    r"\bt'es (?:un )?homme mort\b",
    # pt
    r"\b(?:vou|vamos) (?:te |lhe )?(?:matar|pegar|quebrar|arrebentar)\s*(?:voce|vc|te|ele|ela)?",
    r"\b(?:te|o|a) (?:mato|quebro|arrebento)\b",
    r"\b(?:voce|vc|ele|ela) (?:ta|esta|vai estar) mort[oa]\b",
)

# ----------------------------------------------------------------------------- protected

#: Protected activity (NLRA Section 7 and EU/UK equivalents): strong terms alone suffice.
PROTECTED_STRONG: Final = (
    # en
    "union", "unions", "unionize", "unionizing", "unionise", "organizing", "organising",
    "union vote", "strike", "walkout", "walk out", "picket", "collective bargaining",
    "osha", "nlrb", "eeoc", "labor board", "labour board", "labor department",
    "department of labor", "labour inspectorate", "wage theft", "unpaid overtime",
    "unpaid training", "unpaid wages", "pay audit", "pay equity", "pay gap", "equal pay",
    "pay cut", "pay cuts", "overtime", "shift differential", "minimum wage", "living wage",
    "wages", "wage", "salaries", "payroll", "pay stub", "paystub", "pay slip", "payslip",
    "raise", "raises", "bonus plan", "hazard pay", "sick leave", "pto", "working conditions",
    "work conditions", "unsafe", "safety violation", "safety hazard", "heat", "heat stress",
    "break room", "breaks", "understaffed", "understaffing", "staffing", "schedule",
    "schedules", "shift", "shifts", "hours", "mandatory overtime", "layoffs", "grievance",
    "whistleblower", "retaliation", "harassment complaint", "hostile work environment",
    "group complaint", "petition", "co-sign", "cosign", "pay", "paid", "underpaid",
    "unpaid", "salary", "bonus", "bonuses", "benefits", "lunch break", "pension",
    # de
    "gewerkschaft", "betriebsrat", "tarifvertrag", "streik", "lohn", "löhne", "gehalt",
    "gehälter", "überstunden", "arbeitsbedingungen", "arbeitszeit", "arbeitszeiten",
    "schichten", "schichtplan", "arbeitsschutz", "gewerbeaufsicht", "mindestlohn",
    "lohnerhöhung", "lohnerhöhungen", "gehaltserhöhung", "gehaltserhöhungen", "organisieren",
    "wir organisieren uns", "schichtpläne", "zuschläge", "urlaub",
    "lohntransparenz", "arbeitsgericht", "lohnabrechnung", "lohnabrechnungen",
    "unbezahlte überstunden", "überstundenzuschlag", "pausen", "pausenraum",
    # es
    "sindicato", "comité de empresa", "huelga", "salario", "salarios", "sueldo", "sueldos",
    "horas extra", "horas extras", "turnos", "condiciones de trabajo", "condiciones laborales",
    "inspección de trabajo", "convenio colectivo", "jornada", "subida salarial",
    "aumento de sueldo", "organizarnos", "nos organizamos", "cobrar", "nómina", "nóminas",
    "transparencia salarial", "descansos", "afiliación", "despidos",
    # fr
    "syndicat", "syndicats", "grève", "salaire", "salaires", "heures supplémentaires",
    "conditions de travail", "inspection du travail", "comité social", "cse",
    "délégué du personnel", "horaires", "prud'hommes", "primes", "augmentation",
    "augmentations", "on s'organise", "s'organiser", "fiche de paie", "plannings",
    "fiches de paie", "section syndicale", "transparence salariale", "pauses", "cadence",
    # pt
    "sindicato", "greve", "salário", "salários", "horas extras", "turnos",
    "condições de trabalho", "comissão de trabalhadores", "ministério do trabalho", "act",
    "jornada de trabalho", "escala", "aumento salarial", "nos organizar", "holerite",
    "hora extra", "transparência salarial", "recibos de vencimento", "pausas",
    "despedimentos", "salário atrasado",
)  # fmt: skip

#: Words that mark talk among employees (concerted activity) or about the employer.
CONCERTED: Final = (
    "we", "our", "us", "together", "coworkers", "co-workers", "colleagues", "fellow",
    "let's", "lets", "crew", "team", "everyone", "anyone else", "all of us", "management",
    "hr", "our vp", "comparing notes", "meeting", "compañeras", "compañeros", "juntos",
    "juntas", "kollegen", "kolleginnen", "gemeinsam", "wir", "collègues", "ensemble", "nous",
    "colegas", "nós", "juntos", "nosotros", "nuestros", "uns", "unser", "unsere",
    "nos", "nossos", "nossas", "vamos",
)  # fmt: skip

# ----------------------------------------------------------------------------- sentiment

#: Disparaging words and idioms VADER does not know or under-weights, with a valence (-4..4).
NEGATIVE_EXTRA: Final = {
    # en idioms and business disparagement
    "attention span of a goldfish": -2.5, "attention span": -1.0, "brick wall": -2.0,
    "never again": -2.0, "all hype": -2.5, "no uptime": -2.0, "hype": -1.0,
    "permanent vacation": -2.0, "if their lives depended on it": -2.5,
    "if his life depended on it": -2.5, "if her life depended on it": -2.5,
    "to save their lives": -2.0, "to save his life": -2.0, "couldn't organize": -2.0,
    "couldn't fix": -1.0, "can't fix": -1.0, "can't get anything right": -2.5,
    "total joke": -2.5, "complete joke": -2.5, "bunch of amateurs": -2.5, "on vacation": -0.5,
    "joke": -2.0, "a joke": -2.0,
    "clown show": -2.5, "clowns": -2.0, "amateurs": -2.0, "amateur hour": -2.5,
    "dumpster fire": -3.0, "garbage": -2.5, "trash": -2.0, "junk": -2.0, "mess": -1.5,
    "shambles": -2.5, "rip-off": -2.5, "ripoff": -2.5, "scam": -3.0, "scammers": -3.0,
    "snake oil": -3.0, "vaporware": -2.5, "lied": -2.5, "lie": -2.0, "lies": -2.0,
    "liars": -3.0, "dim": -1.5, "too dim": -2.5, "clueless": -2.5, "incompetent": -3.0,
    "useless": -2.5, "worthless": -3.0, "unreliable": -2.0, "falls apart": -2.5,
    "fall apart": -2.5, "fall out of the sky": -2.5, "falls over": -2.0, "crash": -1.5,
    "crashes": -2.0, "broken": -1.5, "buggy": -2.0, "overpriced": -2.0, "nightmare": -2.5,
    "disaster": -2.5, "terrible": -2.5, "awful": -2.5, "horrible": -2.5, "worst": -3.0,
    "pathetic": -3.0, "laughable": -2.5, "embarrassing": -2.0, "shameful": -2.5,
    "don't fall for": -2.0, "dont fall for": -2.0, "stay away": -2.0, "avoid": -1.5,
    "guy with a joystick": -2.0, "smoke and mirrors": -2.5, "bills by the hour": -1.0,
    "can't even": -1.5, "cannot even": -1.5, "couldn't care less": -2.0, "bozos": -2.5,
    "morons": -3.0, "idiots": -3.0, "hacks": -2.0, "cowboys": -1.5, "con artists": -3.0,
    "cheapskates": -2.0, "stingy": -1.5, "slow payers": -1.5, "never pay": -2.0,
    "terrible at": -2.5, "bad at": -2.0, "hopeless": -2.5, "incapable": -2.5,
    "went under": -1.0, "sinking ship": -2.5, "copycats": -2.0, "knockoff": -2.0,
    "knock-off": -2.0, "rubbish": -2.5, "pile of": -1.0, "waste of money": -2.5,
    "waste of time": -2.5, "🙄": -1.5, "🤡": -2.5, "💩": -2.5, "👎": -2.0, "🤮": -2.5,
    "🤦": -1.5, "🗑️": -2.0, "😒": -1.5, "🙃": -1.5,
    "slowest": -1.5, "laziest": -2.5, "stingiest": -2.0, "sloppiest": -2.5, "cheapest": -0.5,
    "exhausting": -1.5, "chaotic": -2.0, "disorganized": -2.0, "disorganised": -2.0,
    "unprofessional": -2.5, "hasn't paid": -2.0, "haven't paid": -2.0, "never pays": -2.0,
    "still hasn't": -1.0, "jams": -1.5, "flaky": -2.0, "rip off": -2.5, "deserves the downtime":
    -2.5, "babysitting": -1.0, "overhyped": -2.0, "overrated": -2.0, "vapourware": -2.5,
    "black hole": -2.0, "pure fiction": -2.5,
    "incompetence": -3.0, "amateurish": -2.5, "half-baked": -2.0, "joke of a": -2.5,
    # idioms for empty promises, repetition, stalling and wishful engineering (5 languages)
    "promised the moon": -2.0, "promise the moon": -2.0, "promises the moon": -2.0,
    "promis la lune": -2.0, "promet la lune": -2.0, "prometió la luna": -2.0,
    "promete la luna": -2.0, "prometeu a lua": -2.0, "promete a lua": -2.0,
    "promised the world": -2.0, "monts et merveilles": -2.0, "el oro y el moro": -2.0,
    "mundos e fundos": -2.0, "das blaue vom himmel": -2.0, "goldene berge": -2.0,
    "same old song": -1.5, "on connaît la chanson": -1.5, "la canción de siempre": -1.5,
    "la misma canción": -1.5, "a mesma ladainha": -1.5, "die alte leier": -1.5,
    "mucho ruido y pocas nueces": -2.5, "much ado about nothing": -2.0,
    "viel lärm um nichts": -2.5, "beaucoup de bruit pour rien": -2.5,
    "muito barulho por nada": -2.5, "all talk": -2.0, "nur heiße luft": -2.5,
    "heiße luft": -2.0, "c'est du vent": -2.0, "groundhog day": -2.0, "día de la marmota": -2.0,
    "jour de la marmotte": -2.0, "dia da marmota": -2.0, "täglich grüßt das murmeltier": -2.0,
    "patience of a saint": -2.0, "paciência de santo": -2.0, "patience d'un saint": -2.0,
    "patience de saint": -2.0, "engelsgeduld": -2.0, "nothing surprises me": -1.5,
    "ya ni me sorprende": -1.5, "ça ne m'étonne plus": -1.5, "já nem me surpreende": -1.5,
    "wundert mich nicht mehr": -1.5, "and a prayer": -2.0, "wing and a prayer": -2.5,
    "duct tape and hope": -2.5, "approximately never": -2.5, "basically never": -2.0,
    "practically never": -2.0, "praktisch nie": -2.0, "prácticamente nunca": -2.0,
    "pratiquement jamais": -2.0, "praticamente nunca": -2.0, "oxymoron": -2.0,
    "oxímoron": -2.0, "oxymore": -2.0, "oxímoro": -2.0,
    "never in the same sentence": -2.0, "nie im selben satz": -2.0,
    "nie im gleichen satz": -2.0, "nunca en la misma frase": -2.0,
    "jamais dans la même phrase": -2.0, "nunca na mesma frase": -2.0,
    "takes forever": -2.0, "took forever": -2.0, "tarda tanto": -2.0,
    "tarda una eternidad": -2.0, "dauert ewig": -2.0, "braucht ewig": -2.0,
    "prend une éternité": -2.0, "met une éternité": -2.0, "leva uma eternidade": -2.0,
    "demora tanto": -2.0, "que nem liga": -2.0, "que ni enciende": -2.0,
    "plante tout": -2.5, "crashes everything": -2.5,
    "changes its mind more often": -2.5, "change their minds more often": -2.5,
    "change d'avis plus vite": -2.5, "change d'avis plus souvent": -2.5,
    "cambia de opinión más rápido": -2.5, "cambia de opinión más que": -2.5,
    "muda de ideia mais rápido": -2.5, "muda de ideia mais que": -2.5,
    "ändert seine meinung öfter": -2.5, "ändert ihre meinung öfter": -2.5,
    # slowness, delays and failures said of a company (en, de, es, fr, pt)
    "outage": -1.5, "outages": -1.5, "another outage": -2.5, "downtime": -1.0, "slow": -1.0,
    "glacial": -2.0, "snail's pace": -2.0, "speed of continental drift": -2.5,
    "speed of a glacier": -2.5, "speed of a snail": -2.5, "schneckentempo": -2.0,
    "langsam": -1.0, "lento": -1.5, "lentos": -1.5, "lenta": -1.5, "lentas": -1.5,
    "lent": -1.0, "lents": -1.0, "a paso de tortuga": -2.0, "à pas de tortue": -2.0,
    "passo de tartaruga": -2.0, "lentos demais": -2.5, "demasiado lentos": -2.5,
    "trop lents": -2.5, "viel zu langsam": -2.5, "way too slow": -2.5, "de férias": -1.0,
    "de vacaciones": -1.0, "en vacances": -1.0, "on a good day": -2.0, "maybe half": -1.0,
    "invoice delay": -1.5, "retraso": -1.0, "retrasar": -1.0, "retrasos": -1.0,
    "atraso": -1.0, "atrasos": -1.0, "atrasa": -1.0, "verspätung": -1.0, "retard": -1.0,
    "plante": -1.5, "plantent": -1.5, "stürzt ab": -1.5, "se cuelga": -1.5, "trava": -1.5,
    "nicht pünktlich": -2.0, "nie pünktlich": -2.5, "unpünktlich": -2.0,
    # dismissive comparisons: "a toy next to", "Spielzeug"
    "a toy": -2.0, "toys": 0.0, "toy": -1.5, "spielzeug": -2.0, "juguete": -1.5,
    "juguetes": -1.5, "jouet": -1.5, "jouets": -1.5, "brinquedo": -1.5, "brinquedos": -1.5,
    # copying and bad faith
    "copied": -2.0, "copying": -2.0, "ripped off": -2.5, "awfully familiar": -2.0,
    "kopiert": -2.0, "abgekupfert": -2.5, "copiado": -2.0, "copiaron": -2.0, "copié": -2.0,
    "copiaram": -2.0,
    # euphemism and understatement that mean "bad"
    "character-building": -2.0, "character building": -2.0, "not on speaking terms": -2.0,
    "not exactly friends": -2.0, "keine freunde": -2.0, "keine engen freunde": -2.0,
    "keine guten freunde": -2.0, "no son amigos": -2.0, "ne sont pas amis": -2.0,
    "não são amigos": -2.0, "one-sided": -1.5, "à sens unique": -2.0, "einseitig": -1.5,
    "changes its mind": -1.5, "change d'avis": -1.5, "cambia de opinión": -1.5,
    "muda de ideia": -1.5, "ändert ständig": -2.0, "interesting interpretation": -1.5,
    # de
    "schlecht": -2.0, "schlechteste": -3.0, "katastrophe": -2.5, "katastrophal": -3.0,
    "peinlich": -2.0, "unfähig": -3.0, "inkompetent": -3.0, "schrott": -3.0, "müll": -2.5,
    "lügner": -3.0, "betrüger": -3.0, "witz": -1.5, "nie wieder": -2.0, "chaos": -1.5,
    "chaotisch": -2.0, "dumm": -2.5, "dumme": -2.5, "blöd": -2.0, "unzuverlässig": -2.0,
    "fallen ständig": -2.0, "anstrengend": -1.5, "anstrengendste": -2.5, "furchtbar": -2.5,
    "schrecklich": -2.5, "mies": -2.5, "miserabel": -3.0, "lächerlich": -2.5,
    "unprofessionell": -2.5, "abzocke": -3.0, "betrug": -3.0, "zahlen nie": -2.0,
    "fallen ständig aus": -2.0, "totaler schrott": -3.0, "grottig": -3.0, "stümper": -2.5,
    # es
    "vergüenza": -2.5, "una vergüenza": -3.0, "desastre": -2.5, "pésimo": -3.0,
    "pésima": -3.0, "malísimo": -3.0, "basura": -3.0, "chapuza": -2.5,
    "incompetentes": -3.0, "inútiles": -3.0, "mentirosos": -3.0, "estafa": -3.0,
    "estafadores": -3.0, "nunca más": -2.0, "se caen": -2.0, "se cae": -2.0, "caos": -1.5,
    "desorganizados": -2.5, "desorganizado": -2.5, "fatal": -2.0, "lo peor": -3.0,
    "peor": -2.5, "peores": -2.5, "un desastre": -3.0, "penoso": -2.5, "lamentable": -3.0,
    "desastroso": -3.0, "desastrosa": -3.0,
    "nefasto": -3.0, "pésimos": -3.0, "patético": -3.0, "ridículo": -2.5, "impresentable": -3.0,
    "chapuceros": -2.5, "vende humo": -2.5, "venden humo": -2.5, "inaceptable": -2.5,
    "incompetente": -3.0, "no pagan": -2.0, "nunca pagan": -2.5, "una estafa": -3.0,
    # fr
    "nul": -2.5, "nuls": -2.5, "nulle": -2.5, "honte": -2.5, "honteux": -2.5,
    "catastrophe": -2.5, "catastrophique": -3.0, "incompétents": -3.0, "incompétent": -3.0,
    "arnaque": -3.0, "arnaqueurs": -3.0, "menteurs": -3.0, "jamais plus": -2.0,
    "plus jamais": -2.0, "pire": -2.5, "médiocre": -2.5, "bordel": -1.5,
    "désorganisé": -2.5, "tombent en panne": -2.0, "pénible": -2.0, "pénibles": -2.0,
    "minable": -3.0, "ridicule": -2.5, "désastreux": -3.0,
    "escroquerie": -3.0, "honteuse": -2.5, "incapables": -3.0,
    "une arnaque": -3.0, "ne paient jamais": -2.5, "des incompétents": -3.0,
    # pt
    "vergonha": -2.5, "uma vergonha": -3.0, "péssimo": -3.0,
    "péssima": -3.0, "horrível": -2.5, "lixo": -3.0, "golpe": -2.5, "nunca mais": -2.0,
    "o pior": -3.0, "pior": -2.0, "desorganizada": -2.5, "caem": -1.0,
    "bagunça": -2.0, "uma piada": -2.5, "enganação": -3.0, "péssimos": -3.0,
    "terrível": -2.5,
    "enrolação": -2.5, "amadores": -2.0, "porcaria": -3.0, "caloteiro": -3.0,
    "nunca pagam": -2.5, "não pagam": -2.0, "quebram": -1.5, "um lixo": -3.0,
}  # fmt: skip

#: Praise words outside VADER (multilingual) used to tell praise from disparagement.
POSITIVE_EXTRA: Final = {
    "respect": 1.5, "well earned": 2.0, "congrats": 2.0, "congratulations": 2.5,
    "kudos": 2.0, "cheers": 1.5, "thanks": 1.5, "thank you": 2.0, "shoutout": 1.5,
    "shout-out": 1.5, "tightest": 1.5, "elegant": 2.0, "smart": 1.5, "impressive": 2.5,
    "solid": 1.0, "beste": 2.5, "toll": 2.0, "super": 2.0, "klasse": 2.0, "danke": 1.5,
    "gracias": 1.5, "excelente": 2.5, "genial": 2.0, "increíble": 2.5, "merci": 1.5,
    "génial": 2.0, "excellent": 2.5, "bravo": 2.0, "obrigado": 1.5, "obrigada": 1.5,
    "ótimo": 2.5, "incrível": 2.5, "parabéns": 2.5, "ravie": 2.0, "ravi": 2.0,
}  # fmt: skip

#: Sarcasm cues: praise followed by these flips toward disparagement.
SARCASM_CUES: Final = (
    "🙄", "🙃", "/s", "yeah right", "sure, because", "oh great", "oh wonderful", "what a surprise",
    # Only cues that are nearly always ironic: "who'd have thought" or "que maravilha" are
    # as often sincere, and a cue here flips praise into disparagement.
    "sure, jan", "was für eine überraschung", "welch eine überraschung", "qué sorpresa",
    "vaya sorpresa", "quelle surprise", "que surpresa", "love that for us",
    # understatement frames: "let's just say their safety record...", "sagen wir so:"
    "let's say,", "let's just say", "sagen wir so", "sagen wir mal so", "disons que",
    "disons-le", "digamos que", "vamos dizer que", "digamos assim",
    "shocking", "as usual", "as always", "again.", "must be on", "must have been on",
    "thanks for nothing", "slow clap", "bravo, ", "genius move", "real genius",
    "great at signing", "great at promising", "great at", "good at", "excellent at",
    "world-class at", "champions of", "😏", "😂😂", "lol",
)  # fmt: skip

#: Repetition cues ("yet another outage", "mal wieder", "pela quinta vez"): exasperation.
#: They only deepen a remark that is already negative; alone they mean nothing.
REPETITION_CUES: Final = (
    "yet another", "another", "again", "once again", "for the third time",
    "for the fourth time", "for the fifth time", "for the nth time", "mal wieder",
    "schon wieder", "wieder mal", "zum x-ten mal", "otra vez", "de nuevo", "una vez más",
    "encore une", "encore un", "encore une fois", "de nouveau", "de novo", "outra vez",
    "mais uma vez", "pela quinta vez", "pela terceira vez", "pela quarta vez",
    "por quinta vez", "por tercera vez", "pour la énième fois",
)  # fmt: skip

#: "great at X, terrible at Y" style contrast frames (positive then negative).
CONTRAST_MARKERS: Final = (", terrible at", ", bad at", ", awful at", ", useless at", " but ")

# ----------------------------------------------------------------------------- negation

NEGATORS: Final = (
    "not", "no", "never", "n't", "isn't", "aren't", "wasn't", "weren't", "don't", "doesn't",
    "didn't", "can't", "cannot", "won't", "hardly", "nothing", "nobody", "without", "nicht",
    "kein", "keine", "nie", "niemals", "no", "nunca", "nada", "ni", "pas", "jamais", "rien",
    "não", "nao", "nem", "nenhum",
)  # fmt: skip
