"""The export's own writers against XlsxWriter's: the same bytes, part for part.

planner/io/workbook_cells.py (cells) and workbook_package.py (notes, shared
strings, chart caches) take over private parts of XlsxWriter to write faster.
These tests fail when an XlsxWriter upgrade changes what those parts write, or
when a fast path drifts from the library's own output. XlsxWriter writes no
shared formulas, so the fast sheets' are written out cell by cell first, as a
reader translates them (tests/planner/test_xlsx_shared.py proves them right).
"""

from __future__ import annotations

import datetime
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import xlsxwriter
from xlsxwriter.packager import Packager
from xlsxwriter.worksheet import Worksheet
from xlsxwriter.xmlwriter import XMLwriter

from planner.builtin import builtin_project
from planner.io.workbook_cells import FastWorksheet
from planner.io.workbook_package import FastWorkbook
from planner.io.workbook_sheet import ScenarioSheet
from planner.io.workbook_templates import PeriodTexts
from planner.io.xlsx_export import export_workbook
from planner.model import Project, Scenario
from tests.planner.test_xlsx_recalc import quarterly_project
from tests.planner.test_xlsx_shared import unshared

# A first cell of its own, then one text filled right (a shared formula on the fast sheet).
FILLED_RIGHT = ["A1", *(f'IF({c}$3>$A9,{c}9&"<x>",0)' for c in "BCDEF")]
FILLED_VALUES: list[Any] = ["a<x>", 2.5, -0.0, 1.2345678901234567e20, 0.0, 2.5]
HOSTILE = 'A & B < C > D "quoted" \x01 bell\x07 _x0041_ \ufffe end '


def _fill_sheet(ws: Any, formats: dict[str, Any], fast: bool) -> None:
    """The same cells on a plain and a fast sheet; the fast one uses its row writes."""
    money, pct, text = formats["money"], formats["pct"], formats["text"]
    ws.set_column(5, 5, 12, formats["column"])
    ws.set_row(4, 30)
    ws.set_row(6, None, formats["row"])
    ws.set_row(7, None, None, {"hidden": True})
    ws.set_row(8, None, None, {"level": 1})
    ws.set_row(9, None, None, {"level": 1, "hidden": True})
    ws.set_row(10, None, None, {"collapsed": True})
    ws.set_row(40, 25)  # options only, no cells
    ws.write_comment(45, 3, "a note on an empty row")
    ws.write_comment(2, 1, "a note on a filled row")

    strings = [
        (0, "Label", text),
        (1, HOSTILE, text),
        (2, "  leading and trailing spaces  ", text),
        (3, "Label", text),  # a shared string seen before
        (4, "=1+1", text),
        (6, "x" * 40000, text),  # longer than a cell holds: truncated
    ]
    if fast:
        ws.put_strings(0, strings)
    else:
        for col, string, string_format in strings:
            ws.write_string(0, col, string, string_format)
    ws.write_string(1, 0, "no format")
    ws.write_rich_string(1, 1, "plain ", formats["bold"], "bold", " tail")
    ws.write_boolean(1, 2, True, text)
    ws.write_datetime(1, 3, datetime.datetime(2025, 3, 1, 12, 30), formats["date"])
    ws.write_array_formula(1, 4, 1, 4, "{=SUM(A3:A4*B3:B4)}", money, 7)
    ws.write_number(1, 5, 3.5)  # takes the column's format

    numbers = [0.0, -0.0, 1, -2.5, 1e-20, 1.2345678901234567e20, 0.1 + 0.2, 7.0]
    formulas = [
        "A3+B3",
        'IF(A3>0,"yes","no")',
        "IF(A3<B3,1,0)",
        'A3&"-"&TEXT(B3,"00")',
        "'Bull & bear'!A1",
        "SUM(A3:D3)",
        "1/0",
        "MAX(0,MIN(A3,B3))",
    ]
    values: list[Any] = [1.5, "yes", 0, "2025-03", "", 12, "#DIV/0!", 2.000000000000001]
    odd_values: list[Any] = [True, False, None, "a < b & c"]
    if fast:
        ws.write_formula_row(3, 2, formulas, money, values)
        ws.write_formula_row(11, 0, formulas[:4], pct, odd_values)
        for col, number in enumerate(numbers):
            ws.put_number(2, col, number, money)
        ws.put_number(2, 9, float("nan"), money)
        ws.put_number(2, 10, float("inf"), money)
        ws.put_blanks(5, range(0, 12), formats["section"])
        ws.put_formula(20, 30, "A1*2", pct, 0.25)
        ws.put_formula(37, 1, "A1*3", None, 3.0)
        ws.write_formula_row(6, 0, ["A1", "B1"], None, [1.0, 2.0])
        ws.write_formula_row(7, 3, ["A1"], money, [4.0])
        ws.write_formula_row(8, 3, ["A1"], money, [4.0])
        ws.write_formula_row(9, 3, ["A1"], money, [4.0])
        ws.write_formula_row(10, 3, ["A1"], money, [4.0])
        ws.write_formula_row(4, 3, ["A1"], money, [4.0])
        ws.put_cells(13, [(1, "A1+1", money, 2.0), (4, "A2", pct, "")], [(0, 5.5, money)])
        ws.put_cells(14, [], [(2, float("-inf"), money), (3, 1e300, money)])
        ws.write_formula_row(15, 1, FILLED_RIGHT, money, FILLED_VALUES, shared_from=1)
    else:
        for col, (formula, value) in enumerate(zip(formulas, values, strict=True), 2):
            ws.write_formula(3, col, "=" + formula, money, value)
        for col, (formula, value) in enumerate(zip(formulas[:4], odd_values, strict=True)):
            ws.write_formula(11, col, "=" + formula, pct, value)
        for col, number in enumerate(numbers):
            ws.write_number(2, col, number, money)
        ws.write_number(2, 9, float("nan"), money)
        ws.write_number(2, 10, float("inf"), money)
        for col in range(0, 12):
            ws.write_blank(5, col, None, formats["section"])
        ws.write_formula(20, 30, "=A1*2", pct, 0.25)
        ws.write_formula(37, 1, "=A1*3", None, 3.0)
        ws.write_formula(6, 0, "=A1", None, 1.0)
        ws.write_formula(6, 1, "=B1", None, 2.0)
        for row in (7, 8, 9, 10, 4):
            ws.write_formula(row, 3, "=A1", money, 4.0)
        ws.write_formula(13, 1, "=A1+1", money, 2.0)
        ws.write_formula(13, 4, "=A2", pct, "")
        ws.write_number(13, 0, 5.5, money)
        ws.write_number(14, 2, float("-inf"), money)
        ws.write_number(14, 3, 1e300, money)
        for col, (formula, value) in enumerate(zip(FILLED_RIGHT, FILLED_VALUES, strict=True), 1):
            ws.write_formula(15, col, "=" + formula, money, value)
    ws.write_blank(12, 2, None)  # no format: XlsxWriter keeps no cell at all
    ws.write_number(33, 2, 1.0, money)


def test_fast_sheet_writes_the_same_xml_as_xlsxwriter(tmp_path: Path) -> None:
    path = tmp_path / "cells.xlsx"
    workbook = xlsxwriter.Workbook(str(path), {"nan_inf_to_errors": True, "in_memory": True})
    formats = {
        "money": workbook.add_format({"num_format": "#,##0.0"}),
        "pct": workbook.add_format({"num_format": "0.0%"}),
        "text": workbook.add_format({"font_color": "#0000FF"}),
        "bold": workbook.add_format({"bold": True}),
        "date": workbook.add_format({"num_format": "yyyy-mm-dd hh:mm"}),
        "section": workbook.add_format({"bg_color": "#1F3864"}),
        "column": workbook.add_format({"italic": True}),
        "row": workbook.add_format({"bg_color": "#FFF2CC"}),
    }
    plain = workbook.add_worksheet("Plain", worksheet_class=Worksheet)
    fast = workbook.add_worksheet("Fast", worksheet_class=FastWorksheet)
    workbook.add_worksheet("Other").activate()  # neither compared sheet is selected
    _fill_sheet(plain, formats, fast=False)
    _fill_sheet(fast, formats, fast=True)
    assert {row: fast.row_cells(row) for row in fast.table} == plain.table
    workbook.close()
    with zipfile.ZipFile(path) as archive:
        plain_xml = archive.read("xl/worksheets/sheet1.xml").decode()
        fast_xml = archive.read("xl/worksheets/sheet2.xml").decode()
    assert "<sheetData>" in fast_xml and 't="e"' in fast_xml and 't="str"' in fast_xml
    assert 'spans="' in fast_xml and 'hidden="1"' in fast_xml and "&lt;" in fast_xml
    assert '<f t="shared" ref="C16:G16" si="0">' in fast_xml
    assert '<c r="D16" s="4"><f t="shared" si="0"/><v>-0.0</v></c>' in fast_xml
    assert unshared(fast_xml) == plain_xml


def test_fast_sheet_refuses_cells_outside_the_sheet(tmp_path: Path) -> None:
    workbook = xlsxwriter.Workbook(str(tmp_path / "out.xlsx"), {"in_memory": True})
    ws = workbook.add_worksheet(worksheet_class=FastWorksheet)
    with pytest.raises(ValueError, match="outside the sheet"):
        ws.write_formula_row(0, 16383, ["A1", "A2"], None, [1.0, 2.0])
    with pytest.raises(ValueError, match="one cached value per formula"):
        ws.write_formula_row(0, 0, ["A1"], None, [])
    workbook.close()


def _through_xlsxwriter(monkeypatch: pytest.MonkeyPatch) -> None:
    """Route every fast path of the export through XlsxWriter's public calls and writer."""

    def formula_row(
        self: Any,
        row: int,
        first_col: int,
        formulas: Any,
        cell_format: Any,
        values: Any,
        shared_from: int | None = None,
    ) -> None:
        for col, (formula, value) in enumerate(zip(formulas, values, strict=True), first_col):
            self.write_formula(row, col, "=" + formula, cell_format, value)

    def put_formula(
        self: Any, row: int, col: int, formula: str, cell_format: Any, value: Any
    ) -> None:
        self.write_formula(row, col, "=" + formula, cell_format, value)

    def put_number(self: Any, row: int, col: int, number: float, cell_format: Any) -> None:
        self.write_number(row, col, number, cell_format)

    def put_blanks(self: Any, row: int, cols: Any, cell_format: Any) -> None:
        for col in cols:
            self.write_blank(row, col, None, cell_format)

    def put_cells(self: Any, row: int, formulas: Any, numbers: Any) -> None:
        for col, formula, cell_format, value in formulas:
            self.write_formula(row, col, "=" + formula, cell_format, value)
        for col, number, cell_format in numbers:
            self.write_number(row, col, number, cell_format)

    def put_strings(self: Any, row: int, cells: Any) -> None:
        for col, text, cell_format in cells:
            self.write_string(row, col, text, cell_format)

    def put_comment(
        self: Any, row: int, col: int, text: str, x_scale: float, y_scale: float
    ) -> None:
        self.write_comment(row, col, text, {"x_scale": x_scale, "y_scale": y_scale})

    def every_period(self: ScenarioSheet, text_for: Callable[[int], str]) -> PeriodTexts:
        return PeriodTexts([text_for(t) for t in range(self.n)], None)

    monkeypatch.setattr(FastWorksheet, "write_formula_row", formula_row)
    monkeypatch.setattr(FastWorksheet, "put_formula", put_formula)
    monkeypatch.setattr(FastWorksheet, "put_number", put_number)
    monkeypatch.setattr(FastWorksheet, "put_blanks", put_blanks)
    monkeypatch.setattr(FastWorksheet, "put_cells", put_cells)
    monkeypatch.setattr(FastWorksheet, "put_strings", put_strings)
    monkeypatch.setattr(FastWorksheet, "put_comment", put_comment)
    monkeypatch.setattr(FastWorksheet, "_write_rows", Worksheet._write_rows)
    for name in ("_xml_start_tag", "_xml_empty_tag", "_xml_data_element"):
        monkeypatch.setattr(FastWorksheet, name, getattr(XMLwriter, name))
    monkeypatch.setattr(FastWorkbook, "_get_packager", lambda self: Packager())
    monkeypatch.setattr(FastWorkbook, "_store_workbook", xlsxwriter.Workbook._store_workbook)
    monkeypatch.setattr(FastWorkbook, "add_chart", xlsxwriter.Workbook.add_chart)
    monkeypatch.setattr(ScenarioSheet, "period_texts", every_period)


def _parts(path: Path) -> dict[str, bytes]:
    """Every part but the creation time, the one part that differs between two exports.

    Shared formulas are written out per cell (translated as a reader does), so that
    XlsxWriter's own writer, which knows no shared formulas, can be compared byte for byte.
    """
    with zipfile.ZipFile(path) as archive:
        parts = {n: archive.read(n) for n in archive.namelist() if n != "docProps/core.xml"}
    for name, data in parts.items():
        if name.startswith("xl/worksheets/sheet"):
            parts[name] = unshared(data.decode()).encode()
    return parts


def hostile_notes() -> Project:
    """Notes and a scenario name that need escaping, keep their spaces, or look like escapes."""
    project = builtin_project()
    notes = [" <b>bold</b> & 'quotes' \"too\" ", "_x0041_ literal\nsecond line", "tab\tend  "]
    for n, note in enumerate(notes):
        project.items[n] = project.items[n].model_copy(update={"note": note})
    # Its name is cached in the Summary chart's series names, which need escaping too.
    project.scenarios.append(Scenario(name="Q&A <draft>"))
    project.scenarios.append(Scenario(name="_x0041_ plan"))
    return project


@pytest.mark.parametrize(
    "make",
    [builtin_project, quarterly_project, hostile_notes],
    ids=["builtin", "quarters", "notes"],
)
def test_export_is_byte_identical_to_xlsxwriters_own_path(
    make: Callable[[], Project], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = make()
    fast = tmp_path / "fast.xlsx"
    export_workbook(project, fast)
    with monkeypatch.context() as patch:
        _through_xlsxwriter(patch)
        slow = tmp_path / "slow.xlsx"
        export_workbook(project, slow)
    fast_parts, slow_parts = _parts(fast), _parts(slow)
    assert list(fast_parts) == list(slow_parts)
    for name, data in slow_parts.items():
        assert fast_parts[name] == data, name


@pytest.mark.parametrize(
    "value",
    ["plain", 'q"uote', "a & b <c> d", "line\nbreak", "tab\there", "_x0041_", "bell\x07",
     "\ufffe", "non\xa0breaking", "", 12, 2.5, -0.0],
)  # fmt: skip
def test_fast_xml_writes_what_xlsxwriter_writes(value: Any) -> None:
    from io import StringIO

    from planner.io.workbook_xml import FastXml

    class Fast(FastXml, XMLwriter):
        pass

    outputs = []
    for writer in (Fast(), XMLwriter()):
        writer._set_filehandle(StringIO())
        writer._xml_start_tag("a", [("k", value), ("n", 3)])
        writer._xml_empty_tag("b", [("k", value)])
        writer._xml_empty_tag("c")
        writer._xml_data_element("d", value, [("k", value)])
        writer._xml_data_element("e", value)
        writer._xml_start_tag("f")
        outputs.append(writer.fh.getvalue())
    assert outputs[0] == outputs[1]
