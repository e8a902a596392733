"""Scenarios side by side: every key figure of every scenario against the base.

The differences are what an analyst reads first, so each is given in the
figure's own unit: dollars for sums, "x" for ratios, and months or years
earlier or later for dates. Where either side has no figure there is no
difference to give: "—"; except that cash running out, or breaking even, where
the base does not (or the reverse) is said in words: it is the largest change.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final, Literal

from planner.kpis import KPI_LABELS, KpiValue, format_kpi

NOT_DEFINED: Final = "—"
MINUS: Final = "\u2212"

# What each figure means, for the table's tooltips.
KPI_DEFINITIONS: Final[dict[str, str]] = {
    "cash_zero": "The first month the cash balance is below zero",
    "breakeven_year": "The first year from which burn stays at or below zero to the horizon's end",
    "cumulative_burn": "Costs minus revenue, summed over every period",
    "total_raised": "All funding in the horizon",
    "peak_funding_need": "The largest cumulative burn: the most outside money the plan needs",
    "last_post_money": "The post-money valuation of the last round in the horizon",
    "commitments_total": "The total value of all compute contracts",
    "commitments_to_revenue": "Compute commitments divided by revenue in the reference year",
}

# Which way is better: +1 when a larger (or later) figure is better, -1 when smaller
# (or earlier) is, 0 when it depends on the plan (raising more is neither).
KPI_DIRECTION: Final[dict[str, int]] = {
    "cash_zero": 1,
    "breakeven_year": -1,
    "cumulative_burn": -1,
    "total_raised": 0,
    "peak_funding_need": -1,
    "last_post_money": 1,
    "commitments_total": 0,
    "commitments_to_revenue": -1,
}

Verdict = Literal["better", "worse", "same", "neutral", "undefined"]


@dataclass(frozen=True)
class ComparedFigure:
    """One scenario's figure and its difference from the base's."""

    scenario: str
    value: KpiValue
    text: str
    difference: float | None  # in the figure's unit; months for cash_zero, years for break-even
    difference_text: str  # "" for the base itself
    verdict: Verdict


@dataclass(frozen=True)
class ComparedKpi:
    kpi: str
    label: str
    definition: str
    figures: tuple[ComparedFigure, ...]


def compare_kpis(kpis: Mapping[str, Mapping[str, KpiValue]], base: str) -> tuple[ComparedKpi, ...]:
    """Each KPI (in KPI_LABELS order) for each scenario of ``kpis`` (in its order)."""
    rows = []
    for kpi, (label, _unit) in KPI_LABELS.items():
        base_value = kpis[base][kpi]
        figures = []
        verdict: Verdict
        for name, values in kpis.items():
            value = values[kpi]
            if name == base:
                difference, text, verdict = None, "", "neutral"
            else:
                difference = kpi_difference(kpi, value, base_value)
                text = format_difference(kpi, difference)
                verdict = _verdict(kpi, difference)
                if kpi in _EVENT_WORDS and (value is None) != (base_value is None):
                    # No span between a date and "never", but the news is the biggest one.
                    text, verdict = _event_change(kpi, happens=value is not None)
            shown = format_kpi(kpi, value)
            if shown.startswith("-"):  # a typographic minus, as in the differences
                shown = MINUS + shown[1:]
            figures.append(ComparedFigure(name, value, shown, difference, text, verdict))
        rows.append(ComparedKpi(kpi, label, KPI_DEFINITIONS.get(kpi, ""), tuple(figures)))
    return tuple(rows)


def kpi_difference(kpi: str, value: KpiValue, base: KpiValue) -> float | None:
    """``value`` minus ``base`` in the KPI's unit (months for a month, years for a year)."""
    if value is None or base is None:
        return None
    unit = KPI_LABELS[kpi][1]
    if unit == "month":
        return float(_months(str(value)) - _months(str(base)))
    if isinstance(value, str) or isinstance(base, str):
        return None
    return float(value) - float(base)


def _months(month: str) -> int:
    """Months since year 0 of a "YYYY-MM" label."""
    return int(month[:4]) * 12 + int(month[5:7]) - 1


def format_difference(kpi: str, difference: float | None) -> str:
    """A difference as people read it: "+$12.5B", "−0.4x", "8 months earlier", "same"."""
    if difference is None:
        return NOT_DEFINED
    unit = KPI_LABELS[kpi][1]
    if unit in ("month", "year"):
        months = round(difference * (1 if unit == "month" else 12))
        if months == 0:
            return "same"
        return _span(abs(months)) + (" later" if months > 0 else " earlier")
    sign = "+" if difference > 0 else MINUS
    magnitude = abs(difference)
    if unit == "x":
        text = f"{magnitude:,.0f}x" if magnitude >= 10 else f"{magnitude:,.1f}x"
    else:
        text = f"${magnitude:,.0f}B" if magnitude >= 100 else f"${magnitude:,.1f}B"
    if text in ("0.0x", "$0.0B"):
        return "same"  # closer than the figures themselves are shown
    return sign + text


def _span(months: int) -> str:
    """ "8 months", "2 years", "30 months": whole years when they are, else months
    (short enough for a table column), and years and months past five years."""
    years, rest = divmod(months, 12)
    if rest == 0:
        return f"{years} year{'s' if years != 1 else ''}"
    if years < 5:
        return f"{months} month{'s' if months != 1 else ''}"
    return f"{years} years {rest} month{'s' if rest != 1 else ''}"


# What it means when a date appears or vanishes: (the words, whether that is better).
_EVENT_WORDS: Final[dict[str, tuple[tuple[str, Verdict], tuple[str, Verdict]]]] = {
    "cash_zero": (("runs out", "worse"), ("never runs out", "better")),
    "breakeven_year": (("breaks even", "better"), ("does not break even", "worse")),
}


def _event_change(kpi: str, happens: bool) -> tuple[str, Verdict]:
    """The words for a scenario where the event happens and not in the base, or the reverse."""
    appears, vanishes = _EVENT_WORDS[kpi]
    return appears if happens else vanishes


def _verdict(kpi: str, difference: float | None) -> Verdict:
    if difference is None:
        return "undefined"
    if format_difference(kpi, difference) == "same":
        return "same"
    direction = KPI_DIRECTION.get(kpi, 0)
    if direction == 0:
        return "neutral"
    return "better" if difference * direction > 0 else "worse"
