"""Earned media value: the estimate with its formula and rates, and its CSV export."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext

from chorus.advocacy import emv
from chorus.advocacy.networks import Network
from chorus.advocacy.services.emv import emv_settings_update
from chorus.advocacy.views.analytics import PERIODS, _period
from chorus.advocacy.views.base import editor_required
from chorus.common.csvexport import csv_response
from chorus.common.errors import DomainError
from chorus.common.types import AuthedRequest


@editor_required
def emv_page(request: AuthedRequest) -> HttpResponse:
    org = request.user.org
    error_field, error = "", ""
    if request.method == "POST":
        rates = {n: {"cpm": request.POST.get(f"{n}_cpm", ""),
                     "cpc": request.POST.get(f"{n}_cpc", ""),
                     "reach": request.POST.get(f"{n}_reach", "")} for n in Network.values}
        try:
            emv_settings_update(actor=request.user, currency=request.POST.get("currency", ""),
                                rates=rates)
            messages.success(request, gettext("Rates saved; the estimate below uses them."))
            return redirect("advocacy:emv")
        except DomainError as exc:
            error_field, error = exc.field or "", exc.message
    key, period = _period(request)
    report = emv.emv_for(organization=org, period=period)
    rows = []
    for n, rate in report.rates.items():
        values = ({f: request.POST.get(f"{n}_{f}", "") for f in ("cpm", "cpc", "reach")}
                  if error else {"cpm": rate.cpm, "cpc": rate.cpc, "reach": rate.reach})
        rows.append({"network": n, "label": Network(n).label, **values,
                     "error": error if error_field.startswith(f"{n}_") else ""})
    return render(request, "advocacy/emv.html", {
        "report": report, "rows": rows, "days": key, "currencies": emv.CURRENCIES,
        "error": error, "error_field": error_field,
        "periods": PERIODS,
    }, status=422 if error else 200)


@editor_required
def emv_csv(request: AuthedRequest) -> HttpResponse:
    _key, period = _period(request)
    report = emv.emv_for(organization=request.user.org, period=period)
    return csv_response(emv.emv_csv_rows(report),
                        filename=f"advocacy-emv-{period.start}-{period.end}.csv")
