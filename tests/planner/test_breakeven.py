"""Break-even is sustained: the first year from which burn stays at or below zero."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import openpyxl
import pytest

from planner.engine import evaluate
from planner.io.xlsx_export import export_workbook
from planner.kpis import compute_kpis
from planner.model import Project
from planner.uncertainty import NEVER, sample_kpis
from tests.planner.helpers import make_project

CASES = [
    ([-1.0, 2.0, -1.0, -1.0, -3.0], 2025),  # a dip into profit in 2023 does not count
    ([3.0, 2.0, 1.0, 0.0, -1.0], 2026),  # zero burn counts as breaking even
    ([-1.0, -1.0, -1.0, -1.0, 1.0], None),  # losing money again in the last year
    ([-1.0, -2.0, -3.0, -4.0, -5.0], 2023),
    ([1.0, 1.0, 1.0, 1.0, 1.0], None),
]


def burn_project(burn: list[float]) -> Project:
    return make_project(
        [
            {"id": "revenue", "inputs": [10.0] * len(burn)},
            {"id": "total_costs", "inputs": [10.0 + b for b in burn]},
            {"id": "burn", "formula": "total_costs - revenue"},
            {"id": "cash", "formula": "prev(cash, 100) - burn"},
        ],
        periods=len(burn),
    )


@pytest.mark.parametrize("burn, year", CASES)
def test_breakeven_is_the_first_year_burn_stays_at_or_below_zero(
    burn: list[float], year: int | None
) -> None:
    assert compute_kpis(evaluate(burn_project(burn)))["breakeven_year"] == year


def test_every_sample_breaks_even_as_the_single_scenario_does() -> None:
    project = burn_project([0.0] * 5)
    costs = np.array([[10.0 + b for b in burn] for burn, _ in CASES])
    result = evaluate(project, overrides={"total_costs": costs})
    got = sample_kpis(result).breakeven_year.tolist()
    assert got == [NEVER if year is None else year for _, year in CASES]


def test_the_workbook_flags_only_the_years_from_which_burn_stays_down(tmp_path: Path) -> None:
    burn = CASES[0][0]
    path = tmp_path / "dip.xlsx"
    export_workbook(burn_project(burn), path)
    sheet = openpyxl.load_workbook(path)["Base"]
    flags = next(row for row in sheet.iter_rows() if str(row[0].value).startswith("Break-even"))
    formulas = [c.value for c in flags if isinstance(c.value, str) and "COUNTIF" in c.value]
    assert len(formulas) == len(burn)
    cached = openpyxl.load_workbook(path, data_only=True)["Base"]
    values = [c.value for c in cached[flags[0].row] if isinstance(c.value, int | float)]
    assert values[-len(burn) :] == [0, 0, 1, 1, 1]
