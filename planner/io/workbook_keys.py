"""Helper rows at the foot of a scenario sheet that the Summary's key figures read.

They follow :func:`planner.kpis.compute_kpis`: the cumulative burn (for the
peak funding need), a break-even flag, a cash-below-zero flag and the month
within the period when cash crosses zero (linear between the opening and
closing balance).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from planner.io.workbook_layout import cell_name
from planner.model import period_months

if TYPE_CHECKING:
    from planner.io.workbook_sheet import ScenarioSheet

KEY_ROWS = {
    "cumulative_burn": ("Cumulative burn", "$B"),
    "breakeven_flag": ("Break-even flag (burn <= 0 from here to the end)", "flag"),
    "cash_below_zero": ("Cash below zero flag", "flag"),
    "opening_cash_balance": ("Cash at the start of the period", "$B"),
    "cash_zero_month": ("Month cash crosses zero (in a period ending below zero)", "month"),
}


class KeyRows:
    """Plans and writes the key-figure helper rows of one scenario sheet."""

    def __init__(self, sheet: ScenarioSheet) -> None:
        self.sheet = sheet
        self._values: dict[str, list[float]] | None = None

    def plan(self) -> None:
        sheet = self.sheet
        sheet._section(sheet.key_figures_title, "group")
        for name in KEY_ROWS:
            sheet.plan.key_rows[name] = sheet._take(self._write, name)

    def values(self) -> dict[str, list[float]]:
        s = self.sheet
        burn, cash, funding = s.series("burn"), s.series("cash"), s.series("funding")
        opening = [
            float(cash[t - 1]) if t else float(cash[0] + burn[0] - funding[0]) for t in range(s.n)
        ]
        months = []
        for t, period in enumerate(s.periods):
            first_month, length = period_months(period)
            if cash[t] >= 0:
                months.append(0.0)
                continue
            start = opening[t]
            fraction = 0.0 if start <= 0 else start / (start - float(cash[t]))
            months.append(float(first_month + min(length - 1, math.floor(fraction * length))))
        return {
            "cumulative_burn": np.cumsum(burn).tolist(),
            "breakeven_flag": [0.0 if (burn[t:] > 0).any() else 1.0 for t in range(s.n)],
            "cash_below_zero": [1.0 if c < 0 else 0.0 for c in cash],
            "opening_cash_balance": opening,
            "cash_zero_month": months,
        }

    def _cached_values(self) -> dict[str, list[float]]:
        if self._values is None:
            self._values = self.values()
        return self._values

    def _write(self, row: int, name: str) -> None:
        s = self.sheet
        label, unit = KEY_ROWS[name]
        s._label(row, label, unit, "")
        fmt = "#,##0.0;[Red]-#,##0.0" if unit == "$B" else "0"
        s.formula_row(
            row,
            lambda t: self._text(name, row, t),
            self._cached_values()[name],
            s.styles.get("calc", fmt),
        )

    def _text(self, name: str, row: int, t: int) -> str:
        s = self.sheet
        burn = s.at(s.plan.items["burn"], t)
        cash = s.at(s.plan.items["cash"], t)
        if name == "cumulative_burn":
            return s.opening_or(t, "0", s.at(row, t - 1)) + f"+{burn}"
        if name == "breakeven_flag":
            burn_row = s.plan.items["burn"]
            last = cell_name(burn_row, s.col(s.n - 1), absolute=True)
            return f'IF(COUNTIF({burn}:{last},">0")=0,1,0)'
        if name == "cash_below_zero":
            return f"IF({cash}<0,1,0)"
        if name == "opening_cash_balance":
            funding = s.at(s.plan.items["funding"], t)
            return s.opening_or(t, f"{cash}+{burn}-{funding}", s.at(s.plan.items["cash"], t - 1))
        start = s.at(s.plan.key_rows["opening_cash_balance"], t)
        length = f"(12/{s.tl('periods_per_year', t)})"
        fraction = f"IF({start}<=0,0,{start}/({start}-{cash}))"
        month = f"{s.tl('first_month', t)}+MIN({length}-1,INT({fraction}*{length}))"
        return f"IF({cash}<0,{month},0)"
