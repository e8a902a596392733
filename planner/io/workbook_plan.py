"""Which cells and notes of each scenario sheet an import reads.

The hidden structure sheet gives every line item's and event row's row; the
import reads the ids in column C (to see that no row moved), the values of
input, constant and event rows, the period header (to see that no column
moved) and the notes. On the base sheet a formula row is read for its id and
its label's note only; when that note still ends with the row's own formula,
as the export writes it, the note itself shows the row did not move and the
row's cells need not be read at all. The calculations below the inputs are
most of a large sheet, so this spares most of the parsing (the rows not parsed
pass only the C-speed check of workbook_positions).
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from planner.io.workbook_layout import (
    COL_ID,
    COL_LABEL,
    COL_VALUE,
    FIRST_PERIOD_COL,
    FROZEN_ROWS,
    HEADER_ROW,
    TITLE_ROW,
)
from planner.io.workbook_stream import LAST_ROW, LongText

EVENT_COLUMNS = 6  # fields of an event row, from COL_VALUE on
HEADER_SLACK = 8  # header cells read past the timeline, to see where it moved


def formula_note_suffix(formula: str) -> str:
    """How the export ends the note on a formula row's label."""
    return f"Formula: {formula}"


class NoteCells:
    """The cells whose notes are read: some (row, column) pairs and the periods of some rows."""

    def __init__(self, cells: set[tuple[int, int]], period_rows: set[int], periods: range):
        self.cells = cells
        self.period_rows = period_rows
        self.periods = periods

    def __contains__(self, where: object) -> bool:
        if where in self.cells:
            return True
        if not isinstance(where, tuple) or len(where) != 2:
            return False
        return where[0] in self.period_rows and where[1] in self.periods


@dataclass(frozen=True)
class SheetPlan:
    """What to read of one sheet: cells by row, the rows' end, and the notes."""

    title: str
    cells: dict[int, Collection[int]]
    notes: NoteCells
    # formula rows of the base sheet -> their formula, which their label's note ends with
    formula_rows: dict[int, str] = field(default_factory=dict)
    # formula rows whose note shows they did not move; their cells are not read
    signed_rows: frozenset[int] = frozenset()

    @property
    def last_row(self) -> int:
        return max(self.cells)

    def sign(self, notes: Mapping[Hashable, str | LongText]) -> SheetPlan:
        """The plan without the formula rows whose label's note ends with their formula.

        A formula shared by several rows signs none of them: the note could
        have come with any of those rows.
        """
        counts: dict[str, int] = {}
        for formula in self.formula_rows.values():
            counts[formula] = counts.get(formula, 0) + 1
        signed = set()
        for row, formula in self.formula_rows.items():
            note = notes.get((row, COL_LABEL))
            if counts[formula] != 1 or not isinstance(note, str):
                continue
            if note.replace("\r\n", "\n").endswith(formula_note_suffix(formula)):
                signed.add(row)
        cells = {
            row: columns
            for row, columns in self.cells.items()
            if row not in signed or columns != {COL_ID}
        }
        return replace(self, cells=cells, signed_rows=frozenset(signed))


def row_number(value: object) -> int:
    """A row from the structure sheet, checked: it must lie below the frozen header."""
    if isinstance(value, bool) or not isinstance(value, int) or value < FROZEN_ROWS:
        raise ValueError(f"row {str(value)[:20]!r} is not a row of a scenario sheet")
    if value > LAST_ROW:
        raise ValueError(f"row {value} is past a sheet's last row")
    return value


def plan_sheet(
    meta: dict[str, Any], info: dict[str, Any], periods: int, *, is_base: bool
) -> SheetPlan:
    """The cells of ``info``'s sheet that the import reads.

    Notes are read on the base sheet (items and event rows) and for the event
    rows of the others; formula rows are read on the base sheet only.
    """
    timeline = range(FIRST_PERIOD_COL, FIRST_PERIOD_COL + periods)
    kinds = {spec["id"]: spec["kind"] for spec in meta["items"]}
    base_formulas = {spec["id"]: spec.get("formula") for spec in meta["items"]}
    base_formulas.update(info.get("formulas") or {})
    inputs = frozenset((COL_ID, *timeline))
    ids = frozenset((COL_ID,))
    events = frozenset((COL_LABEL, COL_ID, *range(COL_VALUE, COL_VALUE + EVENT_COLUMNS)))
    cells: dict[int, Collection[int]] = {
        TITLE_ROW: (COL_LABEL,),  # the sheet's heading: its scenario's name
        HEADER_ROW: range(timeline.stop + HEADER_SLACK),
    }

    def want(row: object, columns: frozenset[int]) -> int:
        number = row_number(row)
        present = cells.get(number)
        cells[number] = columns if present is None else frozenset((*present, *columns))
        return number

    labels: set[int] = set()  # rows whose label's note is read
    period_rows: set[int] = set()  # rows whose period cells' notes are read
    formula_rows: dict[int, str] = {}
    for ident, row in dict(info["rows"]).items():
        formula = base_formulas.get(ident)
        if kinds.get(ident) == "input" and formula is None:
            period_rows.add(want(row, inputs))
        elif is_base and isinstance(formula, str):
            formula_rows[want(row, ids)] = formula
    for row in dict(info["constants"]).values():
        labels.add(want(row, frozenset((COL_ID, COL_VALUE))))
    if is_base:
        labels |= period_rows | set(formula_rows)
    else:
        labels, period_rows = set(), set()
    for key in ("round_rows", "contract_rows"):
        for row in dict(info[key]).values():
            labels.add(want(row, events))
    for row in dict(info.get("spare_rows") or {}).values():
        want(row, events)  # a round or contract typed under its table in a spreadsheet
    notes = NoteCells({(row, COL_LABEL) for row in labels}, period_rows, timeline)
    return SheetPlan(str(info["sheet"]), cells, notes, formula_rows)
