"""KPIs as people read them on the cards and in the command line's summary."""

from __future__ import annotations

import pytest

from planner.kpis import format_kpi


@pytest.mark.parametrize(
    ("kpi", "value", "text"),
    [
        ("cumulative_burn", 10.61, "$10.6B"),
        ("cumulative_burn", -47.43, "-$47.4B"),  # a surplus: the sign before the dollar
        ("peak_funding_need", 206.2, "$206B"),
        ("total_raised", -1400.0, "-$1,400B"),
        ("commitments_to_revenue", 107.8, "108x"),
        ("commitments_to_revenue", 2.46, "2.5x"),
        ("cash_zero", "2028-12", "2028-12"),
        ("cash_zero", None, "never"),
        ("breakeven_year", 2033, "2033"),
        ("breakeven_year", None, "not in horizon"),
        ("peak_funding_need", 1e306, "$1e+306B"),  # an absurd input, still one short line
        ("commitments_to_revenue", 4e17, "4e+17x"),
    ],
)
def test_kpi_text(kpi: str, value: float | str | None, text: str) -> None:
    assert format_kpi(kpi, value) == text
