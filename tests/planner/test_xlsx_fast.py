"""The exported workbook follows the FAST Standard: one formula across each row."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from openpyxl.formula.translate import Translator

from planner.builtin import builtin_project
from planner.io.workbook_layout import FIRST_PERIOD_COL
from planner.io.xlsx_export import export_workbook
from planner.model import Project
from tests.planner.helpers import make_project


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("fast") / "builtin.xlsx"
    export_workbook(builtin_project(), path)
    return path


def quarterly_project() -> Project:
    items = [
        {"id": "revenue", "inputs": [1.0, 2.0, 3.0, 4.0, 5.0]},
        {"id": "total_costs", "inputs": [4.0, 4.0, 4.0, 4.0, 4.0]},
        {"id": "burn", "formula": "total_costs - revenue"},
        {"id": "funding", "inputs": [10.0, 0.0, 0.0, 5.0, 0.0]},
        {"id": "opening", "value": 3.0},
        {"id": "cash", "formula": "prev(cash, opening) + funding - burn"},
        {"id": "peak", "formula": "max(prev(peak), burn)"},
    ]
    project = make_project(items, periods=5)
    return project.model_copy(
        update={"periods": ["2025-Q3", "2025-Q4", "2026-Q1", "2026-Q2", "2026-Q3"]}
    )


def timeline_formulas(path: Path, periods: int) -> dict[str, dict[int, list[openpyxl.cell.Cell]]]:
    """Sheet -> row -> the formula cells of its timeline, for every sheet of the workbook."""
    found: dict[str, dict[int, list[openpyxl.cell.Cell]]] = {}
    workbook = openpyxl.load_workbook(path)
    last = FIRST_PERIOD_COL + periods
    for ws in workbook.worksheets:
        rows = found.setdefault(ws.title, {})
        for row in ws.iter_rows(min_col=FIRST_PERIOD_COL + 1, max_col=last):
            cells = [c for c in row if isinstance(c.value, str) and c.value.startswith("=")]
            if cells:
                rows[row[0].row] = cells
    return found


def rows_with_two_formulas(path: Path, periods: int) -> list[str]:
    """Where a row's formula, read in R1C1 terms, is not the same in every period."""
    different = []
    for title, rows in timeline_formulas(path, periods).items():
        for cells in rows.values():
            first = cells[0]
            for cell in cells[1:]:
                moved = Translator(first.value, origin=first.coordinate).translate_formula(
                    cell.coordinate
                )
                if cell.value != moved:
                    different.append(f"{title}!{cell.coordinate}: {cell.value} vs {first.value}")
                    break
    return different


def test_every_formula_row_of_every_sheet_has_one_formula_first_period_included(
    exported: Path,
) -> None:
    periods = len(builtin_project().periods)
    rows = timeline_formulas(exported, periods)
    assert sum(len(r) for r in rows.values()) > 300
    # a row that reads the period before is written across the whole timeline too
    scenario_rows = rows["Leaked plan"]
    assert all(len(cells) == periods for cells in scenario_rows.values())
    assert rows_with_two_formulas(exported, periods) == []


def test_a_quarterly_project_has_one_formula_per_row(tmp_path: Path) -> None:
    path = tmp_path / "quarters.xlsx"
    export_workbook(quarterly_project(), path)
    assert rows_with_two_formulas(path, 5) == []


def test_the_first_period_flag_chooses_the_opening_value(exported: Path) -> None:
    values = openpyxl.load_workbook(exported, data_only=True)["Leaked plan"]
    formulas = openpyxl.load_workbook(exported)["Leaked plan"]
    labels = {values.cell(r, 1).value: r for r in range(1, 20)}
    flag_row = labels["First period flag"]
    assert values.cell(flag_row, 2).value == "flag"
    flags = [values.cell(flag_row, FIRST_PERIOD_COL + 1 + t).value for t in range(13)]
    assert flags == [1] + [0] * 12
    cash_row = next(
        r for r in range(1, formulas.max_row + 1) if formulas.cell(r, 3).value == "cash"
    )
    first = formulas.cell(cash_row, FIRST_PERIOD_COL + 1).value
    flag = f"K${flag_row}"
    assert first.startswith(f"=IF({flag},"), first
    assert f",J{cash_row})" in first  # the column left of the timeline, read only after it
