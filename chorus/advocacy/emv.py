"""Earned media value: what the reach of employees' posts would have cost as paid media.

    EMV = Σ over networks ( impressions / 1000 × CPM  +  clicks × CPC )
    impressions = confirmed shares × typical reach of one employee post on that network

Only confirmed shares count (an opened composer is not a post); clicks are the tracked links'
counted clicks (bots excluded, one per visitor and half hour, see `tracking`). The rates are
the organization's own assumptions (Hub → Earned media value); the defaults below are
deliberately modest, round figures to be replaced by the organization's own media costs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.db.models import Count, QuerySet

from chorus.advocacy.analytics import Period, _shares
from chorus.advocacy.models import Click, ContentItem, EmvSettings
from chorus.advocacy.networks import Network
from chorus.people.models import Organization

DEFAULT_RATES: dict[str, dict[str, Any]] = {
    Network.X: {"cpm": "6.50", "cpc": "0.60", "reach": 250},
    Network.BLUESKY: {"cpm": "5.00", "cpc": "0.50", "reach": 150},
    Network.MASTODON: {"cpm": "5.00", "cpc": "0.50", "reach": 150},
    Network.LINKEDIN: {"cpm": "30.00", "cpc": "5.50", "reach": 450},
    Network.FACEBOOK: {"cpm": "12.00", "cpc": "1.00", "reach": 200},
}
CURRENCIES = ("EUR", "USD", "GBP", "CHF", "CAD", "AUD", "SEK", "NOK", "DKK", "PLN", "JPY")
UNASSIGNED = "No department"
CENT = Decimal("0.01")


def _clicks(organization: Organization, period: Period) -> QuerySet[Click]:
    """Clicks on the organization's tracked links in the period (the raw click table)."""
    return Click.objects.filter(share__organization=organization, created_at__gte=period.start_dt,
                                created_at__lt=period.end_dt)


@dataclass(frozen=True)
class Rate:
    cpm: Decimal
    cpc: Decimal
    reach: int


def settings_for(organization: Organization) -> EmvSettings:
    found, _ = EmvSettings.objects.get_or_create(organization=organization)
    return found


def rates_for(organization: Organization) -> dict[str, Rate]:
    stored = settings_for(organization).rates or {}
    out = {}
    for network in Network.values:
        raw = {**DEFAULT_RATES[network], **(stored.get(network) or {})}
        out[network] = Rate(cpm=Decimal(str(raw["cpm"])), cpc=Decimal(str(raw["cpc"])),
                            reach=int(raw["reach"]))
    return out


def parse_rate(value: Any, *, field_name: str, label: str) -> Decimal:
    """A non-negative amount with at most two decimals; ValueError says what is wrong."""
    try:
        amount = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        raise ValueError(f"{label}: enter an amount such as 6.50.") from None
    if not amount.is_finite() or amount < 0 or amount > Decimal("100000"):
        raise ValueError(f"{label}: enter an amount between 0 and 100000.")
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass
class EmvRow:
    label: str
    shares: int = 0
    impressions: int = 0
    clicks: int = 0
    value: Decimal = field(default_factory=lambda: Decimal("0"))
    key: Any = None

    @property
    def value_rounded(self) -> Decimal:
        return self.value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass
class EmvReport:
    period: Period
    currency: str
    rates: dict[str, Rate]
    total: EmvRow
    by_item: list[EmvRow]
    by_campaign: list[EmvRow]
    by_department: list[EmvRow]
    by_network: list[EmvRow]


def _add(row: EmvRow, *, network: str, shares: int, clicks: int, rates: dict[str, Rate]) -> None:
    rate = rates[network]
    impressions = shares * rate.reach
    row.shares += shares
    row.clicks += clicks
    row.impressions += impressions
    row.value += Decimal(impressions) / 1000 * rate.cpm + clicks * rate.cpc


def emv_for(*, organization: Organization, period: Period,
            item: ContentItem | None = None) -> EmvReport:
    """EMV in `period`, in total and by content item, campaign tag, department and network."""
    rates = rates_for(organization)
    shares = _shares(organization, period)
    clicks = _clicks(organization, period)
    if item is not None:
        shares, clicks = shares.filter(item=item), clicks.filter(share__item=item)
    cells: dict[tuple[int, str, str | None], list[int]] = {}
    for r in shares.values("item_id", "network", "department__name").annotate(n=Count("pk")):
        cells.setdefault((r["item_id"], r["network"], r["department__name"]), [0, 0])[0] = r["n"]
    for c in clicks.values("share__item_id", "share__network", "share__department__name") \
            .annotate(n=Count("pk")):
        key = (c["share__item_id"], c["share__network"], c["share__department__name"])
        cells.setdefault(key, [0, 0])[1] = c["n"]
    items = {i.pk: i for i in ContentItem.objects.filter(
        organization=organization, pk__in={k[0] for k in cells})}
    total = EmvRow("Total")
    by_item: dict[int, EmvRow] = {}
    by_campaign: dict[str, EmvRow] = {}
    by_department: dict[str, EmvRow] = {}
    by_network: dict[str, EmvRow] = {}
    for (item_id, network, department), (n_shares, n_clicks) in cells.items():
        if network not in rates:
            continue
        content = items.get(item_id)
        targets = [
            total,
            by_item.setdefault(item_id, EmvRow(content.title if content else str(item_id),
                                               key=item_id)),
            by_department.setdefault(department or UNASSIGNED,
                                     EmvRow(department or UNASSIGNED)),
            by_network.setdefault(network, EmvRow(str(Network(network).label), key=network)),
        ]
        for tag in (content.tags if content else []) or ["(no campaign tag)"]:
            targets.append(by_campaign.setdefault(str(tag), EmvRow(f"#{tag}"
                                                  if tag != "(no campaign tag)" else tag)))
        for target in targets:
            _add(target, network=network, shares=n_shares, clicks=n_clicks, rates=rates)

    def ordered(rows: dict[Any, EmvRow]) -> list[EmvRow]:
        return sorted(rows.values(), key=lambda r: (-r.value, r.label))

    return EmvReport(period=period, currency=settings_for(organization).currency, rates=rates,
                     total=total, by_item=ordered(by_item), by_campaign=ordered(by_campaign),
                     by_department=ordered(by_department), by_network=ordered(by_network))


def emv_csv_rows(report: EmvReport) -> list[list[Any]]:
    """One row per breakdown line, with the rates used (aggregates only, no names)."""
    rows: list[list[Any]] = [["period_start", "period_end", "breakdown", "label", "shares",
                              "impressions", "clicks", f"emv_{report.currency.lower()}"]]
    start, end = report.period.start.isoformat(), report.period.end.isoformat()
    for name, lines in (("total", [report.total]), ("content", report.by_item),
                        ("campaign", report.by_campaign), ("department", report.by_department),
                        ("network", report.by_network)):
        for line in lines:
            rows.append([start, end, name, line.label, line.shares, line.impressions,
                         line.clicks, str(line.value_rounded)])
    rows.append([])
    rows.append(["network", "cpm", "cpc", "reach_per_share"])
    for network, rate in report.rates.items():
        rows.append([network, str(rate.cpm), str(rate.cpc), rate.reach])
    return rows
