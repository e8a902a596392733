"""Commitments / revenue sets contracts against a whole year's revenue, in years or quarters."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from openpyxl.worksheet.worksheet import Worksheet

from planner.attribution import explain
from planner.engine import evaluate
from planner.io.project_file import save_project
from planner.io.xlsx_export import export_workbook
from planner.kpis import compute_kpis, reference_year, reference_year_span
from planner.model import ComputeContract, Project, Scenario
from planner.templates import blank
from planner.timeline import timeline_losses

# Revenue per quarter: 2026 adds up to 10, 2027 to 20, 2028 to 40.
SALES = [1.0, 2.0, 3.0, 4.0] + [5.0] * 4 + [10.0] * 4
CONTRACT = ComputeContract(
    id="dc", counterparty="Data centre", gw=1.0, total_value=50.0, first_year=2026, last_year=2027
)


def quarterly_project(reference_period: str | None = None) -> Project:
    project = blank(2026, 2028, quarterly=True)
    project.item("sales").inputs = list(SALES)
    project.compute_contracts = [CONTRACT]
    project.reference_period = reference_period
    # Twice the first quarter's sales: a ratio read from one quarter would change.
    project.scenarios = [Scenario(name="Strong start", inputs={"sales": {"2026-Q1": 2.0}})]
    return project


def test_the_ratio_divides_by_every_quarter_of_the_first_year() -> None:
    # 50 / (1 + 2 + 3 + 4) = 5, not 50 / 1 = 50.
    kpis = compute_kpis(evaluate(quarterly_project()))
    assert kpis["commitments_to_revenue"] == pytest.approx(5.0)


def test_a_reference_quarter_stands_for_its_whole_year() -> None:
    # 50 / (5 + 5 + 5 + 5) = 2.5, whichever quarter of 2027 is the reference.
    kpis = compute_kpis(evaluate(quarterly_project("2027-Q3")))
    assert kpis["commitments_to_revenue"] == pytest.approx(2.5)


def test_a_yearly_project_divides_by_the_reference_years_revenue() -> None:
    project = blank(2026, 2028)
    project.item("sales").inputs = [10.0, 20.0, 40.0]
    project.compute_contracts = [CONTRACT]
    assert compute_kpis(evaluate(project))["commitments_to_revenue"] == pytest.approx(5.0)
    project.reference_period = "2027"
    assert compute_kpis(evaluate(project))["commitments_to_revenue"] == pytest.approx(2.5)


def test_the_reference_year_is_found_among_years_and_quarters() -> None:
    quarters = blank(2026, 2028, quarterly=True).periods
    assert reference_year(quarters, None) == 2026
    assert reference_year_span(quarters, None) == range(0, 4)
    assert reference_year_span(quarters, "2027-Q3") == range(4, 8)
    # A horizon that starts within the year holds only the quarters it has.
    assert reference_year_span(quarters[2:], None) == range(0, 2)
    assert reference_year_span(["2025", "2026"], "2026") == range(1, 2)


def test_the_command_line_reports_the_ratio_over_the_year(tmp_path: Path) -> None:
    path = tmp_path / "q.burnrate"
    save_project(quarterly_project(), path)
    run = subprocess.run(
        [sys.executable, "-m", "planner", "summary", str(path), "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    scenarios = json.loads(run.stdout)["scenarios"]
    # The strong start adds 1 to the year's revenue: 50 / 11.
    ratios = [s["kpis"]["commitments_to_revenue"] for s in scenarios]
    assert ratios == pytest.approx([5.0, 50.0 / 11.0])


def _revenue_cells(sheet: Worksheet, first: str, last: str) -> str:
    """The absolute range of ``sheet``'s revenue row from period ``first`` to ``last``."""
    header = next(r for r in sheet.iter_rows() if r[0].value == "Line item")
    columns = {c.value: c.column_letter for c in header}
    row = next(r[0].row for r in sheet.iter_rows() if r[2].value == "revenue")
    return f"${columns[first]}${row}:${columns[last]}${row}"


def test_the_workbook_summary_adds_up_the_reference_years_quarters(tmp_path: Path) -> None:
    path = tmp_path / "q.xlsx"
    export_workbook(quarterly_project("2027-Q2"), path)
    book = openpyxl.load_workbook(path)
    cached = openpyxl.load_workbook(path, data_only=True)["Summary"]
    summary = book["Summary"]
    row = next(r[0].row for r in summary.iter_rows() if r[2].value == "commitments_to_revenue")
    for column, (sheet, ratio) in zip("DE", (("Base", 2.5), ("Strong start", 2.5)), strict=True):
        formula = summary[f"{column}{row}"].value
        year_2027 = f"SUM('{sheet}'!{_revenue_cells(book[sheet], '2027-Q1', '2027-Q4')})"
        assert formula.startswith(f"=IF({year_2027}>0,") and formula.endswith(
            f'/{year_2027},"n/a")'
        )
        assert cached[f"{column}{row}"].value == pytest.approx(ratio)


def test_a_yearly_workbook_still_reads_the_reference_years_one_cell(tmp_path: Path) -> None:
    project = blank(2026, 2028)
    project.item("sales").inputs = [10.0, 20.0, 40.0]
    project.reference_period = "2027"
    path = tmp_path / "y.xlsx"
    export_workbook(project, path)
    book = openpyxl.load_workbook(path)
    summary = book["Summary"]
    row = next(r[0].row for r in summary.iter_rows() if r[2].value == "commitments_to_revenue")
    cell = "'Base'!" + _revenue_cells(book["Base"], "2027", "2027").split(":")[0]
    assert summary[f"D{row}"].value == f'=IF({cell}>0,0/{cell},"n/a")'


def test_explaining_the_ratio_starts_and_ends_at_the_engines_figures() -> None:
    project = quarterly_project()
    result = explain(project, "Base", "Strong start", "commitments_to_revenue")
    assert result.value_from == pytest.approx(5.0)
    assert result.value_to == pytest.approx(50.0 / 11.0)
    assert sum(part.value for part in result.parts) == pytest.approx(50.0 / 11.0 - 5.0)


def test_dropping_the_reference_quarter_says_the_first_year_takes_its_place() -> None:
    losses = timeline_losses(quarterly_project("2026-Q3"), 2027, 2028)
    assert losses.reference_period == "2026-Q3"
    assert "commitments to revenue then use the first year's revenue" in "\n".join(losses.lines())
