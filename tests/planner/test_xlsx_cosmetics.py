"""How the exported workbook reads: alignment, column widths and row heights."""

from __future__ import annotations

import math

import openpyxl
import pytest
from openpyxl.worksheet.worksheet import Worksheet

from planner.builtin import builtin_project
from planner.io.workbook_layout import (
    COL_VALUE,
    CONTRACT_FIELDS,
    FIRST_PERIOD_COL,
    ROUND_FIELDS,
    sheet_names,
)
from planner.io.workbook_styles import wrapped_lines
from planner.io.workbook_summary import KPI_ROW
from planner.io.xlsx_export import export_workbook
from planner.kpis import KPI_LABELS

LONG_NOTE = (
    "assumption: a deliberately long note that cannot fit on one line of the Sources sheet, "
    "so the row must grow to show all of it; " * 4
).strip()


def column_width(ws: Worksheet, col: int) -> float:
    """The width of the 1-based column ``col``, wherever a range of columns declares it."""
    for dimension in ws.column_dimensions.values():
        if dimension.min is not None and dimension.min <= col <= dimension.max:
            return float(dimension.width)
    raise AssertionError(f"column {col} has no width")


@pytest.fixture(scope="module")
def workbook(tmp_path_factory: pytest.TempPathFactory) -> openpyxl.Workbook:
    project = builtin_project()
    project.items[0].note = LONG_NOTE
    path = tmp_path_factory.mktemp("cosmetics") / "builtin.xlsx"
    export_workbook(project, path)
    return openpyxl.load_workbook(path)


def test_every_summary_kpi_value_is_right_aligned_text_and_numbers_alike(
    workbook: openpyxl.Workbook,
) -> None:
    ws = workbook["Summary"]
    scenarios = len(builtin_project().scenario_names)
    kinds = set()
    for k in range(len(KPI_LABELS)):
        for n in range(scenarios):
            cell = ws.cell(KPI_ROW + k + 1, COL_VALUE + n + 1)
            kinds.add(cell.data_type)
            assert cell.alignment.horizontal == "right", cell.coordinate
    # Formulas that give words ("never") sit beside formulas that give numbers.
    assert kinds == {"f"}


def test_summary_columns_no_scenario_uses_are_narrowed_before_the_timeline(
    workbook: openpyxl.Workbook,
) -> None:
    ws = workbook["Summary"]
    scenarios = len(builtin_project().scenario_names)
    assert COL_VALUE + scenarios < FIRST_PERIOD_COL, "the built-in project leaves a gap"
    for col in range(COL_VALUE + 1, COL_VALUE + scenarios + 1):
        assert column_width(ws, col) >= len("not in horizon") + 1
    for col in range(COL_VALUE + scenarios + 1, FIRST_PERIOD_COL + 1):
        assert column_width(ws, col) <= 3


def test_sources_rows_are_tall_enough_for_their_wrapped_text(
    workbook: openpyxl.Workbook,
) -> None:
    ws = workbook["Sources"]
    widths = [column_width(ws, col) for col in range(1, 6)]
    checked = long_rows = 0
    for row in ws.iter_rows(min_row=4):
        if row[4].value is None:
            continue
        assert all(cell.alignment.wrap_text for cell in row[:5])
        # At most 1.2 letters per unit of width, whatever the font: a bound the layout must meet.
        lines = max(
            math.ceil(len(str(cell.value or "")) / (width * 1.2))
            for cell, width in zip(row[:5], widths, strict=True)
        )
        # A row left at the default height of 15 points has none written.
        height = ws.row_dimensions[row[0].row].height or 15
        assert height >= 15 * lines, (row[0].row, lines, height)
        long_rows += lines > 1
        checked += 1
    assert checked > 20 and long_rows >= 1
    note_row = next(r for r in ws.iter_rows(min_row=4) if r[4].value == LONG_NOTE)
    assert (ws.row_dimensions[note_row[0].row].height or 15) >= 3 * 15


def test_event_table_headers_wrap_within_columns_wide_enough_for_each_word(
    workbook: openpyxl.Workbook,
) -> None:
    ws = workbook[sheet_names(builtin_project().scenario_names)[0]]
    for fields in (ROUND_FIELDS, CONTRACT_FIELDS):
        first_text = fields[0][1]
        header = next(r for r in ws.iter_rows(min_col=COL_VALUE + 1) if r[0].value == first_text)
        row = header[0].row
        assert (ws.row_dimensions[row].height or 15) >= 2 * 15
        for n, (_, text) in enumerate(fields):
            cell = ws.cell(row, COL_VALUE + n + 1)
            assert cell.value == text
            assert cell.alignment.wrap_text, text
            longest_word = max(len(word) for word in text.split())
            assert column_width(ws, COL_VALUE + n + 1) > longest_word + 1, text


def test_wrapped_lines_counts_line_breaks_and_long_text() -> None:
    assert wrapped_lines("", 10) == 1
    assert wrapped_lines("short", 10) == 1
    assert wrapped_lines("x" * 40, 10) == math.ceil(40 / 11)
    assert wrapped_lines("one\ntwo\n\nfour", 40) == 4
