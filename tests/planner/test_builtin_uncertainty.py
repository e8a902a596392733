"""The built-in project's uncertainty section: sourced ranges on the key drivers."""

import pytest

from planner.cli import main
from planner.guide import cited_figures
from planner.model import Project
from planner.uncertainty import run_montecarlo

DRIVERS = {
    "chatgpt_users",
    "paying_share",
    "subscription_price",
    "ad_revenue_per_user",
    "enterprise_api",
    "cloud_cost_per_gw",
    "other_costs",
}
ARTICLE_FIGURES = range(1, 32)


def test_the_key_drivers_vary(builtin: Project) -> None:
    varied = {entry.item for entry in builtin.uncertainty}
    assert varied >= DRIVERS


def test_every_range_says_where_it_comes_from(builtin: Project) -> None:
    for entry in builtin.uncertainty:
        figures = cited_figures(entry.note)
        assert entry.note.startswith("assumption: ") or figures, entry.item
        assert all(figure in ARTICLE_FIGURES for figure in figures), entry.item


def test_the_custom_chip_range_is_the_article_s_ten_to_fifty_percent(builtin: Project) -> None:
    entry = next(e for e in builtin.uncertainty if e.item == "custom_chip_discount")
    assert 26 in cited_figures(entry.note)
    value = builtin.item("custom_chip_discount").value
    assert value is not None
    assert (value * entry.low, value * entry.high) == (pytest.approx(0.1), pytest.approx(0.5))


@pytest.mark.parametrize("scenario", ["Leaked plan", "Bull case", "Bear case", "Custom silicon"])
def test_every_scenario_runs(builtin: Project, scenario: str) -> None:
    mc = run_montecarlo(builtin, scenario, 500, seed=3)
    assert mc.samples == 500
    spread = mc.kpis["peak_funding_need"]
    assert spread.p5 < spread.p50 < spread.p95


def test_the_bear_case_runs_out_of_cash_more_often_than_the_plan(builtin: Project) -> None:
    plan = run_montecarlo(builtin, "Leaked plan", 2000, seed=1)
    bear = run_montecarlo(builtin, "Bear case", 2000, seed=1)
    assert bear.cash_zero.probability > plan.cash_zero.probability
    assert bear.cash_zero.probability > 0.5


def test_the_command_uses_the_built_in_project_by_default(capsys) -> None:
    args = ["montecarlo", "--scenario", "Leaked plan", "--samples", "1000", "--seed", "1"]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert out.startswith("Monte Carlo: Leaked plan, 1,000 samples, seed 1")
    assert all(item in out for item in DRIVERS)


def test_the_built_in_correlations_are_sourced_and_hold(builtin: Project) -> None:
    from planner.io.project_file import parse_project, project_json
    from planner.uncertainty import check_correlations

    pairs = {c.pair() for c in builtin.correlations}
    assert frozenset(("chatgpt_users", "ad_revenue_per_user")) in pairs
    for correlation in builtin.correlations:
        figures = cited_figures(correlation.note)
        assert correlation.note.startswith("assumption: ") and figures, correlation.items
        assert all(figure in ARTICLE_FIGURES for figure in figures), correlation.items
        assert isinstance(correlation.items, tuple)
    for scenario in builtin.scenario_names:
        check_correlations(builtin, scenario)
    assert parse_project(project_json(builtin)) == builtin
