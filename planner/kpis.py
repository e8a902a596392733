"""Key figures of a scenario, computed from the engine's result ($B unless noted)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Final

import numpy as np
import numpy.typing as npt

from planner.compiled import Array
from planner.engine import Result
from planner.model import period_months, period_year
from planner.numbers import HUGE, money_text

KPI_LABELS: Final[dict[str, tuple[str, str]]] = {
    "cash_zero": ("Cash runs out", "month"),
    "breakeven_year": ("Break-even year", "year"),
    "cumulative_burn": ("Cumulative burn", "$B"),
    "total_raised": ("Total raised", "$B"),
    "peak_funding_need": ("Peak funding need", "$B"),
    "last_post_money": ("Last post-money valuation", "$B"),
    "commitments_total": ("Compute commitments", "$B"),
    "commitments_to_revenue": ("Commitments / revenue", "x"),
}

KpiValue = float | int | str | None
KPI_IN_ERROR = "error"
# The series each figure is computed from: a figure whose series read a deleted line
# item is an error, never a number made from NaN.
_KPI_SERIES: Final[dict[str, tuple[str, ...]]] = {
    "cash_zero": ("cash", "burn", "funding"),
    "breakeven_year": ("burn",),
    "cumulative_burn": ("burn",),
    "total_raised": ("funding",),
    "peak_funding_need": ("burn",),
    "commitments_to_revenue": ("revenue",),
}


def reference_year(periods: Sequence[str], reference_period: str | None) -> int:
    """The year commitments are set against: the reference period's, or the first period's."""
    return period_year(reference_period or periods[0])


def reference_year_span(periods: Sequence[str], reference_period: str | None) -> range:
    """The indices of the periods in the reference year: one year, or its quarters.

    Periods run forward without gaps, so the year's periods are one run; a horizon that
    starts or ends within the year holds only some of its quarters.
    """
    year = reference_year(periods, reference_period)
    inside = [t for t, period in enumerate(periods) if period_year(period) == year]
    return range(inside[0], inside[-1] + 1)


def cash_zero_month(
    periods: tuple[str, ...], cash: Array, burn: Array, funding: Array
) -> str | None:
    """The month ("YYYY-MM") cash first goes below zero, interpolated within the period."""
    below = np.flatnonzero(cash < 0)
    if below.size == 0:
        return None
    t = int(below[0])
    end = float(cash[t])
    start = float(cash[t - 1]) if t > 0 else end + float(burn[t]) - float(funding[t])
    first_month, months = period_months(periods[t])
    fraction = 0.0 if start <= 0 else start / (start - end)
    month = first_month + min(months - 1, math.floor(fraction * months))
    return f"{period_year(periods[t]):04d}-{month:02d}"


def compute_kpis(result: Result, sample: int = 0) -> dict[str, KpiValue]:
    """The KPIs named in DESIGN.md for one sample of ``result``."""
    periods = result.periods
    burn = result.series("burn", sample)
    funding = result.series("funding", sample)
    cash = result.series("cash", sample)
    revenue = result.series("revenue", sample)
    losing = np.flatnonzero(burn > 0)
    resolved = result.resolved
    rounds_in_horizon = [
        r for r in resolved.funding_rounds if r.period in periods and r.pre_money is not None
    ]
    rounds_in_horizon.sort(key=lambda r: periods.index(r.period))
    last_round = rounds_in_horizon[-1] if rounds_in_horizon else None
    commitments = float(sum(c.total_value for c in resolved.compute_contracts))
    span = reference_year_span(periods, resolved.reference_period)
    # A year's revenue, whatever the period length: quarters are added up.
    reference_revenue = float(revenue[span.start : span.stop].sum())
    kpis: dict[str, KpiValue] = {
        "cash_zero": cash_zero_month(periods, cash, burn, funding),
        "breakeven_year": _sustained_breakeven_year(periods, losing),
        "cumulative_burn": float(burn.sum()),
        "total_raised": float(funding.sum()),
        "peak_funding_need": max(0.0, float(np.cumsum(burn).max())),
        "last_post_money": None if last_round is None else last_round.post_money,
        "commitments_total": commitments,
        "commitments_to_revenue": (
            commitments / reference_revenue if reference_revenue > 0 else None
        ),
    }
    if result.broken:
        for kpi, series in _KPI_SERIES.items():
            if result.broken.intersection(series):
                kpis[kpi] = KPI_IN_ERROR
    return kpis


def format_kpi(kpi: str, value: KpiValue) -> str:
    """A KPI as people read it: "$1,400B", "108x", "2027-09", "never"."""
    if value is None:
        return {"cash_zero": "never", "breakeven_year": "not in horizon"}.get(kpi, "n/a")
    unit = KPI_LABELS[kpi][1]
    if isinstance(value, str) or unit == "year":
        return str(value)
    if unit == "x":
        if abs(value) >= HUGE:
            return f"{value:.3g}x"
        return f"{value:,.0f}x" if abs(value) >= 10 else f"{value:,.1f}x"
    # The sign before the dollar ("-$47.4B"); ASCII, so any terminal can print the summary.
    return money_text(value)


def _sustained_breakeven_year(periods: tuple[str, ...], losing: npt.NDArray[np.intp]) -> int | None:
    """The year from which burn stays at or below zero to the horizon's end: a plan that
    dips into profit and then loses money again has not broken even."""
    if not losing.size:
        return period_year(periods[0])
    after = int(losing[-1]) + 1
    return period_year(periods[after]) if after < len(periods) else None
