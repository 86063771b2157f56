"""Writes for the earned-media-value assumptions (communications only, audited)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from chorus.advocacy.emv import CURRENCIES, parse_rate, settings_for
from chorus.advocacy.models import EmvSettings
from chorus.advocacy.networks import Network
from chorus.advocacy.services.base import _require_editor
from chorus.audit.services import audit_record
from chorus.common.errors import InvalidInput
from chorus.people.models import User


def emv_settings_update(*, actor: User, currency: str,
                        rates: dict[str, dict[str, Any]]) -> EmvSettings:
    """Set the currency and, per network, CPM, CPC and typical reach of one post."""
    _require_editor(actor)
    if currency not in CURRENCIES:
        raise InvalidInput(
            gettext("Choose one of %(join)s.") % {"join": ", ".join(CURRENCIES)}, field="currency"
        )
    clean: dict[str, dict[str, Any]] = {}
    for network, raw in rates.items():
        if network not in Network.values:
            raise InvalidInput(
                gettext("Unknown network %(network)s.") % {"network": repr(network)}, field="rates"
            )
        label = Network(network).label
        try:
            cpm = parse_rate(
                raw.get("cpm", ""), field_name="cpm", label=_("%(label)s CPM") % {"label": label}
            )
        except ValueError as exc:
            raise InvalidInput(str(exc), field=f"{network}_cpm") from None
        try:
            cpc = parse_rate(
                raw.get("cpc", ""), field_name="cpc", label=_("%(label)s CPC") % {"label": label}
            )
        except ValueError as exc:
            raise InvalidInput(str(exc), field=f"{network}_cpc") from None
        try:
            reach = int(str(raw.get("reach", "")).strip())
        except ValueError:
            reach = -1
        if not 0 <= reach <= 10_000_000:
            raise InvalidInput(
                gettext("%(label)s reach: enter a whole number of people, 0 or more.")
                % {"label": label},
                field=f"{network}_reach",
            )
        clean[network] = {"cpm": str(cpm), "cpc": str(cpc), "reach": reach}
    row = settings_for(actor.org)
    row.currency, row.rates = currency, {**(row.rates or {}), **clean}
    row.save()
    audit_record(organization=actor.org, actor=actor, action="advocacy.emv_settings_changed",
                 target=row, data={"currency": currency, "rates": clean})
    return row
