"""The built-in project reproduces the article's figures (article-figures.md)."""

import pytest

from planner.engine import evaluate
from planner.kpis import compute_kpis
from planner.model import Project

BASE = "Leaked plan"


def value(project: Project, item_id: str, period: str, scenario: str = BASE) -> float:
    result = evaluate(project, scenario)
    return float(result.series(item_id)[result.periods.index(period)])


def round_by_id(project: Project, row_id: str):
    return next(r for r in project.funding_rounds if r.id == row_id)


def test_horizon_and_scenarios(builtin: Project) -> None:
    assert builtin.periods[0] == "2023" and builtin.periods[-1] == "2035"
    assert builtin.base_name == BASE
    assert len(builtin.scenarios) >= 3
    assert all(s.description for s in builtin.scenarios)


def test_revenue_figures(builtin: Project) -> None:
    assert 1.0 < value(builtin, "revenue", "2023") < 1.5  # fig. 1
    assert value(builtin, "revenue", "2025") == pytest.approx(13.0, abs=0.05)  # fig. 2
    assert value(builtin, "exit_run_rate", "2025") == pytest.approx(20.0, abs=1.0)  # fig. 3


def test_burn_figures(builtin: Project) -> None:
    assert value(builtin, "burn", "2025") == pytest.approx(9.0, abs=0.05)  # fig. 5
    assert value(builtin, "burn", "2026") == pytest.approx(17.0, abs=0.05)  # fig. 6
    burns = [value(builtin, "burn", str(y)) for y in (2026, 2027, 2028, 2029)]
    assert burns == sorted(burns) and len(set(burns)) == 4  # fig. 7: growing each year


def test_capacity_figures(builtin: Project) -> None:
    assert value(builtin, "capacity_gw", "2023") == pytest.approx(0.2)  # fig. 14
    assert value(builtin, "capacity_gw", "2025") == pytest.approx(1.9)  # fig. 15


def test_funding_figures(builtin: Project) -> None:
    assert value(builtin, "raised_to_date", "2025") > 60  # fig. 8
    october = round_by_id(builtin, "r2025_oct")
    assert october.post_money == pytest.approx(500)  # fig. 10
    big = round_by_id(builtin, "r2026_round")
    assert (big.period, big.amount, big.post_money) == ("2026", 100, pytest.approx(830))  # fig. 9
    amazon = round_by_id(builtin, "r2026_amazon")
    assert (amazon.period, amazon.amount) == ("2026", 10)  # fig. 11
    nvidia = round_by_id(builtin, "r2026_nvidia")
    assert (nvidia.amount, nvidia.tranche_per_gw) == (100, 10)  # fig. 12
    result = evaluate(builtin, BASE)
    # Nvidia's tranches follow delivered GW; by 2035 enough is delivered to pay all $100B.
    assert result.series("round_funding").sum() == pytest.approx(
        sum(r.amount for r in builtin.funding_rounds), abs=1e-9
    )  # every round, Nvidia's tranches included, is paid in full within the horizon


def test_commitment_figures(builtin: Project) -> None:
    contracts = builtin.compute_contracts
    assert sum(c.gw for c in contracts) == pytest.approx(30)  # fig. 16
    assert sum(c.total_value for c in contracts) == pytest.approx(1400)  # fig. 16
    kpis = compute_kpis(evaluate(builtin, BASE))
    assert kpis["commitments_total"] == pytest.approx(1400)
    assert 95 <= kpis["commitments_to_revenue"] <= 115  # figs. 17, 28: about 100x


def test_bear_case_runs_out_of_cash_and_bull_case_breaks_even(builtin: Project) -> None:
    bear = compute_kpis(evaluate(builtin, "Bear case"))
    bull = compute_kpis(evaluate(builtin, "Bull case"))
    assert bear["cash_zero"] is not None
    assert bull["breakeven_year"] is not None and bull["breakeven_year"] <= 2035
    assert bull["cash_zero"] is None


def test_custom_silicon_lowers_compute_cost(builtin: Project) -> None:
    base = evaluate(builtin, BASE).series("compute_cost")
    custom = evaluate(builtin, "Custom silicon").series("compute_cost")
    assert (custom <= base + 1e-9).all() and custom.sum() < base.sum()


def test_every_input_has_a_source_note(builtin: Project) -> None:
    for item in builtin.items:
        if item.formula is None:
            cited = "(article, fig" in item.note or item.note.startswith("assumption:")
            assert cited, item.id
    for row in [*builtin.funding_rounds, *builtin.compute_contracts]:
        assert "article, fig." in row.note or row.note.startswith("assumption:"), row.id
