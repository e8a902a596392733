"""What an imported workbook changes: each kind of change, its order, its text, and applying it."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from planner.builtin import builtin_project
from planner.import_diff import Change, ReplaceContent, diff_projects
from planner.io.workbook_layout import COL_VALUE, FIRST_PERIOD_COL
from planner.io.xlsx_export import export_workbook
from planner.io.xlsx_import import import_workbook
from planner.model import ComputeContract, FundingRound, LineItem, Project, Scenario

BASE = "Leaked plan"


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("diff") / "builtin.xlsx"
    export_workbook(builtin_project(), path)
    return path


@pytest.fixture
def builtin() -> Project:
    return builtin_project()


def row_of(ws: openpyxl.worksheet.worksheet.Worksheet, ident: str) -> int:
    for row in ws.iter_rows(min_col=3, max_col=3):
        if row[0].value == ident:
            return row[0].row
    raise KeyError(ident)


def period_col(period: str) -> int:
    """The 1-based column of a period of the built-in project (2023 first)."""
    return FIRST_PERIOD_COL + 1 + int(period) - 2023


def through_workbook(project: Project, tmp_path: Path) -> Project:
    path = tmp_path / "changed.xlsx"
    export_workbook(project, path)
    return import_workbook(path)


def only(changes: tuple[Change, ...], kind: str) -> list[Change]:
    return [c for c in changes if c.kind == kind]


def test_an_unchanged_export_changes_nothing(exported: Path, builtin: Project) -> None:
    diff = diff_projects(builtin, import_workbook(exported))
    assert not diff and diff.changes == ()
    assert diff.same_model
    assert diff.text() == "The workbook changes nothing in this project.\n"


def test_cells_edited_in_a_spreadsheet_are_listed_with_old_and_new_values(
    exported: Path, builtin: Project, tmp_path: Path
) -> None:
    workbook = openpyxl.load_workbook(exported)
    base, bear = workbook[BASE], workbook["Bear case"]
    base.cell(row_of(base, "chatgpt_users"), period_col("2027")).value = 1333.0
    base.cell(row_of(base, "opening_cash"), COL_VALUE + 1).value = 3.5
    # typed over a link on a scenario sheet: the scenario's own value from now on
    bear.cell(row_of(bear, "other_costs"), period_col("2028")).value = 99.0
    # an override given back to the base: a link typed over it
    price = row_of(bear, "subscription_price")
    bear.cell(price, period_col("2026")).value = f"='{BASE}'!N{price}"
    base.cell(row_of(base, "c_aws"), COL_VALUE + 2).value = 55.0
    path = tmp_path / "edited.xlsx"
    workbook.save(path)

    diff = diff_projects(builtin, import_workbook(path))

    values = only(diff.changes, "value")
    users = builtin.item("chatgpt_users")
    other = builtin.item("other_costs")
    price_item = builtin.item("subscription_price")
    assert values == [
        Change("value", BASE, users.label, "2027", "M users", "1,250", "1,333", numeric=True),
        Change("value", BASE, "Cash at the start of 2023", "", "$B", "2.0", "3.5", numeric=True),
        # per scenario in the project's order of line items
        Change("value", "Bear case", price_item.label, "2026", "$/month", "21", "22 (base)", True),
        Change("value", "Bear case", other.label, "2028", "$B", "23 (base)", "99", numeric=True),
    ]
    (contract,) = only(diff.changes, "compute contract")
    assert (contract.scenario, contract.where, contract.new) == (BASE, "value", "55")
    assert contract.item.startswith("Amazon")
    assert diff.summary() == "5 changes: 4 inputs and single values, 1 compute contract"


def test_a_round_row_edited_on_a_scenario_sheet_becomes_the_scenarios_own(
    exported: Path, builtin: Project, tmp_path: Path
) -> None:
    workbook = openpyxl.load_workbook(exported)
    bull = workbook["Bull case"]
    first = builtin.funding_rounds[0]
    bull.cell(row_of(bull, first.id), COL_VALUE + 2).value = first.amount + 5
    path = tmp_path / "edited.xlsx"
    workbook.save(path)

    (change,) = diff_projects(builtin, import_workbook(path)).changes
    assert change.kind == "funding round" and change.scenario == "Bull case"
    assert change.item == f"{first.investor} round of {first.period}"
    assert change.where == "amount" and change.unit == "$B"
    assert (change.old, change.new) == (f"{first.amount:.0f}", f"{first.amount + 5:.0f}")


def test_rows_added_removed_and_changed_are_named_by_their_labels(
    builtin: Project, tmp_path: Path
) -> None:
    changed = builtin.model_copy(deep=True)
    changed.funding_rounds.append(
        FundingRound(id="r_new", period="2028", investor="Sovereign fund", amount=40.0)
    )
    removed = changed.compute_contracts.pop()
    changed.compute_contracts[0] = changed.compute_contracts[0].model_copy(
        update={"gw": changed.compute_contracts[0].gw + 1.5}
    )
    bull = changed.scenario("Bull case")
    assert bull is not None
    bull.removed_rows.append(changed.funding_rounds[0].id)

    diff = diff_projects(builtin, through_workbook(changed, tmp_path))

    rounds = only(diff.changes, "funding round")
    assert [(c.scenario, c.item, c.where, c.new) for c in rounds] == [
        (BASE, "Sovereign fund round of 2028", "added", "$40B in 2028"),
        ("Bull case", "Microsoft round of 2023", "removed", ""),
    ]
    contracts = only(diff.changes, "compute contract")
    first = builtin.compute_contracts[0]
    assert [(c.item, c.where) for c in contracts] == [
        (f"{first.counterparty} contract {first.first_year}-{first.last_year}", "GW"),
        (f"{removed.counterparty} contract {removed.first_year}-{removed.last_year}", "removed"),
    ]
    assert contracts[0].numeric and contracts[1].old.endswith(
        f"{removed.first_year}-{removed.last_year}"
    )


def test_scenario_ranges_correlations_and_colours_show_beside_other_changes(
    builtin: Project,
) -> None:
    changed = builtin.model_copy(deep=True)
    changed.items[0].inputs[3] += 1  # type: ignore[index]
    bear = changed.scenario("Bear case")
    assert bear is not None
    bear.colour = "#000000"
    bear.uncertainty = [changed.uncertainty[0].model_copy(update={"low": 0.5})]
    first, second, *rest = changed.correlations
    changed.correlations = [first.model_copy(update={"rank": 0.2}), *rest]

    diff = diff_projects(builtin, changed)

    ranges = only(diff.changes, "uncertainty")
    users = builtin.item(changed.uncertainty[0].item).label
    assert [(c.scenario, c.item, c.where) for c in ranges] == [
        ("Bear case", users, "added"),
        ("", " and ".join(builtin.item(i).label for i in first.items), "correlation"),
        ("", " and ".join(builtin.item(i).label for i in second.items), "correlation"),
    ]
    assert (ranges[1].old, ranges[1].new) == (f"{first.rank:+.2f}", "+0.20")
    assert (ranges[2].old, ranges[2].new) == (f"{second.rank:+.2f}", "")
    colours = [c for c in only(diff.changes, "scenario") if c.where == "colour"]
    assert [(c.item, c.new) for c in colours] == [("Bear case", "#000000")]
    assert not any(c.item == "Other details" for c in diff.changes)


def test_formulas_scenarios_uncertainty_and_line_items(builtin: Project, tmp_path: Path) -> None:
    changed = builtin.model_copy(deep=True)
    changed.item("total_costs").formula = "sum_of(costs) * 1.1"
    bull = changed.scenario("Bull case")
    assert bull is not None
    bull.formulas["other_costs"] = "prev(other_costs, 1) * 1.05"
    bull.description = "Faster growth, told differently"
    changed.scenarios = [s for s in changed.scenarios if s.name != "Custom silicon"]
    changed.scenarios.append(Scenario(name="Stress", values={"opening_cash": 1.0}))
    changed.uncertainty[0] = changed.uncertainty[0].model_copy(update={"high": 1.4})
    changed.uncertainty.pop()
    changed.items.append(
        LineItem(id="headcount", label="Headcount", unit="k people", group="costs", value=3.0)
    )
    changed.items = [i for i in changed.items if i.id != "ad_revenue"] + [
        i.model_copy(update={"label": "Ads"}) for i in changed.items if i.id == "ad_revenue"
    ]

    diff = diff_projects(builtin, changed)

    formulas = only(diff.changes, "formula")
    assert [(c.scenario, c.item, c.new) for c in formulas] == [
        (BASE, builtin.item("total_costs").label, "sum_of(costs) * 1.1"),
        ("Bull case", builtin.item("other_costs").label, "prev(other_costs, 1) * 1.05"),
    ]
    assert formulas[1].old == "inputs (base)"
    scenarios = only(diff.changes, "scenario")
    assert [(c.item, c.where) for c in scenarios] == [
        ("Stress", "added"),
        ("Custom silicon", "removed"),
        ("Bull case", "description"),
    ]
    assert scenarios[0].new == "Overrides 1 constant."
    ranges = only(diff.changes, "uncertainty")
    assert [c.where for c in ranges] == ["range", "removed"]
    assert ranges[0].new.endswith("/ 1.40")
    items = only(diff.changes, "line item")
    assert [(c.item, c.where, c.old, c.new) for c in items] == [
        ("Headcount", "added", "", "single value in costs (headcount)"),
        ("Ads", "label", "Advertising", "Ads"),
    ]
    assert [c.item for c in only(diff.changes, "order")] == ["Line items"]
    # an input row that becomes a formula shows the formula
    changed.item("other_costs").inputs = None
    changed.item("other_costs").formula = "revenue * 0.2"
    kinds = [c for c in diff_projects(builtin, changed).changes if c.where == "kind"]
    assert [(c.item, c.old, c.new) for c in kinds] == [
        ("Staff, sales and other operating costs", "inputs", "formula revenue * 0.2")
    ]
    # values of a scenario whose formula the import changes are not listed again
    assert not [c for c in only(diff.changes, "value") if c.item == "Other costs"]


def test_notes_and_project_settings(builtin: Project) -> None:
    changed = builtin.model_copy(deep=True)
    changed.name = "Plan B"
    changed.item("cash").note = "a new source"
    users = changed.item("chatgpt_users")
    users.input_notes = {**users.input_notes, "2030": "survey"}
    diff = diff_projects(builtin, changed)
    assert [(c.kind, c.item, c.where, c.new) for c in diff.changes] == [
        ("project", "Name", "", "Plan B"),
        ("note", users.label, "2030", "survey"),
        ("note", builtin.item("cash").label, "", "a new source"),
    ]


def test_a_row_under_another_id_is_removed_and_added(builtin: Project) -> None:
    changed = builtin.model_copy(deep=True)
    changed.compute_contracts[0].id = "renamed_id"
    kinds = [(c.kind, c.where) for c in diff_projects(builtin, changed).changes]
    assert kinds == [("compute contract", "added"), ("compute contract", "removed")]


def test_a_difference_the_list_cannot_name_still_shows(builtin: Project) -> None:
    bull = builtin.scenario("Bull case")
    assert bull is not None
    bull.removed_rows = [builtin.funding_rounds[0].id, builtin.funding_rounds[1].id]
    changed = builtin.model_copy(deep=True)
    changed.scenarios[0].removed_rows.reverse()  # the same rows removed, listed otherwise
    (change,) = diff_projects(builtin, changed).changes
    assert (change.item, change.new) == ("Other details", "differ")


def test_the_list_is_deterministic_and_in_kind_order(builtin: Project, tmp_path: Path) -> None:
    changed = builtin.model_copy(deep=True)
    changed.uncertainty[0] = changed.uncertainty[0].model_copy(update={"low": 0.5})
    changed.item("total_costs").formula = "sum_of(costs) * 1.1"
    users = changed.item("chatgpt_users")
    assert users.inputs is not None
    users.inputs = [v + 1 for v in users.inputs]
    changed.name = "Renamed"
    first, second = diff_projects(builtin, changed), diff_projects(builtin, changed)
    assert first == second and first.text() == second.text()
    assert list(first.counts()) == ["project", "value", "formula", "uncertainty"]
    periods = [c.where for c in only(first.changes, "value")]
    assert periods == builtin.periods


def test_text_lines_up_columns_and_puts_long_texts_on_their_own_lines(builtin: Project) -> None:
    changed = builtin.model_copy(deep=True)
    users = changed.item("chatgpt_users")
    assert users.inputs is not None
    users.inputs = [*users.inputs[:5], 1e5, 0.5, *users.inputs[7:]]
    changed.item("total_costs").formula = "sum_of(costs) * 1.1 + 0 * revenue"
    text = diff_projects(builtin, changed).text()
    lines = text.splitlines()
    assert lines[0] == "3 changes: 2 inputs and single values, 1 formula"
    header = lines[2]
    assert header.split() == [
        "Scenario",
        "Line",
        "item",
        "or",
        "row",
        "Period",
        "Unit",
        "Old",
        "New",
    ]
    value_lines = [line for line in lines if users.label in line]
    assert len(value_lines) == 2
    ends = {len(line) for line in value_lines}
    assert len(ends) == 1, "the New column is right-aligned"
    assert value_lines[0].endswith("100,000") and value_lines[1].endswith("0.5")
    assert value_lines[0].index("M users") == header.index("Unit")
    assert "      was: sum_of(costs)" in text
    assert "      now: sum_of(costs) * 1.1 + 0 * revenue" in text


def test_a_workbook_of_another_model_is_told_apart(builtin: Project) -> None:
    other = builtin.model_copy(deep=True)
    other.items = [i for i in other.items if i.id in ("revenue", "cash")]
    assert not diff_projects(builtin, other).same_model
    assert diff_projects(builtin, builtin.model_copy(deep=True)).same_model


def test_applying_the_import_is_one_step_that_undo_reverts_exactly(
    exported: Path, builtin: Project, tmp_path: Path
) -> None:
    workbook = openpyxl.load_workbook(exported)
    base = workbook[BASE]
    base.cell(row_of(base, "chatgpt_users"), period_col("2030")).value = 2222.0
    path = tmp_path / "edited.xlsx"
    workbook.save(path)
    imported = import_workbook(path)
    imported.scenarios.pop()
    imported.compute_contracts.append(
        ComputeContract(
            id="c_new",
            counterparty="New cloud",
            gw=1,
            total_value=20,
            first_year=2027,
            last_year=2028,
        )
    )
    original = builtin.model_copy(deep=True)
    project = builtin

    undo = ReplaceContent(imported, "Import edited.xlsx").apply(project)
    assert project == imported
    assert project.scenarios is not imported.scenarios  # the command keeps its own copy
    redo = undo.apply(project)
    assert project == original
    redo.apply(project)
    assert project == imported
    assert undo.description == "Import edited.xlsx"


# --- command line ----------------------------------------------------------------------


def edited_bull_case(exported: Path, tmp_path: Path) -> Path:
    workbook = openpyxl.load_workbook(exported)
    bull = workbook["Bull case"]
    bull.cell(row_of(bull, "chatgpt_users"), period_col("2028")).value = 1999.0
    path = tmp_path / "edited.xlsx"
    workbook.save(path)
    return path


def test_cli_diff_prints_the_list_against_the_builtin_project(
    exported: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from planner.cli import main

    workbook = edited_bull_case(exported, tmp_path)
    assert main(["import", str(workbook), "--diff"]) == 0
    out = capsys.readouterr().out
    expected = diff_projects(builtin_project(), import_workbook(workbook)).text()
    assert out == expected
    assert out.splitlines()[0] == "1 change: 1 input or single value"
    assert out.splitlines()[-1].split() == [
        "Bull", "case", "ChatGPT", "monthly", "active", "users", "(year", "average)",
        "2028", "M", "users", "1,450", "(base)", "1,999",
    ]  # fmt: skip
    assert list(tmp_path.iterdir()) == [workbook], "without -o nothing is written"


def test_cli_diff_against_a_project_file_then_writes_the_import(
    exported: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from planner.cli import main
    from planner.io.project_file import load_project, save_project

    project = builtin_project()
    project.name = "My copy"
    mine = tmp_path / "mine.burnrate"
    save_project(project, mine)
    output = tmp_path / "out.burnrate"
    workbook = edited_bull_case(exported, tmp_path)
    assert main(["import", str(workbook), "--diff", str(mine), "-o", str(output)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("2 changes: 1 project setting, 1 input or single value\n")
    assert "  Name" in out and "My copy" in out
    assert out.endswith(f"wrote {output}: 4 scenarios\n")
    assert load_project(output) == import_workbook(workbook)


def test_cli_import_without_output_or_diff_is_refused(
    exported: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from planner.cli import main

    assert main(["import", str(exported)]) == 2
    assert "-o/--output is required" in capsys.readouterr().err
