"""Proof that the workbook's formulas are the model: LibreOffice recalculates, the engine agrees.

All workbooks of this module go through one LibreOffice start-up.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pytest
import xlsxwriter
from xlsxwriter.utility import xl_rowcol_to_cell

from planner.builtin import builtin_project
from planner.engine import compile_items, evaluate, group_members, input_arrays
from planner.formula import parse, to_excel
from planner.io.workbook_layout import COL_VALUE, FIRST_PERIOD_COL, column_letter, sheet_names
from planner.io.xlsx_export import export_workbook
from planner.io.xlsx_import import import_workbook
from planner.model import ComputeContract, FundingRound, LineItem, Project, Scenario
from planner.scenarios import resolve
from tests.planner.helpers import make_project
from tests.planner.libreoffice import (
    MISSING_REASON,
    SOFFICE,
    cell_values,
    convert,
    formula_cells,
    same_value,
)
from tests.planner.test_xlsx_limits import wide_group_project

pytestmark = [
    pytest.mark.libreoffice,
    pytest.mark.skipif(SOFFICE is None, reason=MISSING_REASON),
]


def quarterly_project() -> Project:
    """Quarters, a tranche round, custom chips and every function of the formula language."""
    periods = [f"{y}-Q{q}" for y in (2025, 2026, 2027) for q in (1, 2, 3, 4)]
    n = len(periods)
    items = [
        {"id": "price", "inputs": [1.0 + 0.25 * t for t in range(n)], "group": "drivers"},
        {"id": "units", "inputs": [100.0 * (t % 5 + 1) for t in range(n)], "group": "drivers"},
        {"id": "cut", "value": 0.3, "group": "drivers"},
        {"id": "sales", "formula": "price * units / 100", "group": "revenue"},
        {
            "id": "bonus",
            "formula": "if(sales > 4 and not (units == 300), 1.5, 0)",
            "group": "revenue",
        },
        {"id": "revenue", "formula": "sum_of(revenue)", "group": "revenue"},
        {"id": "costs_base", "formula": "max(2, min(9, sales ** 1.5 / 3))", "group": "costs"},
        {
            "id": "compute_cost",
            "formula": "committed_spend - committed_custom_spend * cut",
            "group": "costs",
        },
        {"id": "swing", "formula": "abs(prev(revenue, 1) - revenue) - -1", "group": "costs"},
        {"id": "total_costs", "formula": "sum_of(costs)", "group": "costs"},
        {"id": "burn", "formula": "total_costs - revenue", "group": "cash"},
        {"id": "funding", "formula": "round_funding", "group": "cash"},
        {"id": "cash", "formula": "prev(cash, 5) + funding - burn", "group": "cash"},
        {"id": "holders", "formula": "prev(holders, 1) * round_share_kept", "group": "cash"},
        {
            "id": "capacity_gw",
            "formula": "prev(capacity_gw) + contracted_gw + contracted_custom_gw * 0",
            "group": "cash",
        },
    ]
    rounds = [
        FundingRound(id="seed", period="2025-Q1", investor="Seed", amount=3.0, pre_money=20.0),
        FundingRound(
            id="chips",
            period="2025-Q3",
            investor="Chip maker",
            amount=7.0,
            pre_money=50.0,
            tranche_per_gw=2.5,
        ),
        FundingRound(id="debt", period="2026-Q2", investor="=Bank", amount=4.0),
    ]
    contracts = [
        ComputeContract(
            id="dc1",
            counterparty="Data centre",
            gw=2.0,
            total_value=12.0,
            first_year=2025,
            last_year=2026,
            custom_chip_share=0.25,
        ),
        ComputeContract(
            id="dc2",
            counterparty="Fab",
            gw=1.2,
            total_value=9.0,
            first_year=2026,
            last_year=2027,
            custom_chip_share=1.0,
            service_years=2,
        ),
    ]
    full = [{"label": i["id"].replace("_", " "), "unit": "$B", **i} for i in items]
    return Project(
        name="Quarterly",
        periods=periods,
        items=[LineItem.model_validate(i) for i in full],
        funding_rounds=rounds,
        compute_contracts=contracts,
        scenarios=[
            Scenario(
                name="Bob's [odd] case: =1",
                inputs={"price": {"2025-Q2": 9.5, "2027-Q4": 0.5}},
                values={"cut": 0.9},
                formulas={"bonus": "if(prev(sales, 0) > sales, 2, -1)"},
                funding_rounds={
                    "chips": rounds[1].model_copy(update={"tranche_per_gw": 1.0, "amount": 9.0})
                },
                removed_rows=["seed", "dc1"],
            )
        ],
    )


def rounds_project() -> Project:
    """Rounds whose table order is not their period order: the last priced one is not the
    last row, two share its period, and an unpriced round comes after it."""
    rounds = [
        FundingRound(id="late", period="2026", investor="A", amount=10.0, pre_money=100.0),
        FundingRound(id="early", period="2024", investor="B", amount=5.0, pre_money=50.0),
        FundingRound(id="tie", period="2026", investor="C", amount=20.0, pre_money=200.0),
        FundingRound(id="debt", period="2027", investor="Bank", amount=8.0),
    ]
    items: list[dict[str, object]] = [
        {"id": "revenue", "inputs": [1.0, 2.0, 4.0, 8.0, 16.0]},
        {"id": "total_costs", "inputs": [6.0, 6.0, 7.0, 7.0, 8.0]},
        {"id": "burn", "formula": "total_costs - revenue"},
        {"id": "funding", "formula": "round_funding"},
        {"id": "cash", "formula": "prev(cash, 0) + funding - burn"},
    ]
    return make_project(
        items,
        periods=5,
        name="Rounds",
        funding_rounds=rounds,
        scenarios=[
            Scenario(name="No tie", removed_rows=["tie"]),
            Scenario(
                name="Early repriced late",
                funding_rounds={"early": rounds[1].model_copy(update={"period": "2027"})},
            ),
            Scenario(name="Nothing priced", removed_rows=["late", "early", "tie"]),
        ],
    )


# The post-money of each rounds_project scenario's last priced round.
ROUNDS_LAST_POST_MONEY = {
    "Rounds": 220.0,
    "No tie": 110.0,
    "Early repriced late": 55.0,
    "Nothing priced": "n/a",
}


def _row_of(ws: openpyxl.worksheet.worksheet.Worksheet, ident: str) -> int:
    for row in ws.iter_rows(min_col=3, max_col=3):
        if row[0].value == ident:
            return row[0].row
    raise KeyError(ident)


def edit_workbook(path: Path, out: Path) -> None:
    """Change inputs the way a colleague would in a spreadsheet, then save."""
    workbook = openpyxl.load_workbook(path)
    base, bull = workbook["Leaked plan"], workbook["Bull case"]
    base.cell(_row_of(base, "chatgpt_users"), FIRST_PERIOD_COL + 1 + 7).value = 2500.0
    base.cell(_row_of(base, "opening_cash"), COL_VALUE + 1).value = 7.5
    base.cell(_row_of(base, "c_oracle"), COL_VALUE + 2).value = 420.0
    base.cell(_row_of(base, "r2027_ipo"), COL_VALUE + 2).value = 25.0
    # a linked cell typed over becomes the scenario's own override
    bull.cell(_row_of(bull, "enterprise_api"), FIRST_PERIOD_COL + 1 + 3).value = 20.0
    workbook.save(out)


def edit_project(project: Project) -> Project:
    """The same edits made in the planner."""
    edited = project.model_copy(deep=True)
    users = edited.item("chatgpt_users")
    assert users.inputs is not None
    users.inputs[7] = 2500.0
    for n, item in enumerate(edited.items):
        if item.id == "opening_cash":
            edited.items[n] = item.model_copy(update={"value": 7.5})
    for n, contract in enumerate(edited.compute_contracts):
        if contract.id == "c_oracle":
            edited.compute_contracts[n] = contract.model_copy(update={"total_value": 420.0})
    for n, funding_round in enumerate(edited.funding_rounds):
        if funding_round.id == "r2027_ipo":
            edited.funding_rounds[n] = funding_round.model_copy(update={"amount": 25.0})
    bull = edited.scenario("Bull case")
    assert bull is not None
    bull.inputs.setdefault("enterprise_api", {})["2026"] = 20.0
    return edited


@pytest.fixture(scope="module")
def recalculated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Path]]:
    """name -> (workbook whose cached values are the engine's, LibreOffice's recalculation)."""
    folder = tmp_path_factory.mktemp("recalc")
    builtin = builtin_project()
    expected = {
        "builtin": folder / "builtin.xlsx",
        "quarterly": folder / "quarterly.xlsx",
        "edited": folder / "edited_expected.xlsx",
        "wide": folder / "wide.xlsx",
        "errors": folder / "errors.xlsx",
        "rounds": folder / "rounds.xlsx",
    }
    export_workbook(builtin, expected["builtin"])
    export_workbook(quarterly_project(), expected["quarterly"])
    export_workbook(wide_group_project(), expected["wide"])
    export_workbook(edit_project(builtin), expected["edited"])
    write_formulas(error_project(), expected["errors"])
    export_workbook(rounds_project(), expected["rounds"])
    edited_input = folder / "edited.xlsx"
    edit_workbook(expected["builtin"], edited_input)
    sources = [
        expected["builtin"],
        expected["quarterly"],
        edited_input,
        expected["wide"],
        expected["errors"],
        expected["rounds"],
    ]
    outputs = convert(sources, folder / "out")
    names = ("builtin", "quarterly", "edited", "wide", "errors", "rounds")
    return {name: (expected[name], out) for name, out in zip(names, outputs, strict=True)}


def mismatches(expected: Path, recalculated: Path) -> tuple[int, list[str]]:
    formulas = formula_cells(expected)
    want = cell_values(expected)
    got = cell_values(recalculated)
    bad = [
        f"{sheet}!{cell} {formulas[(sheet, cell)]}: engine {want.get((sheet, cell))!r}, "
        f"LibreOffice {got.get((sheet, cell))!r}"
        for sheet, cell in formulas
        if not same_value(want.get((sheet, cell)), got.get((sheet, cell)))
    ]
    return len(formulas), bad


# "wide" sums groups of 300 items, past Excel's 255 arguments per function.
LEAST_FORMULAS = {"builtin": 500, "quarterly": 500, "edited": 500, "wide": 500, "rounds": 50}


@pytest.mark.parametrize("name", list(LEAST_FORMULAS))
def test_every_formula_cell_matches_the_engine(
    recalculated: dict[str, tuple[Path, Path]], name: str
) -> None:
    expected, out = recalculated[name]
    count, bad = mismatches(expected, out)
    assert count > LEAST_FORMULAS[name]
    assert not bad, "\n".join(bad[:20])


def summary_kpi_row(values: Mapping[tuple[str, str], object], kpi: str) -> list[object]:
    """The Summary's figures for ``kpi``, one per scenario, left to right."""
    row = next(
        int(cell[1:]) for (sheet, cell), v in values.items() if sheet == "Summary" and v == kpi
    )
    columns = [column_letter(COL_VALUE + n) for n in range(len(ROUNDS_LAST_POST_MONEY))]
    return [values.get(("Summary", f"{letter}{row}")) for letter in columns]


def test_last_post_money_is_the_last_priced_round_by_period(
    recalculated: dict[str, tuple[Path, Path]],
) -> None:
    got = summary_kpi_row(cell_values(recalculated["rounds"][1]), "last_post_money")
    assert got == list(ROUNDS_LAST_POST_MONEY.values())


def test_recalculated_cash_is_the_engines_for_every_builtin_scenario(
    recalculated: dict[str, tuple[Path, Path]],
) -> None:
    project = builtin_project()
    workbook = openpyxl.load_workbook(recalculated["builtin"][1], data_only=True)
    titles = sheet_names(project.scenario_names)
    for name, title in zip(project.scenario_names, titles, strict=True):
        ws = workbook[title]
        result = evaluate(project, name)
        for series in ("cash", "revenue", "burn", "round_funding", "committed_spend"):
            row = _row_of(ws, series)
            cols = range(FIRST_PERIOD_COL + 1, FIRST_PERIOD_COL + 1 + len(project.periods))
            got = [ws.cell(row, col).value for col in cols]
            assert got == pytest.approx(result.series(series).tolist(), rel=1e-9, abs=1e-9)


def test_edited_inputs_change_the_results(recalculated: dict[str, tuple[Path, Path]]) -> None:
    before = cell_values(recalculated["builtin"][1])
    after = cell_values(recalculated["edited"][1])
    changed = [key for key, value in before.items() if not same_value(value, after.get(key))]
    assert len(changed) > 100


def test_workbooks_saved_by_libreoffice_import_back(
    recalculated: dict[str, tuple[Path, Path]],
) -> None:
    project = builtin_project()
    assert import_workbook(recalculated["builtin"][1]) == project
    assert import_workbook(recalculated["edited"][1]) == edit_project(project)
    assert import_workbook(recalculated["quarterly"][1]) == quarterly_project()
    assert import_workbook(recalculated["wide"][1]) == wide_group_project()


def _random_formula(rng: random.Random, earlier: list[str], everyone: list[str], depth: int) -> str:
    if depth >= 3 or rng.random() < 0.3:
        return rng.choice(
            [
                rng.choice(["0", "1", "2", "0.5", "-1"]),
                rng.choice(earlier),
                f"prev({rng.choice(everyone)})",
                f"prev({rng.choice(everyone)}, {rng.choice(earlier)} / 2)",
                "sum_of(inputs)",
            ]
        )

    def sub() -> str:
        return _random_formula(rng, earlier, everyone, depth + 1)

    a, b, c = sub(), sub(), sub()
    return rng.choice(
        [
            f"({a}) + ({b}) - ({c})",
            f"({a}) * ({b}) / ({c})",
            f"({a}) / (({b}) - ({b}))",
            f"abs({a}) ** ({b})",
            f"({a}) ** 2",
            f"-({a})",
            f"({a}) > ({b})",
            f"({a}) <= ({b})",
            f"({a}) and ({b})",
            f"({a}) or not ({b})",
            f"if({a}, {b}, {c})",
            f"min({a}, {b})",
            f"max({a}, {b}, {c})",
            f"abs({a})",
        ]
    )


def error_project() -> Project:
    """Division by zero through every operator, in chosen and in generated formulas."""
    items: list[dict[str, object]] = [
        {"id": "a", "group": "inputs", "inputs": [1, 0, 2, 0, 3, -1]},
        {"id": "b", "group": "inputs", "inputs": [2, 1, 0, -3, 0.5, 4]},
    ]
    chosen = [
        "(b / a) ** 0",
        "1 ** (b / a)",
        "0 ** 0 + a ** 0",
        "if(1, 2, b / 0)",
        "if(a, b / a, -1)",
        "min(b / a, 1) + max(a, b)",
        "(b / a > 1) or 1",
        "not (b / a)",
        "prev(c0, b / a) ** 0",
        "abs(b / a) - -(a) * 2",
    ]
    for n, text in enumerate(chosen):
        items.append({"id": f"c{n}", "group": "chosen", "formula": text})
    rng = random.Random(2)
    generated = [f"g{n}" for n in range(40)]
    everyone = ["a", "b", *generated]
    for n, item_id in enumerate(generated):
        formula = _random_formula(rng, ["a", "b", *generated[:n]], everyone, 0)
        items.append({"id": item_id, "group": "generated", "formula": formula})
    return make_project(items, periods=6)


def write_formulas(project: Project, path: Path) -> None:
    """Each item a row and each period a column, the formulas as ``to_excel`` writes them."""
    items = project.items
    rows = {item.id: n + 1 for n, item in enumerate(items)}
    workbook = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False})
    sheet = workbook.add_worksheet("Model")
    for item in items:
        row = rows[item.id]
        sheet.write_string(row, 0, item.id)
        for t in range(len(project.periods)):
            if item.inputs is not None:
                sheet.write_number(row, t + 1, item.inputs[t])
                continue
            assert item.formula is not None
            text = to_excel(
                parse(item.formula, item.id),
                lambda name, offset, t=t: xl_rowcol_to_cell(rows[name], t + 1 + offset),
                first_period=t == 0,
                group_members=lambda group, item_id=item.id: group_members(items, group, item_id),
            )
            sheet.write_formula(row, t + 1, "=" + text, None, 0)
    workbook.close()


def error_project_disagreements(
    got: Mapping[tuple[str, str], Any],
    in_error: Callable[[Any], bool],
    same: Callable[[float, Any], bool],
) -> tuple[list[str], int, dict[str, np.ndarray]]:
    """Cells of the recalculated error project that disagree with the engine, the number of
    cells in error, and the engine's values (errors kept as NaN)."""
    project = error_project()
    resolved = resolve(project)
    values = compile_items(resolved.items).run(
        input_arrays(resolved), resolved.periods, refuse_errors=False
    )
    bad, errors = [], 0
    for n, item in enumerate(project.items):
        for t, engine in enumerate(values[item.id][0].tolist()):
            cell = got.get(("Model", xl_rowcol_to_cell(n + 1, t + 1)))
            errors += in_error(cell)
            agree = (not math.isfinite(engine)) if in_error(cell) else same(engine, cell)
            if not agree:
                bad.append(f"{item.id} {resolved.periods[t]} {item.formula}: {engine} vs {cell}")
    return bad, errors, values


def test_division_errors_spread_in_the_engine_as_in_libreoffice(
    recalculated: dict[str, tuple[Path, Path]],
) -> None:
    bad, errors, values = error_project_disagreements(
        cell_values(recalculated["errors"][1]),
        lambda cell: isinstance(cell, str) and cell.startswith(("#", "Err:")),
        same_value,
    )
    assert not bad, "\n".join(bad)
    assert errors > 30
    assert np.isfinite(values["c3"]).all() and not np.isfinite(values["c0"]).all()
