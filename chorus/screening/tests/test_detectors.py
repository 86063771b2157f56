"""Detector tables: (text, expected categories above info). One row per behaviour or bug.

All texts are written for these tests (never copied from an evaluation set). Names come from
the Northwind policy in conftest.py.
"""

from __future__ import annotations

import pytest

from chorus.screening import Post

CASES: list[tuple[str, list[str]]] = [
    # customer_negative / competitor_negative: aimed at the named entity, sarcasm included
    (
        "Initech's support team couldn't fix a paper jam if their lives depended on it.",
        ["competitor_negative"],
    ),
    ("Globex robots are a total joke, honestly.", ["competitor_negative"]),
    ("Contoso never pays invoices on time. Worst client ever.", ["customer_negative"]),
    ("Die Software von Initech ist einfach Schrott.", ["competitor_negative"]),
    ("Les robots de Globex sont nuls, franchement.", ["competitor_negative"]),
    ("Contoso es el peor cliente que hemos tenido.", ["customer_negative"]),
    ("Oh sure, Globex 'innovates' by copying everyone else 🙄", ["competitor_negative"]),
    ("Initech shipped a buggy, overpriced mess of a product. Again.", ["competitor_negative"]),
    ("Fabrikam's new CTO gave a great talk at the conference today.", []),
    ("Globex is a great company and a worthy competitor.", []),
    ("Had a great lunch with the Contoso team today. Great partners!", []),
    ("Contoso cancelled the pilot, which is a shame, but we learned a lot.", []),
    ("Tailspin Toys announced record holiday sales. Congrats to them!", []),
    # common words that look like names
    ("Umbrella sales are up this rainy season, grab one before it pours.", []),
    ("Saw a bluebird on my balcony this morning 🐦", []),
    ("The kestrel hovering over the field was incredible.", []),
    ("Our weekend plans went into a tailspin after the storm.", []),
    # confidential
    ("Skylift v2 launches on March 3rd, don't tell anyone yet!", ["confidential"]),
    ("Internal only: Tern recall numbers are worse than we thought.", ["confidential"]),
    ("Bluebird hit 99% uptime in the internal test this week.", ["confidential"]),
    ("Excited that Skylift 2 was announced today at the keynote! I work on the flight team.", []),
    # mnpi
    ("Load up on NWRB before Thursday's earnings, trust me, the numbers are huge.", ["mnpi"]),
    (
        "Heard we're acquiring a competitor next month. Buying Northwind stock now before the news.",
        ["mnpi"],
    ),
    ("NWRB closed up 3% today after the public Q2 results.", []),
    # undisclosed_endorsement
    (
        "Skylift is hands down the best warehouse drone out there. Get one!",
        ["undisclosed_endorsement"],
    ),
    ("Skylift is hands down the best warehouse drone out there. #NorthwindEmployee", []),
    ("I work at Northwind and I think Tern is the best exosuit on the market.", []),
    ("Tern ist das beste Exoskelett. Kauft es!", ["undisclosed_endorsement"]),
    ("We're hiring! Northwind Robotics is looking for a Harbor OS engineer, apply today.", []),
    # spokesperson
    ("Officially, on behalf of Northwind: we will not comment on the lawsuit.", ["spokesperson"]),
    (
        "Speaking on behalf of Northwind Robotics, we are thrilled to announce our new office.",
        ["spokesperson"],
    ),
    ("Au nom de Northwind, nous démentons ces rumeurs.", ["spokesperson"]),
    ("Views are my own, not Northwind's: remote work makes our team better.", []),
    # regulated_claim
    ("This supplement cures diabetes in two weeks, guaranteed.", ["regulated_claim"]),
    ("My crypto bot makes guaranteed 15% monthly returns, zero risk.", ["regulated_claim"]),
    ("Nothing is guaranteed in life except taxes.", []),
    ("Guaranteed to make you laugh: our team's Halloween costumes 🎃", []),
    # harassment, threats, slurs, profanity (obfuscated and multilingual)
    ("Hey @jdoe you absolute moron, learn to read a spec.", ["harassment"]),
    ("Our new hire is a useless idiot.", ["harassment"]),
    ("I'm going to kill you if you touch my lunch again, Dave.", ["harassment"]),
    ("If I see that guy again he's going to regret it.", ["harassment"]),
    ("Our team lead Tom is a total asshole.", ["harassment"]),
    ("Those people are retards.", ["harassment"]),
    ("lol that intern is such a f4g", ["harassment"]),
    ("This fucking printer jammed again.", ["profanity"]),
    ("What the f*ck is wrong with this build pipeline", ["profanity"]),
    ("fuuuuck this traffic", ["profanity"]),
    ("S.H.I.T. the demo crashed", ["profanity"]),
    ("sh1tty coffee again", ["profanity"]),
    ("Ѕhit, I forgot my badge", ["profanity"]),  # Cyrillic Ѕ look-alike
    ("Damn, what a week. Hell of a launch.", []),
    ("Merde, j'ai raté mon train.", ["profanity"]),
    ("Qué mierda de día.", ["profanity"]),
    ("Puta que pariu, esse trânsito!", ["profanity"]),
    ("Scheiße, der Zug hat schon wieder Verspätung.", ["profanity"]),
    ("The traffic was murder and the meeting killed me.", []),
    # protected activity: harsh talk about pay and conditions is never a violation
    (
        "Management is a bunch of clowns and we're done being underpaid. Union meeting Thursday, "
        "bring coworkers.",
        [],
    ),
    (
        "Our shift schedule changed again with no notice. Fellow techs, let's bring this to HR "
        "together.",
        [],
    ),
    ("Shitty pay and shittier hours. Coworkers, let's talk wages together.", []),
    ("We're filing a complaint with OSHA about the broken ventilation, join us.", []),
    (
        "If management cuts our breaks again someone is going to get hurt, I'll make sure of it.",
        ["harassment"],
    ),
    # pii: someone else's data, verified check digits
    ("Call my colleague Priya at +44 20 7946 0321, she'll help you.", ["pii"]),
    ("Mark's personal email is mark.jones88@gmail.com if you need him.", ["pii"]),
    ("Press inquiries: press@northwindrobotics.com", []),
    ("Her SSN is 123-45-6789 lol", ["pii"]),
    ("Jenny just got diagnosed with cancer, send her your prayers.", ["pii"]),
    ("I was diagnosed with diabetes last year and I'm doing great.", []),
    ("He lives at 42 Maple Avenue, Springfield, IL 62704. Go tell him what you think.", ["pii"]),
    ("Found a card: 4111 1111 1111 1111, whose is it?", ["pii"]),
    ("Test card 4111 1111 1111 1112 fails Luhn, good.", []),
    ("Pay Ana at DE89 3704 0044 0532 0130 00 please", ["pii"]),
    ("Call me on 020 7946 0123 if you want to chat about the role.", []),
    # secret
    ("Here is the staging key: sk_live_51HqLyjWDarjtT1zdp7dcXkeJHMOUBrk0o1", ["secret"]),
    ("export AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", ["secret"]),
    ("The wifi password is Sunflower!2024 for visitors", ["secret"]),
    # A bot token's numeric part is not a phone number (one finding, the secret).
    ("bot for the team chat: 7412589630:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsawq", ["secret"]),
    (
        "xoxb-2034987234-2394872394872-AbCdEfGhIjKlMnOpQrStUvWx posted in the wrong channel oops",
        ["secret"],
    ),
    (
        "token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
        ["secret"],
    ),
    ("Use a password manager, people. Seriously.", []),
    ("Happy to share that I passed my AWS certification!", []),
    # bugs found with the held-out-like set (one row each; texts written for these tests)
    ("That contractor is a total i d i o t, unbelievable.", ["harassment"]),  # spaced letters
    ("s h i t, missed the bus", ["profanity"]),
    ("If he reroutes my pallets again I will break his nose.", ["harassment"]),
    ("Wenn er das nochmal macht, bring ich ihn um.", ["harassment"]),  # German inverted order
    ("Le chantier a trois semaines de retard, encore.", []),  # French "retard" = delay
    ("Those guys are retards.", ["harassment"]),
    ("Globex's new arm isn't bad at all.", []),  # negated idiom phrase
    ("Tolles Gespräch mit Initech, die Leute dort sind super.", []),  # German article "die"
    (
        "Les livraisons de Contoso ? Des clients minables, toujours en retard.",
        ["customer_negative"],
    ),
    ("Contoso's portal is a black hole. Nobody answers. Useless.", ["customer_negative"]),
    ("Tern Max field test: 12 hours battery, not public yet.", ["confidential"]),  # product line
    ("We're cancelling the Skylift Mini program. Not public yet, keep it quiet.", ["confidential"]),
    ("Vendez NWRB avant l'annonce, personne ne le sait.", ["mnpi"]),
    ("Verkauft eure Northwind-Aktien vor der Bekanntgabe der Zahlen.", ["mnpi"]),  # compound
    ("Grab NWRB before the merger gets announced next week.", ["mnpi"]),
    ("La contraseña del router de la oficina es Router_Vigo55", ["secret"]),
    ("Mot de passe du VPN : Vpn!Nantes88", ["secret"]),
    ("Identifiants du serveur : root / Srv!Brest2024", ["secret"]),
    ("Este té cura la ansiedad, resultados garantizados.", ["regulated_claim"]),
    ("Ce sirop guérit l'asthme, c'est garanti.", ["regulated_claim"]),
    ("Mi teléfono es +34 699 123 456, escribidme.", []),  # own phone (es)
    ("Appelez-moi au 06 98 76 54 32 demain.", []),  # own phone (fr)
    ("Liguem para o Paulo no (21) 99876-5432, ele espera.", ["pii"]),  # someone else's (pt)
    ("Die Chefs reden Scheiße über Lohnerhöhungen. Wir organisieren uns.", []),  # protected de
    ("Joder, hostia puta, qué lluvia.", ["profanity"]),
    # bugs found with fresh batch 2 (one row each; texts written for these tests)
    ("Fabrikam hat mal wieder nicht pünktlich geliefert 🙃", ["customer_negative"]),  # 🙃
    ("Os drones da Initech são lentos demais.", ["competitor_negative"]),  # slowness, pt
    (
        "Globex's gripper looks awfully familiar. Not saying they copied it.",
        ["competitor_negative"],
    ),
    ("Contoso's audit process is, let's say, character-building.", ["customer_negative"]),
    ("Sagen wir so: Globex und Qualität sind keine engen Freunde.", ["competitor_negative"]),
    ("Umbrella Dynamics' app is about as stable as a house of cards.", ["competitor_negative"]),
    ("Initech's best arm manages maybe half our speed on a good day.", ["competitor_negative"]),
    ("Contoso's team moves at a snail's pace, outage after outage.", ["customer_negative"]),
    # "but" in five languages: the point after it counts most
    ("La lluvia fue un desastre, pero la visita a Contoso salió genial.", []),
    ("Globex's new CEO is about as experienced as they come.", []),  # idiom, praise
    ("Another great quarter working with Fabrikam. Thank you!", []),  # repetition, no complaint
    ("Fabrikam set a new record for on-time deliveries!", []),
    # comparisons promote our product: competitor_negative plus undisclosed_endorsement
    (
        "Next to Skylift, Initech's drone is a toy.",
        ["competitor_negative", "undisclosed_endorsement"],
    ),
    ("If your DC doesn't run Skylift yet, what are you waiting for?", ["undisclosed_endorsement"]),
    ("Tern, le exosquelette le plus confortable du marché. Foncez !", ["undisclosed_endorsement"]),
    ("Skylift's battery is not even close to ready, back to the lab.", []),
    # codenames that are also birds need work context at the start of a sentence
    ("Bluebird at the feeder again, so pretty 🐦", []),
    ("Bluebird test flight hit 50 minutes today.", ["confidential"]),
    # secrecy winks and internal metrics, five languages
    ("Sneak peek: Harbor OS 7 gets fleet-wide replay in May. Act surprised.", ["confidential"]),
    ("Internal numbers say Tern returns doubled this quarter.", ["confidential"]),
    ("Nur für uns: Skylift Mini kommt im März.", ["confidential"]),
    ("Só entre nós: a Northwind vai abrir uma fábrica no Porto.", ["confidential"]),
    ("Feuille de route interne : Tern Pro au T3, chut.", ["confidential"]),
    # mnpi: timing tips, hinted material events, shareholders, more verb forms
    ("Buy $NWRB before Friday. That's all I'm allowed to say.", ["mnpi"]),
    ("If you hold NWRB, rethink it: guidance is getting cut.", ["mnpi"]),
    ("Kauft NWRB vor Freitag, die Zahlen werden besser als erwartet.", ["mnpi"]),
    ("Vendam NWRB antes da sexta, confiem.", ["mnpi"]),
    ("Big news coming for Northwind shareholders, load up while it's cheap.", ["mnpi"]),
    ("I've held NWRB since 2019, long-term believer.", []),
    # spokesperson in es/fr, and disclaimers that negate it
    ("Como portavoz de Northwind: no habrá cambios de precio.", ["spokesperson"]),
    ("Je le dis officiellement pour Northwind : pas de rappel du Tern.", ["spokesperson"]),
    ("Not an official statement, just my take on Northwind's new office. Views my own.", []),
    # regulated claims: plurals and risk-free in de/pt
    ("Dieser Tee heilt Migräne, garantiert.", ["regulated_claim"]),
    ("Mein Bot macht 20 % im Monat, risikofrei.", ["regulated_claim"]),
    ("Rendimento de 4% ao mês, sem risco nenhum.", ["regulated_claim"]),
    ("This tea cures migraines for good.", ["regulated_claim"]),
    # secrets: German "fürs", Spanish "clave"; prose with a plain word is not a password
    ("Passwort fürs Gäste-WLAN: Gast!Wlan2025", ["secret"]),
    ("La clave del panel es Panel_Sevilla9 por si la necesitáis", ["secret"]),
    ("La clave del éxito es Constancia, amigos.", []),
    # threats and insult frames
    ("Close your mouth @tim_ops or I'll close it for you.", ["harassment"]),
    ("Cette idiote de stagiaire a supprimé la base.", ["harassment"]),  # fr demonstrative frame
    # batch 3 fixes: idioms for empty promises, stalling and repetition in five languages
    ("Globex promised the moon again and shipped a slideshow.", ["competitor_negative"]),
    ("Initech verspricht wie immer das Blaue vom Himmel.", ["competitor_negative"]),
    ("Umbrella Dynamics: mucho ruido y pocas nueces, como siempre.", ["competitor_negative"]),
    ("Avec Fabrikam, chaque lundi c'est le jour de la marmotte.", ["customer_negative"]),
    ("Para aguentar a Contoso é preciso paciência de santo.", ["customer_negative"]),
    ("Globex docs: accurate approximately never.", ["competitor_negative"]),
    ("Wide World Importers und Pünktlichkeit: nie im selben Satz.", ["customer_negative"]),
    ("Tailspin Toys dauert ewig mit jeder Freigabe.", ["customer_negative"]),
    ("Contoso signed the renewal in only 14 months. Speedy!", ["customer_negative"]),
    ("Contoso rolled it out to three sites in only 5 days, impressive work.", []),
    # mnpi: "I'd sell", announcement later, guidance changes outside English
    ("Yo vendería NWRB ya, el anuncio sale el lunes.", ["mnpi"]),
    ("Vamos a recortar las previsiones: mejor vender acciones de $NWRB.", ["mnpi"]),
    ("Die NWRB-Aktie wird explodieren, kauft jetzt, offiziell erst morgen.", ["mnpi"]),
    # the author's own new number (de dative "meiner"), someone's sick note
    ("Ab Montag bin ich unter meiner neuen Nummer 0151 98765432 erreichbar.", []),
    ("Ihr erreicht mich ab heute auf 0171 2345678.", []),
    ("Sandra ist wegen Burnout krankgeschrieben, sagt es bitte nicht weiter.", ["pii"]),
    # German swear compounds: glued to the noun
    ("Was für ein Scheißwetter heute.", ["profanity"]),
    ("Scheissdrucker, jeden Morgen Papierstau.", ["profanity"]),
    ("Das Scheitern gehört dazu, sagt unser Coach.", []),
    # claims: Spanish "se garantiza" with an injury domain
    ("Con este cinturón se garantiza cero lesiones, 100% seguro.", ["regulated_claim"]),
    # clean
    ("Can't wait for the weekend. 🎉", []),
    ("", []),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_detector_table(screener, text, expected):
    result = screener.check(Post(id="t", text=text))
    assert list(result.categories) == sorted(expected), [
        (f.rule_id, f.severity, f.excerpt) for f in result.findings
    ]
    for finding in result.findings:
        assert finding.excerpt == text[finding.start : finding.end]


@pytest.mark.parametrize(
    ("text", "verdict"),
    [
        ("Hannah's SSN is 318-62-4409, let's file a group complaint about payroll.", "block"),
        ("I'm going to stab you, Olaf.", "block"),
        ("Olaf is a spineless weasel.", "warn"),
        (
            "Our VP is a coward who ignores the heat in the warehouse. Coworkers, we're "
            "writing to OSHA together.",
            "allow",
        ),
        ("Globex's drones are garbage.", "warn"),
        ("Bluebird ships next week!", "block"),
        ("Well, shit. Spilled coffee again.", "warn"),
    ],
)
def test_balanced_verdicts(screener, text, verdict):
    assert screener.check(Post(id="t", text=text)).verdict == verdict


def test_protected_activity_is_a_signal_that_lowers_conduct_findings(screener):
    result = screener.check(
        Post(id="t", text="Shit pay again. Fellow techs, let's demand a meeting with HR together.")
    )
    assert result.signals == ("protected_activity",)
    assert result.verdict == "allow"
    assert all(f.severity == "info" for f in result.findings)
    assert result.categories == ()


def test_protected_activity_never_lowers_threats(screener):
    result = screener.check(
        Post(id="t", text="Cut our overtime again and somebody in payroll is going to get hurt.")
    )
    assert "protected_activity" in result.signals
    assert result.verdict == "block"


def test_findings_cite_the_policy_clause(screener):
    (finding,) = screener.check(Post(id="t", text="Globex's drones are garbage.")).findings
    assert finding.rule_id == "competitor.negative"
    assert "No disparaging remarks about competitors" in finding.message
    assert finding.suggestion


# One mention, one finding: overlapping findings of the same rule merge into the longest span.
@pytest.mark.parametrize(
    ("text", "excerpts"),
    [
        ("Project Kestrel ships in March", [("confidential", "Project Kestrel")]),
        (
            "Project Kestrel ships in March; Kestrel beta after that.",
            [("confidential", "Project Kestrel"), ("confidential", "Kestrel")],
        ),
        ("#ProjectKestrel is going great", [("confidential", "ProjectKestrel")]),
        (
            "Wide World Importers are clueless, WWI never reads email.",
            [("customer_negative", "Wide World Importers")],
        ),
    ],
)
def test_one_mention_gives_one_finding_per_rule(screener, text, excerpts):
    result = screener.check(Post(id="t", text=text))
    got = [(f.category, f.excerpt) for f in result.findings if f.category in dict(excerpts)]
    assert got == excerpts
    for a, b in zip(result.findings, result.findings[1:], strict=False):
        if a.rule_id == b.rule_id:
            assert a.end <= b.start
