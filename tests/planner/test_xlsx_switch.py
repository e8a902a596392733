"""The live scenario switch: a Control sheet's list and the Active scenario sheet it drives."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from planner.builtin import builtin_project
from planner.engine import evaluate
from planner.io.workbook_active import CHOICE_COL, CHOICE_ROW, NUMBER_ROW
from planner.io.workbook_layout import (
    ACTIVE_SHEET,
    CONTROL_SHEET,
    FIRST_PERIOD_COL,
    sheet_names,
)
from planner.io.xlsx_export import export_workbook
from planner.io.xlsx_import import import_workbook
from planner.model import FundingRound, Project, Scenario
from tests.planner.helpers import make_project


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("switch") / "builtin.xlsx"
    export_workbook(builtin_project(), path)
    return path


def variants_project() -> Project:
    """Scenarios that compute rows differently: one turns an input into a formula, and
    two read each other in a circle that only the Active sheet, holding both, would see."""
    items = [
        {"id": "units", "inputs": [1.0, 2.0, 3.0, 4.0]},
        {"id": "price", "formula": "2 + prev(price, 1)"},
        {"id": "revenue", "formula": "units * price"},
        {"id": "total_costs", "inputs": [5.0, 5.0, 5.0, 5.0]},
        {"id": "burn", "formula": "total_costs - revenue"},
        {"id": "funding", "inputs": [9.0, 0.0, 0.0, 0.0]},
        {"id": "cash", "formula": "prev(cash) + funding - burn"},
        {"id": "a", "inputs": [1.0, 1.0, 1.0, 1.0]},
        {"id": "b", "formula": "a * 2"},
    ]
    return make_project(
        items,
        scenarios=[
            Scenario(name="Priced", formulas={"units": "price / 2", "price": "3"}),
            Scenario(name="Circle", formulas={"a": "b + 1", "b": "7"}),
        ],
    )


def row_of(ws: openpyxl.worksheet.worksheet.Worksheet, ident: str) -> int:
    return next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 3).value == ident)


def test_the_control_sheet_lists_the_scenarios_and_starts_on_the_base(exported: Path) -> None:
    project = builtin_project()
    ws = openpyxl.load_workbook(exported)[CONTROL_SHEET]
    choice = ws.cell(CHOICE_ROW + 1, CHOICE_COL + 1)
    assert choice.value == project.base_name
    rules = [v for v in ws.data_validations.dataValidation if choice.coordinate in v.sqref]
    assert len(rules) == 1 and rules[0].type == "list"
    listed = [c.value for row in ws[rules[0].formula1.replace("$", "")] for c in row]
    assert listed == project.scenario_names
    assert ws.cell(NUMBER_ROW + 1, CHOICE_COL + 1).value.startswith("=MATCH(")


def test_the_active_sheet_picks_inputs_with_choose_and_caches_the_base(exported: Path) -> None:
    project = builtin_project()
    formulas = openpyxl.load_workbook(exported)[ACTIVE_SHEET]
    values = openpyxl.load_workbook(exported, data_only=True)[ACTIVE_SHEET]
    text = str(list(formulas.values))
    assert "INDIRECT" not in text and "OFFSET" not in text
    users = formulas.cell(row_of(formulas, "chatgpt_users"), FIRST_PERIOD_COL + 1).value
    assert users.startswith(f"=CHOOSE({CONTROL_SHEET}!$B$")
    assert all(f"'{title}'!K" in users for title in sheet_names(project.scenario_names))
    result = evaluate(project, project.base_name)
    for item in project.items:
        if item.value is not None:
            continue
        row = row_of(values, item.id)
        cached = [values.cell(row, FIRST_PERIOD_COL + 1 + t).value for t in range(13)]
        assert cached == pytest.approx(result.series(item.id).tolist(), rel=1e-12), item.id


def test_one_scenario_needs_no_switch(tmp_path: Path) -> None:
    project = builtin_project()
    path = tmp_path / "one.xlsx"
    export_workbook(project, path, [project.base_name])
    titles = openpyxl.load_workbook(path).sheetnames
    assert CONTROL_SHEET not in titles and ACTIVE_SHEET not in titles


def test_a_workbook_saved_with_another_scenario_chosen_imports(
    exported: Path, tmp_path: Path
) -> None:
    workbook = openpyxl.load_workbook(exported)
    workbook[CONTROL_SHEET].cell(CHOICE_ROW + 1, CHOICE_COL + 1).value = "Bull case"
    workbook[ACTIVE_SHEET].cell(20, FIRST_PERIOD_COL + 1).value = "typed over"
    path = tmp_path / "chosen.xlsx"
    workbook.save(path)
    assert import_workbook(path) == builtin_project()


def test_rows_the_scenarios_compute_differently_choose_between_their_formulas(
    tmp_path: Path,
) -> None:
    path = tmp_path / "variants.xlsx"
    export_workbook(variants_project(), path)
    ws = openpyxl.load_workbook(path)[ACTIVE_SHEET]
    units = ws.cell(row_of(ws, "units"), FIRST_PERIOD_COL + 2).value
    price_row = row_of(ws, "price")
    # an input on two sheets, a formula over this sheet's price on the third
    assert units.startswith("=CHOOSE(") and f"L{price_row}/2" in units
    assert "'Base'!L" in units
    # a and b read each other across scenarios: both read each sheet's own result
    for ident in ("a", "b"):
        text = ws.cell(row_of(ws, ident), FIRST_PERIOD_COL + 2).value
        sources = [f"'{title}'!L" for title in ("Base", "Priced", "Circle")]
        assert all(source in text for source in sources), text
    assert import_workbook(path) == variants_project()


def test_a_choice_too_long_for_one_cell_leaves_the_switch_out(tmp_path: Path) -> None:
    items = [{"id": "revenue", "inputs": [1.0, 2.0]}]
    scenarios = [Scenario(name=f"Scenario with a long name, number {n:03}") for n in range(120)]
    seed = FundingRound(id="seed", period="2023", investor="Seed", amount=1.0)
    project = make_project(items, periods=2, scenarios=scenarios, funding_rounds=[seed])
    path = tmp_path / "many.xlsx"
    export_workbook(project, path)
    titles = openpyxl.load_workbook(path, read_only=True).sheetnames
    assert len(titles) == 1 + 121 + 2 and ACTIVE_SHEET not in titles
    assert import_workbook(path) == project
    few = project.model_copy(update={"scenarios": scenarios[:3]})
    export_workbook(few, path)
    assert ACTIVE_SHEET in openpyxl.load_workbook(path, read_only=True).sheetnames


def every_cell(path: Path) -> dict[tuple[str, str], object]:
    found: dict[tuple[str, str], object] = {}
    for data_only in (False, True):
        workbook = openpyxl.load_workbook(path, data_only=data_only)
        for ws in workbook.worksheets:
            for row in ws.iter_rows():
                for cell in row:
                    if cell.value is not None:
                        found[(ws.title, f"{cell.coordinate} {data_only}")] = cell.value
    return found


def test_export_import_export_gives_identical_cells_on_every_sheet(
    exported: Path, tmp_path: Path
) -> None:
    again = tmp_path / "again.xlsx"
    export_workbook(import_workbook(exported), again)
    first, second = every_cell(exported), every_cell(again)
    assert any(sheet == ACTIVE_SHEET for sheet, _ in first)
    assert first == second


def test_a_choice_of_formulas_too_long_for_a_cell_reads_each_sheets_result(
    tmp_path: Path,
) -> None:
    items = [
        {"id": "a", "inputs": [1.0, 2.0, 3.0, 4.0]},
        {"id": "b", "inputs": [2.0, 2.0, 2.0, 2.0]},
        {"id": "revenue", "formula": "+".join(["a"] * 900)},
    ]
    scenarios = [
        Scenario(name="Bees", formulas={"revenue": "+".join(["b"] * 900)}),
        Scenario(name="Both", formulas={"revenue": "+".join(["a", "b"] * 450)}),
    ]
    project = make_project(items, scenarios=scenarios)
    path = tmp_path / "long.xlsx"
    export_workbook(project, path)
    ws = openpyxl.load_workbook(path)[ACTIVE_SHEET]
    row = row_of(ws, "revenue")
    text = ws.cell(row, FIRST_PERIOD_COL + 1).value
    assert text == f"=CHOOSE({CONTROL_SHEET}!$B$5,'Base'!K{row},'Bees'!K{row},'Both'!K{row})"
    assert "result from its sheet" in ws.cell(row, 1).comment.text
