"""The protected-activity signal (NLRA Section 7 and EU/UK equivalents).

Talk among employees about pay, hours, safety, working conditions, organizing, or reports to
authorities. It is a signal, never a category: it can only lower conduct findings to ``info``
(see the engine) and never raises anything. Per the research (L-NLRA-16) the signal must stay
a suppression signal: nothing may use it to single out or report the writer.
"""

from __future__ import annotations

from chorus.screening.detectors.context import Context
from chorus.screening.text import fold

# Strong on their own; every other PROTECTED_STRONG term needs a concerted/employer marker.
# Multiword entries are matched whole by the automaton; compare hit values after folding.
_ALONE_VALUES = frozenset(
    {
        "unionize", "unionizing", "unionise", "organizing", "organising", "union vote",
        "walkout", "walk out", "picket", "collective bargaining", "osha", "nlrb", "eeoc",
        "labor board", "labour board", "labor department", "department of labor",
        "labour inspectorate", "wage theft", "unpaid overtime", "unpaid training",
        "unpaid wages", "pay audit", "pay equity", "pay gap", "equal pay",
        "shift differential", "minimum wage", "living wage", "working conditions",
        "work conditions", "safety violation", "safety hazard", "hostile work environment",
        "group complaint", "gewerkschaft", "betriebsrat", "tarifvertrag", "streik",
        "arbeitsbedingungen", "arbeitsschutz", "gewerbeaufsicht", "mindestlohn", "sindicato",
        "comité de empresa", "huelga", "condiciones de trabajo", "condiciones laborales",
        "inspección de trabajo", "convenio colectivo", "syndicat", "syndicats", "grève",
        "conditions de travail", "inspection du travail", "prud'hommes", "greve",
        "condições de trabalho", "comissão de trabalhadores", "ministério do trabalho",
        "mandatory overtime", "overtime", "wages", "payroll", "pay cut", "pay cuts",
        "hazard pay", "understaffed", "understaffing", "grievance", "whistleblower",
        "retaliation", "überstunden", "horas extra", "horas extras", "heures supplémentaires",
    }
)  # fmt: skip


def detect(ctx: Context) -> bool:
    """True when the post is (also) protected activity."""
    hits = ctx.of("protected")
    if not hits:
        return False
    if any(fold(h.value) in _ALONE for h in hits):
        return True
    # Weaker words (hours, shifts, schedule, heat, raise...) count when employees talk together
    # or about their employer.
    return ctx.has("concerted") or ctx.has("org")


_ALONE = frozenset(fold(v) for v in _ALONE_VALUES)
