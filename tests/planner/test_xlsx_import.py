"""Import of exported workbooks, edits honoured, and hostile or broken files refused."""

from __future__ import annotations

import json
import re
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import openpyxl.xml
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.builtin import builtin_project
from planner.cli import main
from planner.formula import FormulaError
from planner.io import workbook_stream
from planner.io.project_file import load_project
from planner.io.workbook_layout import COL_VALUE, FIRST_PERIOD_COL
from planner.io.xlsx_export import export_workbook
from planner.io.xlsx_import import WorkbookError, import_workbook
from planner.model import Project
from planner.text import quoted
from tests.planner.helpers import make_project


@pytest.fixture
def builtin() -> Project:
    return builtin_project()


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("import") / "builtin.xlsx"
    export_workbook(builtin_project(), path)
    return path


def row_of(ws: openpyxl.worksheet.worksheet.Worksheet, ident: str) -> int:
    for row in ws.iter_rows(min_col=3, max_col=3):
        if row[0].value == ident:
            return row[0].row
    raise KeyError(ident)


def rewrite(source: Path, target: Path, change: Callable[[str, bytes], bytes | None]) -> None:
    """Copy a zip, passing each part through ``change`` (None drops the part)."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            data = change(info.filename, old.read(info))
            if data is not None:
                new.writestr(info.filename, data)


# --- round trips -------------------------------------------------------------------


def test_export_import_export_gives_the_same_project(
    exported: Path, builtin: Project, tmp_path: Path
) -> None:
    first = import_workbook(exported)
    assert first == builtin
    again = tmp_path / "again.xlsx"
    export_workbook(first, again)
    assert import_workbook(again) == builtin


def test_scenario_colours_survive_the_round_trip(builtin: Project, tmp_path: Path) -> None:
    bear = builtin.scenario("Bear case")
    assert bear is not None
    bear.colour = "#123456"
    path = tmp_path / "coloured.xlsx"
    export_workbook(builtin, path, risk_samples=None)
    imported = import_workbook(path)
    assert [s.colour for s in imported.scenarios] == [s.colour for s in builtin.scenarios]
    assert imported == builtin


def test_a_single_scenario_export_imports_as_its_own_base(builtin: Project, tmp_path: Path) -> None:
    path = tmp_path / "bear.xlsx"
    export_workbook(builtin, path, scenarios=["Bear case"])
    project = import_workbook(path)
    assert project.base_name == "Bear case" and project.scenarios == []
    from planner.engine import evaluate

    expected = evaluate(builtin, "Bear case").series("cash")
    assert evaluate(project).series("cash") == pytest.approx(expected)


def test_scenarios_exported_without_the_base_keep_their_results(
    builtin: Project, tmp_path: Path
) -> None:
    from planner.engine import evaluate

    builtin.scenarios[0].formulas["training_cost"] = "compute_cost * 0.5"
    path = tmp_path / "two.xlsx"
    export_workbook(builtin, path, scenarios=["Bull case", "Custom silicon"])
    project = import_workbook(path)
    assert project.scenario_names == ["Bull case", "Custom silicon"]
    for name in project.scenario_names:
        expected = evaluate(builtin, name)
        got = evaluate(project, name)
        for series in ("cash", "training_cost", "committed_spend"):
            assert got.series(series) == pytest.approx(expected.series(series)), (name, series)
    # inputs where the stand-in base has a formula cannot be a scenario of it
    builtin.scenarios[0].formulas["other_costs"] = "prev(other_costs, 1) * 1.1"
    export_workbook(builtin, path, scenarios=["Bull case", "Custom silicon"])
    with pytest.raises(WorkbookError, match="export the base scenario too"):
        import_workbook(path)


def test_edits_made_in_a_spreadsheet_are_honoured(
    exported: Path, builtin: Project, tmp_path: Path
) -> None:
    workbook = openpyxl.load_workbook(exported)
    base, bear = workbook["Leaked plan"], workbook["Bear case"]
    users = row_of(base, "chatgpt_users")
    base.cell(users, FIRST_PERIOD_COL + 1 + 4).value = 1333.0
    base.cell(users, 1).comment = openpyxl.comments.Comment("new source: my survey", "me")
    base.cell(row_of(base, "opening_cash"), COL_VALUE + 1).value = 3.25
    base.cell(row_of(base, "c_aws"), COL_VALUE + 2).value = 55.0
    # typed over a link: a new override; an override replaced by a link: follows the base again
    bear.cell(row_of(bear, "other_costs"), FIRST_PERIOD_COL + 1 + 5).value = 99.0
    price = row_of(bear, "subscription_price")
    bear.cell(price, FIRST_PERIOD_COL + 1 + 3).value = f"='Leaked plan'!N{price}"
    path = tmp_path / "edited.xlsx"
    workbook.save(path)

    project = import_workbook(path)
    item = project.item("chatgpt_users")
    assert item.inputs is not None and item.inputs[4] == 1333.0
    assert item.note == "new source: my survey"
    assert project.item("opening_cash").value == 3.25
    aws = next(c for c in project.compute_contracts if c.id == "c_aws")
    assert aws.total_value == 55.0
    scenario = project.scenario("Bear case")
    assert scenario is not None
    assert scenario.inputs["other_costs"] == {"2028": 99.0}
    assert "2026" not in scenario.inputs["subscription_price"]
    assert scenario.inputs["subscription_price"]["2027"] == 21.0
    assert scenario.removed_rows == builtin.scenario("Bear case").removed_rows  # type: ignore[union-attr]


# --- hostile and broken files -----------------------------------------------------------


def test_not_a_zip(tmp_path: Path) -> None:
    path = tmp_path / "plain.xlsx"
    path.write_text("Name,2025\nrevenue,13\n")
    with pytest.raises(WorkbookError, match=r"not an \.xlsx workbook"):
        import_workbook(path)


def test_truncated_zip(exported: Path, tmp_path: Path) -> None:
    path = tmp_path / "cut.xlsx"
    data = exported.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(WorkbookError, match="damaged or truncated"):
        import_workbook(path)


def test_zip_bomb_refused_from_the_declared_sizes(exported: Path, tmp_path: Path) -> None:
    path = tmp_path / "bomb.xlsx"

    def inflate(name: str, data: bytes) -> bytes:
        return b"<x>" + b" " * (8 * 1024 * 1024) + b"</x>" if name == "docProps/app.xml" else data

    rewrite(exported, path, inflate)
    with pytest.raises(WorkbookError, match="zip bomb"):
        import_workbook(path)


def test_xml_entities_refused(exported: Path, tmp_path: Path) -> None:
    path = tmp_path / "laughs.xlsx"
    doctype = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
    )

    def entity(name: str, data: bytes) -> bytes:
        if name != "xl/workbook.xml":
            return data
        return doctype + re.sub(rb"^<\?xml[^>]*\?>", b"", data)

    rewrite(exported, path, entity)
    with pytest.raises(WorkbookError, match="declares a DOCTYPE, which a workbook never needs"):
        import_workbook(path)
    # openpyxl on its own refuses them too, through defusedxml
    assert openpyxl.xml.DEFUSEDXML
    with pytest.raises(Exception, match=r"(?i)entit|forbidden"):
        openpyxl.load_workbook(path)


def test_missing_workbook_part(exported: Path, tmp_path: Path) -> None:
    path = tmp_path / "hollow.xlsx"
    rewrite(exported, path, lambda name, data: None if name == "xl/workbook.xml" else data)
    with pytest.raises(WorkbookError, match=r"xl/workbook\.xml is missing"):
        import_workbook(path)


def test_a_sheet_is_judged_by_its_data_not_its_claimed_dimension(
    exported: Path, builtin: Project, tmp_path: Path
) -> None:
    path = tmp_path / "tall.xlsx"

    def claim(rows: bytes) -> Callable[[str, bytes], bytes]:
        def tall(name: str, data: bytes) -> bytes:
            if name != "xl/worksheets/sheet2.xml":
                return data
            data = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:W1048576"', data)
            return data.replace(b"</sheetData>", rows + b"</sheetData>")

        return tall

    rewrite(exported, path, claim(b""))
    assert import_workbook(path) == builtin
    rewrite(exported, path, claim(b'<row r="1048576"><c r="A1048576"><v>1</v></c></row>'))
    with pytest.raises(WorkbookError, match="Leaked plan holds data in row 1,048,576"):
        import_workbook(path)


@pytest.mark.parametrize("bad", [b"NaN", b"INF", b"-inf"])
def test_nan_and_infinite_cells(exported: Path, tmp_path: Path, bad: bytes) -> None:
    ws = openpyxl.load_workbook(exported)["Leaked plan"]
    row = row_of(ws, "chatgpt_users")
    path = tmp_path / "nan.xlsx"

    def poison(name: str, data: bytes) -> bytes:
        if name != "xl/worksheets/sheet2.xml":
            return data
        pattern = rb'(<c r="K' + str(row).encode() + rb'"[^>]*>)<v>[^<]*</v>'
        poisoned, count = re.subn(pattern, rb"\1<v>" + bad + rb"</v>", data)
        assert count == 1
        return poisoned

    rewrite(exported, path, poison)
    with pytest.raises(
        WorkbookError, match=rf"Leaked plan!K{row}.*(not a finite number|not a number)"
    ):
        import_workbook(path)


def test_over_long_strings(exported: Path, tmp_path: Path) -> None:
    workbook = openpyxl.load_workbook(exported)
    ws = workbook["Leaked plan"]
    ws.cell(row_of(ws, "r2025_oct"), 1).value = "x" * 40000
    path = tmp_path / "long.xlsx"
    workbook.save(path)
    with pytest.raises(WorkbookError, match=r"Leaked plan!A\d+ holds [\d,]+ characters; at most"):
        import_workbook(path)


def test_a_control_character_in_a_name_cell_is_refused_naming_the_cell(
    exported: Path, tmp_path: Path
) -> None:
    workbook = openpyxl.load_workbook(exported)
    ws = workbook["Leaked plan"]
    ws.cell(row_of(ws, "r2025_oct"), 1).value = "SoftBank \x9b31m"
    path = tmp_path / "control.xlsx"
    workbook.save(path)
    with pytest.raises(
        WorkbookError, match=r"cell Leaked plan!A\d+ contains the character U\+009B; names"
    ):
        import_workbook(path)


def tampered(exported: Path, path: Path, change: Callable[[dict[str, Any]], object]) -> Path:
    """A copy of ``exported`` at ``path`` whose structure sheet ``change`` has edited."""
    workbook = openpyxl.load_workbook(exported)
    ws = workbook["_burnrate"]
    meta = json.loads("".join(str(ws.cell(r, 1).value) for r in range(2, ws.max_row + 1)))
    change(meta)
    for r in range(2, ws.max_row + 1):
        ws.cell(r, 1).value = None
    text = json.dumps(meta)
    for n, start in enumerate(range(0, len(text), 30000)):  # a cell holds 32,767 characters
        ws.cell(2 + n, 1).value = text[start : start + 30000]
    workbook.save(path)
    return path


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        (lambda meta: meta["sheets"][-1].update(scenario="Bull\x1b[2J"), "the scenario name"),
        (lambda meta: meta["items"][0].update(label="Users\x07"), "the label of"),
        (lambda meta: meta["project"].update(name="Plan\ufffe"), "the project's name"),
    ],
)
def test_a_control_character_in_the_structure_sheet_is_refused(
    exported: Path, tmp_path: Path, change: Callable[[dict[str, Any]], object], fragment: str
) -> None:
    path = tampered(exported, tmp_path / "tampered.xlsx", change)
    with pytest.raises(WorkbookError, match="hidden _burnrate sheet") as caught:
        import_workbook(path)
    assert fragment in str(caught.value) and "contains the character U+" in str(caught.value)


def test_text_where_a_number_belongs_and_moved_rows(exported: Path, tmp_path: Path) -> None:
    workbook = openpyxl.load_workbook(exported)
    ws = workbook["Leaked plan"]
    ws.cell(row_of(ws, "paying_share"), FIRST_PERIOD_COL + 2).value = "five percent"
    path = tmp_path / "text.xlsx"
    workbook.save(path)
    with pytest.raises(WorkbookError, match=r"Leaked plan!L\d+ holds 'five percent', not a number"):
        import_workbook(path)
    workbook = openpyxl.load_workbook(exported)
    workbook["Leaked plan"].insert_rows(20)
    workbook.save(path)
    with pytest.raises(WorkbookError, match="rows were inserted, deleted or moved"):
        import_workbook(path)


@pytest.mark.parametrize(
    "change",
    [
        lambda meta: meta["sheets"][0]["rows"].pop("cash"),
        lambda meta: meta["sheets"][0].update(rows={"chatgpt_users": -5}),
        lambda meta: meta["items"][0].pop("label"),
        lambda meta: meta.update(project=None),
        lambda meta: meta["sheets"][0].update(sheet="Gone"),
        lambda meta: meta["sheets"][1].update(colour="red; drop"),
    ],
)
def test_a_tampered_structure_sheet_is_refused(
    exported: Path, tmp_path: Path, change: Callable[[dict[str, Any]], object]
) -> None:
    path = tampered(exported, tmp_path / "tampered.xlsx", change)
    with pytest.raises(WorkbookError):
        import_workbook(path)


def _many_missing(meta: dict[str, Any]) -> None:
    extra = [{**meta["sheets"][1], "sheet": f"S{n}", "scenario": f"S{n}"} for n in range(2000)]
    meta["sheets"] += extra


@pytest.mark.parametrize(
    ("change", "said"),
    [
        (lambda meta: meta.update(sheets=meta["sheets"] * 500), "lists a scenario sheet twice"),
        (lambda meta: meta["sheets"][2].update(sheet="leaked PLAN"), "a scenario sheet twice"),
        # more sheets than the workbook has: refused before any is looked for
        (_many_missing, "the sheet 'S0' is missing; if it was renamed"),
    ],
)
def test_a_structure_sheet_listing_sheets_twice_or_too_many_is_refused_at_once(
    exported: Path, tmp_path: Path, change: Callable[[dict[str, Any]], object], said: str
) -> None:
    path = tampered(exported, tmp_path / "listed.xlsx", change)
    with pytest.raises(WorkbookError, match=said):
        import_workbook(path)


def test_a_foreign_workbook_points_to_plain_sheet_import(tmp_path: Path) -> None:
    path = tmp_path / "foreign.xlsx"
    workbook = openpyxl.Workbook()
    workbook.active.append(["Revenue", 1, 2])
    workbook.save(path)
    with pytest.raises(WorkbookError, match=r"not exported by Burnrate.*Import plain sheet"):
        import_workbook(path)


def test_a_foreign_workbook_is_refused_before_its_sheets_are_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "foreign.xlsx"
    openpyxl.Workbook().save(path)

    def read_cells(*args: object, **kwargs: object) -> None:
        raise AssertionError("a sheet was read")

    # refused from the workbook's sheet list alone
    monkeypatch.setattr(workbook_stream.Package, "read_cells", read_cells)
    with pytest.raises(WorkbookError, match=r"not exported by Burnrate.*Import plain sheet"):
        import_workbook(path)


# --- command line ----------------------------------------------------------------------


def test_cli_export_then_import(
    tmp_path: Path, builtin: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    workbook = tmp_path / "out.xlsx"
    assert (
        main(
            ["export", "-o", str(workbook), "--scenario", "Bull case", "--scenario", "Leaked plan"]
        )
        == 0
    )
    assert openpyxl.load_workbook(workbook).sheetnames[1:3] == ["Bull case", "Leaked plan"]
    project_path = tmp_path / "back.burnrate"
    assert main(["import", str(workbook), "-o", str(project_path)]) == 0
    back = load_project(project_path)
    assert back.scenario_names == ["Leaked plan", "Bull case"]
    assert back.scenario("Bull case") == builtin.scenario("Bull case")


@pytest.mark.parametrize(
    "args, message",
    [
        (["export", "-o", "{tmp}/x.xlsx", "--scenario", "Nope"], "no scenario named 'Nope'"),
        (["export", "-o", "{tmp}/no/such/dir/x.xlsx"], "cannot write"),
        (["import", "{tmp}/missing.xlsx", "-o", "{tmp}/x.burnrate"], "no such file"),
        (["import", "{tmp}/junk.xlsx", "-o", "{tmp}/x.burnrate"], "not an .xlsx workbook"),
        (["export"], "required: -o"),
    ],
)
def test_cli_errors_exit_2_with_a_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    (tmp_path / "junk.xlsx").write_bytes(b"\x00" * 100)
    code = main([a.replace("{tmp}", str(tmp_path)) for a in args])
    err = capsys.readouterr().err
    assert code == 2
    assert message in err and "Traceback" not in err


@settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    values=st.lists(
        st.floats(min_value=-1e9, max_value=1e9, allow_nan=False).map(lambda v: round(v, 6)),
        min_size=13,
        max_size=13,
    ),
    note=st.text(
        st.characters(exclude_categories=["Cc", "Cs"]) | st.sampled_from("\n\t"), max_size=60
    ),
)
def test_any_inputs_and_notes_survive_the_round_trip(
    tmp_path: Path, values: list[float], note: str
) -> None:
    project = builtin_project()
    item = project.item("other_costs")
    project.items[project.items.index(item)] = item.model_copy(
        update={"inputs": values, "note": note}
    )
    path = tmp_path / "random.xlsx"
    try:
        export_workbook(project, path)
    except FormulaError:
        return  # values that break the model (a division by zero) are not exported
    assert import_workbook(path) == project


# --- edited and hostile workbooks (issue 13) ---------------------------------------------


def test_scenario_text_starting_with_an_equals_sign_is_text_not_a_link(
    builtin: Project, tmp_path: Path
) -> None:
    """Links are told from values by the cell's type (formula or text), not by a leading '='."""
    scenario = builtin.scenario("Bull case")
    assert scenario is not None
    base_round = next(r for r in builtin.funding_rounds if r.id == "r2025_oct")
    scenario.funding_rounds["r2025_oct"] = base_round.model_copy(update={"investor": "=Sequoia"})
    path = tmp_path / "equals.xlsx"
    export_workbook(builtin, path)
    project = import_workbook(path)
    imported = project.scenario("Bull case")
    assert imported is not None
    assert imported.funding_rounds["r2025_oct"].investor == "=Sequoia"
    assert project == builtin


@pytest.mark.parametrize(
    "sheet, column, period",
    [("Leaked plan", "K", "2023"), ("Bear case", "M", "2025")],
    ids=["in the base", "typed over a link to the base"],
)
def test_an_input_that_overflows_the_model_is_refused_naming_its_cell(
    exported: Path, tmp_path: Path, sheet: str, column: str, period: str
) -> None:
    workbook = openpyxl.load_workbook(exported)
    ws = workbook[sheet]
    row = row_of(ws, "chatgpt_users")
    ws[f"{column}{row}"].value = 1e308
    path = tmp_path / "huge.xlsx"
    workbook.save(path)
    with pytest.raises(
        WorkbookError,
        match=rf"cell {sheet}!{column}{row} holds 1e\+308, which breaks scenario '{sheet}': "
        rf"line item '\w+': the result in {period} is not a number",
    ):
        import_workbook(path)


def test_a_model_that_divides_by_zero_is_refused_naming_item_and_period(tmp_path: Path) -> None:
    project = make_project(
        [
            {"id": "staff", "inputs": [1.0, 2.0, 3.0, 4.0]},
            {"id": "per_head", "formula": "1 / staff"},
        ]
    )
    path = tmp_path / "ratio.xlsx"
    export_workbook(project, path)
    workbook = openpyxl.load_workbook(path)
    ws = workbook[workbook.sheetnames[1]]
    ws.cell(row_of(ws, "staff"), FIRST_PERIOD_COL + 1 + 2).value = 0
    workbook.save(path)
    with pytest.raises(
        WorkbookError,
        match=r"scenario 'Base' cannot be evaluated: line item 'per_head': the result in 2025",
    ):
        import_workbook(path)


@pytest.mark.parametrize(
    "column, text",
    [(FIRST_PERIOD_COL + 1, "y" * 5000), (3, "z" * 20000)],
    ids=["text where a number belongs", "a long id"],
)
def test_messages_quote_cells_cut_to_a_readable_length(
    exported: Path, tmp_path: Path, column: int, text: str
) -> None:
    workbook = openpyxl.load_workbook(exported)
    ws = workbook["Leaked plan"]
    ws.cell(row_of(ws, "chatgpt_users"), column).value = text
    path = tmp_path / "long.xlsx"
    workbook.save(path)
    with pytest.raises(WorkbookError) as refused:
        import_workbook(path)
    message = str(refused.value)
    assert quoted(text) in message and len(quoted(text)) < 70
    assert len(message) < 200


def test_an_inserted_column_is_named(exported: Path, tmp_path: Path) -> None:
    workbook = openpyxl.load_workbook(exported)
    workbook["Leaked plan"].insert_cols(FIRST_PERIOD_COL + 1)
    path = tmp_path / "column.xlsx"
    workbook.save(path)
    with pytest.raises(
        WorkbookError,
        match=r"sheet Leaked plan: the first period, 2023, is in column L, not K: "
        r"a column was inserted before the timeline",
    ):
        import_workbook(path)


def test_a_deleted_column_of_the_timeline_is_named(exported: Path, tmp_path: Path) -> None:
    workbook = openpyxl.load_workbook(exported)
    workbook["Bear case"].delete_cols(FIRST_PERIOD_COL + 1 + 2)
    path = tmp_path / "column.xlsx"
    workbook.save(path)
    with pytest.raises(
        WorkbookError,
        match=r"cell Bear case!M3 should hold the period 2025 but holds '2026': "
        r"column M \(period 2025\) was deleted",
    ):
        import_workbook(path)


def test_period_labels_given_by_formulas_are_taken_on_trust(
    exported: Path, builtin: Project, tmp_path: Path
) -> None:
    workbook = openpyxl.load_workbook(exported)
    ws = workbook["Bear case"]
    for col in range(FIRST_PERIOD_COL + 1, FIRST_PERIOD_COL + 1 + len(builtin.periods)):
        letter = openpyxl.utils.get_column_letter(col)
        ws[f"{letter}3"].value = f"='Leaked plan'!{letter}3"
    path = tmp_path / "linked_header.xlsx"
    workbook.save(path)
    assert import_workbook(path) == builtin


def _as_libreoffice_saves_after_a_row_deletion(data: bytes) -> bytes:
    """LibreOffice writes the sheet's last row and a dimension down to it after any deletion."""
    data = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:AMJ1048576"', data)
    last_row = b'<row r="1048576" customFormat="false" ht="12.8" hidden="false"></row>'
    return data.replace(b"</sheetData>", last_row + b"</sheetData>")


def test_rows_deleted_in_libreoffice_are_read_by_the_rows_that_hold_data(
    exported: Path, builtin: Project, tmp_path: Path
) -> None:
    """The import reads only the model's rows; LibreOffice's empty last row breaks no limit."""
    workbook = openpyxl.load_workbook(exported)
    ws = workbook["Leaked plan"]
    ws.delete_rows(ws.max_row + 5)  # an empty row below the model
    path = tmp_path / "deleted.xlsx"
    workbook.save(path)
    libre = tmp_path / "libre.xlsx"

    def saved(name: str, data: bytes) -> bytes:
        return _as_libreoffice_saves_after_a_row_deletion(data) if "worksheets/" in name else data

    rewrite(path, libre, saved)
    assert import_workbook(libre) == builtin

    ws.delete_rows(row_of(ws, "other_costs"))  # a row of the model: the rows below moved
    workbook.save(path)
    rewrite(path, libre, saved)
    with pytest.raises(WorkbookError, match="rows were inserted, deleted or moved"):
        import_workbook(libre)


# --- formulas typed in a spreadsheet: the value saved with them is read -----------------


def retyped(
    exported: Path, target: Path, part: str, cell: str, formula: bytes, value: bytes
) -> None:
    """Copy ``exported`` with ``cell`` of ``part`` holding ``formula`` and the saved ``value``
    (b"" for none), as a spreadsheet program writes a formula typed there."""

    def edit(name: str, data: bytes) -> bytes:
        if name != part:
            return data
        pattern = rb'<c r="' + cell.encode() + rb'"( s="[0-9]+")?[^>]*?(/>|>.*?</c>)'
        saved = b"<v>" + value + b"</v>" if value else b""
        new = rb'<c r="' + cell.encode() + rb'"\1><f>' + formula + b"</f>" + saved + b"</c>"
        edited, count = re.subn(pattern, new, data, count=1, flags=re.S)
        assert count == 1, cell
        return edited

    rewrite(exported, target, edit)


def test_a_formula_typed_over_a_link_gives_the_scenario_its_saved_value(
    exported: Path, builtin: Project, tmp_path: Path
) -> None:
    row = row_of(openpyxl.load_workbook(exported, read_only=False)["Bull case"], "chatgpt_users")
    base = builtin.item("chatgpt_users").inputs
    assert base is not None and base[2] == 650.0  # 2025, column M
    path = tmp_path / "grown.xlsx"
    # Bull case is sheet3; the link in M was 'Leaked plan'!M{row}, worth 650.
    retyped(exported, path, "xl/worksheets/sheet3.xml", f"M{row}", b"L%d*1.1" % row, b"715")

    project = import_workbook(path)

    before, after = builtin.scenario("Bull case"), project.scenario("Bull case")
    assert before is not None and after is not None
    assert after.inputs["chatgpt_users"] == {
        **before.inputs.get("chatgpt_users", {}),
        "2025": 715.0,
    }


def test_a_formula_whose_saved_value_is_the_bases_still_follows_the_base(
    exported: Path, builtin: Project, tmp_path: Path
) -> None:
    row = row_of(openpyxl.load_workbook(exported, read_only=False)["Bull case"], "chatgpt_users")
    path = tmp_path / "same.xlsx"
    retyped(exported, path, "xl/worksheets/sheet3.xml", f"M{row}", b"600+50", b"650")
    assert import_workbook(path) == builtin
    # A program that saves no values (openpyxl) leaves the link's own text to go by.
    for link in (b"'Leaked plan'!M%d" % row, b"'leaked plan'!$M$%d" % row):
        retyped(exported, path, "xl/worksheets/sheet3.xml", f"M{row}", link, b"")
        assert import_workbook(path) == builtin


@pytest.mark.parametrize(
    "formula",
    [
        b"L{row}*1.1",  # the user's own
        b"'Leaked plan'!L{row}",  # a link to another cell of the base: the year before
        b"'Leaked plan'!M{row}*2",
        b"'Bear case'!M{row}",  # a link to a sheet that is not the base
    ],
)
def test_a_formula_over_a_link_saved_with_no_value_is_refused_naming_its_cell(
    exported: Path, tmp_path: Path, formula: bytes
) -> None:
    """Taking it for the link would drop the user's edit without a word."""
    row = row_of(openpyxl.load_workbook(exported, read_only=False)["Bull case"], "chatgpt_users")
    path = tmp_path / "unsaved.xlsx"
    typed = formula.replace(b"{row}", str(row).encode())
    retyped(exported, path, "xl/worksheets/sheet3.xml", f"M{row}", typed, b"")
    with pytest.raises(WorkbookError, match=rf"Bull case!M{row} holds a formula and no value"):
        import_workbook(path)


def test_a_formula_on_the_base_sheet_is_read_by_its_saved_value_or_refused_without_one(
    exported: Path, builtin: Project, tmp_path: Path
) -> None:
    row = row_of(openpyxl.load_workbook(exported, read_only=False)["Leaked plan"], "chatgpt_users")
    path = tmp_path / "base.xlsx"
    retyped(exported, path, "xl/worksheets/sheet2.xml", f"M{row}", b"L%d*2" % row, b"600")
    inputs = import_workbook(path).item("chatgpt_users").inputs
    assert inputs is not None and inputs[2] == 600.0

    retyped(exported, path, "xl/worksheets/sheet2.xml", f"M{row}", b"L%d*2" % row, b"")
    with pytest.raises(WorkbookError, match=rf"Leaked plan!M{row} holds a formula and no value"):
        import_workbook(path)
    retyped(exported, path, "xl/worksheets/sheet2.xml", f"M{row}", b"1/0", b"#DIV/0!")
    with pytest.raises(WorkbookError, match=rf"Leaked plan!M{row} holds.*#DIV/0!"):
        import_workbook(path)


# --- sheets renamed in a spreadsheet ------------------------------------------------


def test_renamed_scenario_sheets_are_found_by_their_ids(
    exported: Path, builtin: Project, tmp_path: Path
) -> None:
    workbook = openpyxl.load_workbook(exported)
    workbook["Bull case"].title = "Bull (board deck)"
    workbook["Leaked plan"].title = "Plan"
    workbook.move_sheet("Plan", offset=3)  # moved as well as renamed
    path = tmp_path / "renamed.xlsx"
    workbook.save(path)
    assert import_workbook(path) == builtin

    # a message names the cell on the sheet as it is called now
    bull = workbook["Bull (board deck)"]
    bull.cell(row_of(bull, "other_costs"), FIRST_PERIOD_COL + 1 + 6).value = "lots"
    workbook.save(path)
    with pytest.raises(WorkbookError, match=r"cell Bull \(board deck\)!Q\d+ holds 'lots'"):
        import_workbook(path)
    bull.cell(row_of(bull, "other_costs"), FIRST_PERIOD_COL + 1 + 6).value = 9.0
    bull.cell(row_of(bull, "chatgpt_users"), FIRST_PERIOD_COL + 1 + 2).value = 1e308
    workbook.save(path)
    with pytest.raises(
        WorkbookError, match=r"cell Bull \(board deck\)!M\d+ holds 1e\+308, which breaks"
    ):
        import_workbook(path)


def _deleted(workbook: openpyxl.Workbook) -> None:
    del workbook["Bear case"]


def _swapped(workbook: openpyxl.Workbook) -> None:
    workbook["Bear case"].title = "swap"
    workbook["Bull case"].title = "Bear case"
    workbook["swap"].title = "Bull case"


def _renamed_and_copied(workbook: openpyxl.Workbook) -> None:
    workbook["Bear case"].title = "Bear 1"
    workbook.copy_worksheet(workbook["Bear 1"]).title = "Bear 2"


@pytest.mark.parametrize(
    ("edit", "said"),
    [
        (_deleted, "the sheet 'Bear case' is missing; if it was renamed, give it back"),
        (_swapped, "the sheet 'Bull case' is headed 'Bear case', which is another"),
        (_renamed_and_copied, "'Bear 1' and 'Bear 2' could each be it renamed"),
    ],
)
def test_a_scenario_sheet_that_cannot_be_told_is_refused_asking_for_its_name(
    exported: Path, tmp_path: Path, edit: Callable[[openpyxl.Workbook], None], said: str
) -> None:
    workbook = openpyxl.load_workbook(exported)
    edit(workbook)
    path = tmp_path / "sheets.xlsx"
    workbook.save(path)
    with pytest.raises(WorkbookError, match=said):
        import_workbook(path)
