"""A funding round or compute contract typed under its table in a spreadsheet is imported."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from planner.builtin import builtin_project
from planner.engine import evaluate
from planner.import_diff import diff_projects
from planner.io.xlsx_export import export_workbook
from planner.io.xlsx_import import WorkbookError, import_workbook
from planner.model import Project
from planner.scenarios import resolve

ROUND_COLUMNS = "ABCDEFG"  # investor, unit, id, period, amount, pre-money, tranche
CONTRACT_COLUMNS = "ABCDEFGHI"  # counterparty, unit, id, GW, value, first, last, chips, years


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("typed") / "builtin.xlsx"
    export_workbook(builtin_project(), path, risk_samples=None)
    return path


def row_under(ws: openpyxl.worksheet.worksheet.Worksheet, first_id: str) -> int:
    """The empty row under the table whose first row has the id ``first_id``."""
    ids = [row[0].value for row in ws.iter_rows(min_col=3, max_col=3)]
    row = ids.index(first_id) + 1
    while ids[row] is not None:
        row += 1
    assert all(cell.value is None for cell in ws[row + 1])  # the export left it empty
    return row + 1


def typed(
    exported: Path, tmp_path: Path, sheet: str, first_id: str, values: list[object]
) -> tuple[Path, int]:
    workbook = openpyxl.load_workbook(exported)
    ws = workbook[sheet]
    row = row_under(ws, first_id)
    for column, value in zip(CONTRACT_COLUMNS, values, strict=False):
        ws[f"{column}{row}"] = value
    path = tmp_path / "typed.xlsx"
    workbook.save(path)
    return path, row


def test_a_round_typed_under_the_base_table_joins_every_scenario(
    exported: Path, tmp_path: Path
) -> None:
    builtin = builtin_project()
    first = builtin.funding_rounds[0].id
    # As typed in Excel: the period becomes a number, the id and tranche are left empty.
    path, _ = typed(
        exported, tmp_path, "Leaked plan", first, ["Sovereign fund", "$B", None, 2028, 40, 1200]
    )

    project = import_workbook(path)

    (new,) = [r for r in project.funding_rounds if r.investor == "Sovereign fund"]
    assert (new.period, new.amount, new.pre_money, new.tranche_per_gw) == (
        "2028",
        40.0,
        1200.0,
        None,
    )
    assert new.id not in {r.id for r in builtin.funding_rounds}
    for name in project.scenario_names:
        assert new.id in {r.id for r in resolve(project, name).funding_rounds}, name
        before = evaluate(builtin, name).series("cash")
        after = evaluate(project, name).series("cash")
        assert after[-1] == pytest.approx(before[-1] + 40.0), name
    added = [c for c in diff_projects(builtin, project).changes if c.where == "added"]
    assert [(c.kind, c.scenario) for c in added] == [("funding round", "Leaked plan")]


def test_a_contract_typed_under_a_scenario_table_is_that_scenarios_own(
    exported: Path, tmp_path: Path
) -> None:
    builtin = builtin_project()
    first = builtin.compute_contracts[0].id
    values = ["Meta data centres", "", "c_meta", 2, 80, 2028, 2032, 0, 5]
    path, _ = typed(exported, tmp_path, "Bull case", first, values)

    project = import_workbook(path)

    assert project.compute_contracts == builtin.compute_contracts
    bull = project.scenario("Bull case")
    assert bull is not None
    contract = bull.compute_contracts["c_meta"]
    assert (contract.counterparty, contract.gw, contract.total_value) == (
        "Meta data centres",
        2,
        80,
    )
    assert (contract.first_year, contract.last_year, contract.service_years) == (2028, 2032, 5)
    for name in project.scenario_names:
        has = "c_meta" in {c.id for c in resolve(project, name).compute_contracts}
        assert has == (name == "Bull case"), name


@pytest.mark.parametrize(
    ("values", "column", "complaint"),
    [
        (["Sovereign fund", "$B", None, 2028, "lots"], "E", "not a number"),
        (["Sovereign fund", "$B", None, 2028, "=10*4"], "E", "holds a formula"),
        (["Sovereign fund", "$B", None, 2028], "E", "is empty; a number is needed"),
        (["Sovereign fund", "$B", "r2024_oct", 2028, 40], "C", "is already used"),
        (["Sovereign fund", "$B", "new round!", 2028, 40], "C", "is not a valid id"),
    ],
)
def test_a_typed_round_that_cannot_be_read_is_refused_naming_its_cell(
    exported: Path, tmp_path: Path, values: list[object], column: str, complaint: str
) -> None:
    first = builtin_project().funding_rounds[0].id
    path, row = typed(exported, tmp_path, "Leaked plan", first, values)

    with pytest.raises(WorkbookError) as refused:
        import_workbook(path)

    assert f"cell Leaked plan!{column}{row}" in str(refused.value)
    assert complaint in str(refused.value)


def test_a_typed_round_in_a_period_outside_the_timeline_is_refused(
    exported: Path, tmp_path: Path
) -> None:
    first = builtin_project().funding_rounds[0].id
    path, _ = typed(
        exported, tmp_path, "Leaked plan", first, ["Sovereign fund", "$B", None, 2099, 40]
    )

    with pytest.raises(WorkbookError, match="2099"):
        import_workbook(path)


def test_two_typed_rows_on_two_sheets_get_two_ids(exported: Path, tmp_path: Path) -> None:
    first = builtin_project().funding_rounds[0].id
    workbook = openpyxl.load_workbook(exported)
    for sheet, investor in (("Leaked plan", "Fund A"), ("Bear case", "Fund B")):
        ws = workbook[sheet]
        row = row_under(ws, first)
        for column, value in zip(ROUND_COLUMNS, [investor, "$B", None, "2028", 5], strict=False):
            ws[f"{column}{row}"] = value
    path = tmp_path / "two.xlsx"
    workbook.save(path)

    project: Project = import_workbook(path)

    bear = resolve(project, "Bear case").funding_rounds
    ids = {r.investor: r.id for r in bear if r.investor in ("Fund A", "Fund B")}
    assert set(ids) == {"Fund A", "Fund B"} and len(set(ids.values())) == 2
