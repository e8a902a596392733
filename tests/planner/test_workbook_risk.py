"""The workbook's Risk sheets: Monte Carlo results as values, charts, and ranges that travel."""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pytest

from planner.io.project_file import project_json
from planner.io.workbook_risk import risk_sheet_titles
from planner.io.xlsx_export import export_workbook
from planner.io.xlsx_import import import_workbook
from planner.model import Project, Uncertainty
from planner.uncertainty import as_json, run_montecarlo

SAMPLES, SEED = 1500, 7


def rows_by_label(ws) -> dict[str, list[object]]:
    """Each row's cells keyed by its first cell (the first row with that label wins)."""
    found: dict[str, list[object]] = {}
    for row in ws.iter_rows(values_only=True):
        if row and isinstance(row[0], str):
            found.setdefault(row[0], list(row))
    return found


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> tuple[Project, Path]:
    from planner.builtin import builtin_project

    project = builtin_project()
    bear = project.scenario("Bear case")
    assert bear is not None
    bear.uncertainty = [
        Uncertainty(item="chatgpt_users", distribution="lognormal", low=0.6, high=1.4, note="w")
    ]
    path = tmp_path_factory.mktemp("risk") / "risk.xlsx"
    export_workbook(
        project, path, ["Leaked plan", "Bear case"], risk_samples=SAMPLES, risk_seed=SEED
    )
    return project, path


@pytest.mark.parametrize("scenario", ["Leaked plan", "Bear case"])
def test_the_risk_sheet_holds_the_figures_of_montecarlo_json(exported, scenario: str) -> None:
    project, path = exported
    labels = {item.id: (item.label, item.unit) for item in project.items}
    expected = as_json(run_montecarlo(project, scenario, SAMPLES, SEED), labels)
    ws = openpyxl.load_workbook(path)[f"Risk {scenario}"]
    rows = rows_by_label(ws)
    assert ws["A1"].value == f"Risk: {scenario}"
    assert f"{SAMPLES:,} samples, seed {SEED}, Latin hypercube" in str(ws["A2"].value)
    assert "values, not formulas" in str(ws["A2"].value)
    periods = len(expected["periods"])

    def series(label: str) -> list[float]:
        return rows[label][10 : 10 + periods]

    names = {"cash": "Cash at period end", "burn": "Burn"}
    bands = ("5th percentile", "25th percentile", "median", "75th percentile", "95th percentile")
    for sid, name in names.items():
        for key, band in zip(("p5", "p25", "p50", "p75", "p95"), bands, strict=True):
            assert series(f"{name}, {band}") == pytest.approx(expected["bands"][sid][key], 1e-15)
        assert series(f"{name}, as planned") == pytest.approx(expected["plan"][sid], rel=1e-15)
    chance = series("Chance cash has run out by period end")
    assert chance == pytest.approx(expected["cash_zero_by_year"], rel=1e-15)
    kpis = {"Cumulative burn": "cumulative_burn", "Peak funding need": "peak_funding_need"}
    for label, kpi in kpis.items():
        spread = expected["kpis"][kpi]
        got = rows[label][2:7]
        want = [spread[k] for k in ("fixed", "p5", "p50", "p95", "mean")]
        assert got == pytest.approx(want, rel=1e-15)
    last = expected["periods"][-1]
    cash_zero = expected["cash_zero"]["probability"]
    assert rows[f"Chance cash runs out by {last}"][3] == pytest.approx(cash_zero, rel=1e-15)
    cells = list(ws.iter_rows(values_only=True))
    heading = next(n for n, r in enumerate(cells) if str(r[0]).startswith("Sensitivity"))
    first_tornado = cells[heading + 2]
    top = expected["tornado"][0]
    assert first_tornado[2] == top["item"]
    assert first_tornado[5:7] == pytest.approx(
        [top["peak_funding_need"]["at_low"], top["peak_funding_need"]["at_high"]], rel=1e-15
    )
    ranking = [r for r in cells if r[0] == "Peak funding need" and isinstance(r[2], str)]
    top_ranked = expected["ranking"]["peak_funding_need"][0]
    assert ranking[0][2] == top_ranked["item"]
    assert ranking[0][3] == pytest.approx(top_ranked["rank_correlation"], rel=1e-15)


def test_the_risk_sheet_lists_the_scenario_s_own_ranges_and_the_correlations(exported) -> None:
    _, path = exported
    ws = openpyxl.load_workbook(path)["Risk Bear case"]
    cells = [row for row in ws.iter_rows(values_only=True)]
    users = next(r for r in cells if r[2] == "chatgpt_users" and r[3] == "lognormal")
    assert users[4:6] == (0.6, 1.4)
    correlated = [r for r in cells if r[2] == "chatgpt_users" and r[3] == "ad_revenue_per_user"]
    assert correlated and correlated[0][4] == 0.5


def test_the_risk_sheet_draws_a_fan_of_stacked_areas_and_a_tornado_of_bars(exported) -> None:
    _, path = exported
    with zipfile.ZipFile(path) as archive:
        charts = [archive.read(n).decode() for n in archive.namelist() if "charts/chart" in n]
    fans = [c for c in charts if "<c:areaChart>" in c and 'val="stacked"' in c]
    assert len(fans) == 4 and all("<c:lineChart>" in c for c in fans)
    assert all("<a:noFill/>" in c for c in fans)  # the base band is not drawn
    assert sum('<c:barDir val="bar"/>' in c for c in charts) == 2


def test_ranges_and_correlations_survive_export_and_import(exported, tmp_path) -> None:
    project, path = exported
    imported = import_workbook(path)
    assert imported.uncertainty == project.uncertainty
    assert imported.correlations == project.correlations
    bear = imported.scenario("Bear case")
    assert bear is not None and bear.uncertainty == project.scenario("Bear case").uncertainty
    again = tmp_path / "again.xlsx"
    export_workbook(imported, again, risk_samples=None)
    twice = import_workbook(again)
    assert project_json(twice).count('"correlations"') == 1
    assert twice.correlations == project.correlations


def test_no_risk_sheet_without_ranges_or_when_asked_for_none(builtin: Project, tmp_path) -> None:
    builtin.uncertainty = []
    builtin.correlations = []
    path = tmp_path / "plain.xlsx"
    export_workbook(builtin, path, ["Leaked plan"])
    assert not any(n.startswith("Risk") for n in openpyxl.load_workbook(path).sheetnames)
    bull = builtin.scenario("Bull case")
    assert bull is not None
    bull.uncertainty = [Uncertainty(item="opening_cash", distribution="uniform", low=0.9, high=1)]
    export_workbook(builtin, path, ["Leaked plan", "Bull case"], risk_samples=200)
    names = openpyxl.load_workbook(path).sheetnames
    assert [n for n in names if n.startswith("Risk")] == ["Risk Bull case"]
    export_workbook(builtin, path, ["Bull case"], risk_samples=None)
    assert "Risk Bull case" not in openpyxl.load_workbook(path).sheetnames


def test_a_scenario_that_cannot_be_simulated_says_why(builtin: Project, tmp_path) -> None:
    bear = builtin.scenario("Bear case")
    assert bear is not None
    bear.formulas["opening_cash"] = "11"
    builtin.uncertainty = [
        *builtin.uncertainty,
        Uncertainty(item="opening_cash", distribution="uniform", low=0.9, high=1.0),
    ]
    path = tmp_path / "why.xlsx"
    export_workbook(builtin, path, ["Bear case"], risk_samples=100)
    text = openpyxl.load_workbook(path)["Risk Bear case"]["A2"].value
    assert text.startswith("No simulation:") and "opening_cash" in text


def test_risk_sheet_titles_are_unique_and_within_excel_s_limit() -> None:
    titles = ["A" * 31, "A" * 31 + "x", "Risk B", "B"]
    names = risk_sheet_titles(titles, {"Risk B", "Summary"})
    assert len(set(n.casefold() for n in names)) == 4
    assert all(len(n) <= 31 for n in names)
    assert "Risk B" not in names
