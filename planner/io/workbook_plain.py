"""Import a plain sheet (line items in rows, years in columns) into a scenario's inputs.

Reading proposes how rows map to line items (by id, by label, or by a close
match) so that a person can review the mapping before anything changes;
applying it returns a new project and leaves the old one untouched.
"""

from __future__ import annotations

import difflib
import math
import os
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from planner.io.workbook_safety import MAX_COLUMNS, SheetExtent, WorkbookError, check_archive
from planner.io.workbook_scan import EXCEL_ROWS
from planner.model import Project
from planner.text import quoted, shortened

HEADER_SEARCH_ROWS = 30
MIN_SCORE = 0.6
_PERIOD = re.compile(r"^(?:FY\s*)?(\d{4})(?:\s*[-/ ]?\s*Q([1-4]))?$", re.IGNORECASE)


@dataclass(frozen=True)
class PlainRow:
    """One row of the sheet: its label and the numbers found under period columns."""

    row: int  # 1-based, as the spreadsheet shows it
    label: str
    values: dict[str, float]


@dataclass(frozen=True)
class PlainSheet:
    sheet: str
    periods: list[str]
    rows: list[PlainRow]
    skipped: list[str] = field(default_factory=list)  # cells that were not numbers


@dataclass(frozen=True)
class RowMatch:
    """A proposed mapping of one sheet row to an input line item (or to nothing)."""

    row: int
    label: str
    item_id: str | None
    score: float
    how: str  # "id", "label", "similar" or "no match"


def period_label(value: Any) -> str | None:
    """A header cell as a period label ("2025", "2025-Q3"), or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        if not math.isfinite(value) or value != int(value) or not 1900 <= value <= 2200:
            return None
        return str(int(value))
    if isinstance(value, str):
        match = _PERIOD.match(value.strip())
        if match:
            year, quarter = match.groups()
            return f"{year}-Q{quarter}" if quarter else year
    return None


def read_plain_sheet(path: str | os.PathLike[str], sheet: str | None = None) -> PlainSheet:
    """Find the header row of periods and read every labelled row of numbers beneath it.

    The sheet streams past row by row (openpyxl's read-only mode), so memory
    follows the rows read, not the sheet's claimed or real extent.
    """
    import openpyxl

    extents = check_archive(path)
    name = Path(path).name
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            workbook = openpyxl.load_workbook(path, read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many types for damaged parts
        raise _unreadable(name, exc) from None
    try:
        return _read_sheet(workbook, name, sheet, extents)
    except WorkbookError:
        raise
    except Exception as exc:  # a damaged sheet surfaces only while its rows stream
        raise _unreadable(name, exc) from None
    finally:
        workbook.close()


def _unreadable(name: str, exc: Exception) -> WorkbookError:
    return WorkbookError(
        f"{name} cannot be read as a workbook ({type(exc).__name__}: {quoted(str(exc))})"
    )


def _read_sheet(
    workbook: Any, name: str, sheet: str | None, extents: dict[str, SheetExtent]
) -> PlainSheet:
    if sheet is not None and sheet not in workbook.sheetnames:
        raise WorkbookError(f"{name} has no sheet named {quoted(sheet)}")
    if sheet is None and not workbook.worksheets:
        raise WorkbookError(f"{name} has no worksheet")
    ws = workbook[sheet] if sheet is not None else workbook.worksheets[0]
    title = shortened(ws.title)
    if not hasattr(ws, "reset_dimensions"):
        raise WorkbookError(f"{name}: sheet {title} is a chart, not a sheet of numbers")
    ws.reset_dimensions()  # the claimed dimension may be false; rows are read as found
    # stop at the last row holding data, not at an empty styled row far below it
    extent = extents.get(ws.title, SheetExtent(EXCEL_ROWS, MAX_COLUMNS))
    if extent.rows == 0:
        extent = SheetExtent(1, 1)  # iter_rows reads up to the sheet's end for 0
    header_row, columns = _find_header(ws, extent)
    if header_row is None:
        raise WorkbookError(
            f"{name}, sheet {title}: no row of period labels (such as 2025 or 2025-Q3) "
            f"in the first {HEADER_SEARCH_ROWS} rows"
        )
    first_period_col = min(columns)
    rows: list[PlainRow] = []
    skipped: list[str] = []
    beneath = ws.iter_rows(
        min_row=header_row + 1, max_row=extent.rows, max_col=max(columns) + 1, values_only=True
    )
    for row, cells in enumerate(beneath, start=header_row + 1):
        label = _row_label(cells, first_period_col)
        if not label:
            continue
        values: dict[str, float] = {}
        for col, period in columns.items():
            value = cells[col] if col < len(cells) else None
            if value is None or value == "":
                continue
            where = f"{title}!{_cell(row - 1, col)}"
            if isinstance(value, bool) or not isinstance(value, int | float):
                skipped.append(f"{where}: {quoted(str(value), 40)}")
                continue
            if not math.isfinite(float(value)):
                skipped.append(f"{where}: not a finite number")
                continue
            values[period] = float(value)
        if values:
            rows.append(PlainRow(row, label, values))
    return PlainSheet(ws.title, list(columns.values()), rows, skipped)


def _find_header(ws: Any, extent: SheetExtent) -> tuple[int | None, dict[int, str]]:
    """The header's row (1-based) and its period columns (0-based) -> period labels."""
    last_row = min(HEADER_SEARCH_ROWS, extent.rows)
    top = ws.iter_rows(max_row=last_row, max_col=extent.columns, values_only=True)
    for row, cells in enumerate(top, start=1):
        columns: dict[int, str] = {}
        for col, value in enumerate(cells):
            label = period_label(value)
            if label is not None and label not in columns.values():
                columns[col] = label
        if len(columns) >= 2:
            return row, columns
    return None, {}


def _row_label(cells: tuple[Any, ...], before: int) -> str:
    for value in cells[:before]:
        if isinstance(value, str) and value.strip():
            return value.strip()[:200]
    return ""


def _cell(index: int, col: int) -> str:
    from planner.io.workbook_layout import cell_name

    return cell_name(index, col)


def _normal(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


def propose_mapping(sheet: PlainSheet, project: Project) -> list[RowMatch]:
    """Map each row to an input line item by id, label or a close match; each item once."""
    candidates = [item for item in project.items if item.inputs is not None]
    by_id = {_normal(item.id): item.id for item in candidates}
    by_label = {_normal(item.label): item.id for item in candidates}
    scored: list[tuple[float, int, str, str]] = []
    for n, row in enumerate(sheet.rows):
        key = _normal(row.label)
        if key in by_id:
            scored.append((1.0, n, by_id[key], "id"))
            continue
        if key in by_label:
            scored.append((1.0, n, by_label[key], "label"))
            continue
        for item in candidates:
            score = max(
                difflib.SequenceMatcher(None, key, _normal(item.label)).ratio(),
                difflib.SequenceMatcher(None, key, _normal(item.id)).ratio(),
            )
            if score >= MIN_SCORE:
                scored.append((score, n, item.id, "similar"))
    chosen: dict[int, tuple[str, float, str]] = {}
    taken: set[str] = set()
    for score, n, item_id, how in sorted(scored, key=lambda s: (-s[0], s[1])):
        if n in chosen or item_id in taken:
            continue
        chosen[n] = (item_id, score, how)
        taken.add(item_id)
    matches = []
    for n, row in enumerate(sheet.rows):
        if n in chosen:
            item_id, score, how = chosen[n]
            matches.append(RowMatch(row.row, row.label, item_id, round(score, 3), how))
        else:
            matches.append(RowMatch(row.row, row.label, None, 0.0, "no match"))
    return matches


def plain_sheet_edits(
    project: Project, sheet: PlainSheet, mapping: dict[int, str]
) -> list[tuple[str, str, float]]:
    """The (line item, period, value) cells that ``mapping`` sets, in the project's periods.

    ``mapping`` maps sheet rows (1-based) to input line item ids.
    """
    rows = {row.row: row for row in sheet.rows}
    edits = []
    for sheet_row, item_id in mapping.items():
        row = rows.get(sheet_row)
        if row is None:
            continue
        try:
            item = project.item(item_id)
        except KeyError:
            raise WorkbookError(f"there is no line item {quoted(item_id)}") from None
        if item.inputs is None:
            raise WorkbookError(f"line item {quoted(item_id)} has no inputs per period to fill")
        for period, value in row.values.items():
            if period in project.periods:
                edits.append((item_id, period, value))
    return edits


def apply_plain_sheet(
    project: Project, scenario: str, sheet: PlainSheet, mapping: dict[int, str]
) -> tuple[Project, int]:
    """A copy of ``project`` with the mapped rows' numbers as ``scenario``'s inputs.

    ``mapping`` maps sheet rows (1-based) to input line item ids. Periods the
    project does not have are ignored. Returns the new project and the number
    of cells set. For the base scenario the base inputs change; for a named
    scenario the numbers become its overrides.
    """
    updated = project.model_copy(deep=True)
    target = updated.scenario(scenario)
    edits = plain_sheet_edits(updated, sheet, mapping)
    for item_id, period, value in edits:
        if target is None:
            inputs = updated.item(item_id).inputs
            assert inputs is not None
            inputs[updated.periods.index(period)] = value
        else:
            target.inputs.setdefault(item_id, {})[period] = value
    return updated, len(edits)
