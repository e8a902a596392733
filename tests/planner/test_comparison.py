"""Scenarios side by side: each key figure against the base, in the figure's unit."""

from __future__ import annotations

import pytest

from planner.commands import evaluate_all
from planner.comparison import compare_kpis, format_difference, kpi_difference
from planner.kpis import KPI_LABELS, KpiValue, compute_kpis
from planner.model import Project


def _figures(kpis: dict[str, dict[str, KpiValue]], kpi: str) -> list[tuple[str, str, str]]:
    row = next(r for r in compare_kpis(kpis, "Base") if r.kpi == kpi)
    return [(f.text, f.difference_text, f.verdict) for f in row.figures]


def _kpis(**changes: KpiValue) -> dict[str, KpiValue]:
    values: dict[str, KpiValue] = {
        "cash_zero": None,
        "breakeven_year": 2030,
        "cumulative_burn": 100.0,
        "total_raised": 50.0,
        "peak_funding_need": 80.0,
        "last_post_money": 500.0,
        "commitments_total": 1400.0,
        "commitments_to_revenue": 20.0,
    }
    values.update(changes)
    return values


def test_every_kpi_of_every_scenario_in_order_the_base_first() -> None:
    kpis = {"Base": _kpis(), "Bull": _kpis(), "Bear": _kpis()}
    rows = compare_kpis(kpis, "Base")
    assert [r.kpi for r in rows] == list(KPI_LABELS)
    assert all([f.scenario for f in r.figures] == ["Base", "Bull", "Bear"] for r in rows)
    assert all(r.figures[0].difference_text == "" for r in rows)  # the base against itself


def test_money_differences_are_absolute_in_dollars_with_a_sign() -> None:
    kpis = {
        "Base": _kpis(),
        "Up": _kpis(cumulative_burn=1383.0),
        "Down": _kpis(cumulative_burn=87.6),
    }
    assert _figures(kpis, "cumulative_burn") == [
        ("$100B", "", "neutral"),
        ("$1,383B", "+$1,283B", "worse"),
        ("$87.6B", "\u2212$12.4B", "better"),
    ]


def test_a_negative_figure_shows_a_typographic_minus_like_its_difference() -> None:
    kpis = {"Base": _kpis(), "Profit": _kpis(cumulative_burn=-890.0)}
    assert _figures(kpis, "cumulative_burn")[1] == ("\u2212$890B", "\u2212$990B", "better")


def test_ratio_differences_in_x() -> None:
    kpis = {"Base": _kpis(commitments_to_revenue=8.0), "More": _kpis(commitments_to_revenue=9.5)}
    # Commitments that grow faster than revenue are the risk the ratio shows.
    assert _figures(kpis, "commitments_to_revenue")[1] == ("9.5x", "+1.5x", "worse")


@pytest.mark.parametrize(
    ("scenario", "expected"),
    [
        ("2027-01", "8 months earlier"),
        ("2028-10", "13 months later"),
        ("2034-10", "7 years 1 month later"),
        ("2029-09", "2 years later"),
        ("2027-09", "same"),
    ],
)
def test_cash_zero_differs_in_months_and_years(scenario: str, expected: str) -> None:
    kpis = {"Base": _kpis(cash_zero="2027-09"), "Other": _kpis(cash_zero=scenario)}
    assert _figures(kpis, "cash_zero")[1][1] == expected


def test_running_out_later_is_better_and_breaking_even_later_is_worse() -> None:
    kpis = {
        "Base": _kpis(cash_zero="2027-09", breakeven_year=2030),
        "Other": _kpis(cash_zero="2028-09", breakeven_year=2033),
    }
    assert _figures(kpis, "cash_zero")[1] == ("2028-09", "1 year later", "better")
    assert _figures(kpis, "breakeven_year")[1] == ("2033", "3 years later", "worse")


def test_no_difference_where_either_side_has_no_figure() -> None:
    kpis = {
        "Base": _kpis(last_post_money=None, commitments_to_revenue=4.0),
        "Other": _kpis(last_post_money=400.0, commitments_to_revenue=None),
    }
    assert _figures(kpis, "last_post_money")[1] == ("$400B", "—", "undefined")
    assert _figures(kpis, "commitments_to_revenue")[1] == ("n/a", "—", "undefined")
    assert kpi_difference("breakeven_year", None, 2030) is None


def test_running_out_or_breaking_even_where_the_base_does_not_is_said_in_words() -> None:
    kpis = {
        "Base": _kpis(cash_zero=None, breakeven_year=2030),
        "Bear": _kpis(cash_zero="2028-12", breakeven_year=None),
        "Bull": _kpis(cash_zero=None, breakeven_year=2028),
    }
    assert _figures(kpis, "cash_zero")[1] == ("2028-12", "runs out", "worse")
    assert _figures(kpis, "breakeven_year")[1] == ("not in horizon", "does not break even", "worse")
    kpis = {"Base": kpis["Bear"], "Bull": kpis["Bull"]}
    assert _figures(kpis, "cash_zero")[1] == ("never", "never runs out", "better")
    assert _figures(kpis, "breakeven_year")[1] == ("2028", "breaks even", "better")


def test_a_difference_below_what_the_figures_show_is_the_same() -> None:
    assert format_difference("total_raised", 0.04) == "same"
    assert format_difference("total_raised", 0.06) == "+$0.1B"
    assert format_difference("total_raised", 0.0) == "same"


def test_builtin_scenarios_against_the_leaked_plan(builtin: Project) -> None:
    results = evaluate_all(builtin)
    kpis = {name: compute_kpis(result) for name, result in results.items()}
    rows = {r.kpi: r for r in compare_kpis(kpis, builtin.base_name)}
    bear = next(f for f in rows["peak_funding_need"].figures if f.scenario == "Bear case")
    base = rows["peak_funding_need"].figures[0]
    assert isinstance(bear.value, float) and isinstance(base.value, float)
    assert bear.difference == pytest.approx(bear.value - base.value)
    assert bear.verdict == "worse"
    bull = next(f for f in rows["breakeven_year"].figures if f.scenario == "Bull case")
    assert bull.difference_text.endswith("years earlier")
