"""Detectors: each reads a :class:`~chorus.screening.detectors.context.Context` and returns
:class:`~chorus.screening.engine.Emit` items; the engine turns them into findings."""

from __future__ import annotations

from chorus.screening.detectors import business, conduct, pii, protected, secrets
from chorus.screening.detectors.context import Context, Emit
from chorus.screening.types import gettext_noop


def run_detectors(ctx: Context) -> tuple[list[Emit], list[str]]:
    """All findings for one post, plus its signals (``protected_activity``)."""
    signals: list[str] = []
    ctx.protected = protected.detect(ctx)
    if ctx.protected:
        signals.append("protected_activity")
    emits: list[Emit] = []
    emits.extend(secrets.detect(ctx))
    emits.extend(pii.detect(ctx))
    mnpi = business.detect_mnpi(ctx)
    emits.extend(mnpi)
    emits.extend(business.detect_confidential(ctx, mnpi_found=bool(mnpi)))
    emits.extend(business.detect_entities(ctx))
    emits.extend(business.detect_unnamed_customer(ctx))
    emits.extend(business.detect_endorsement(ctx))
    emits.extend(business.detect_spokesperson(ctx))
    emits.extend(business.detect_claims(ctx))
    emits.extend(conduct.detect(ctx))
    emits.extend(_custom_terms(ctx))
    return emits, signals


def _custom_terms(ctx: Context) -> list[Emit]:
    """Custom policy rules with ``params.terms``: flag each listed term."""
    out: list[Emit] = []
    for hit in ctx.of("custom"):
        rule = ctx.compiled.rules.get(hit.value)
        if rule is None:
            continue
        start, end = ctx.span(hit)
        why = gettext_noop("This uses a term listed in {rule}.")
        out.append(Emit(rule.id, start, end, why, why_params={"rule": repr(rule.id)}))
    return out
