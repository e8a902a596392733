"""Edits over blocks of line-item cells: paste, growth paths, fill down and fill right.

The planner decides what each edit does (planner.cell_edits, planner.numbers);
this module turns a table selection into its cell references and pushes the
result as one undo step.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from PySide6.QtCore import QItemSelection, QModelIndex, QPersistentModelIndex

from planner.cell_edits import (
    CellRef,
    fill_down_pairs,
    fill_edit,
    fill_right_pairs,
    growth_edit,
)
from planner.commands import Command, CommandError, Macro
from planner.numbers import NumberError, UnitError, selection_text
from ui.item_model import FIRST_PERIOD_COLUMN, ItemTableModel

Index = QModelIndex | QPersistentModelIndex
PairMaker = Callable[[Sequence[str], Sequence[int]], list[tuple[CellRef, CellRef]]]


@dataclass
class PasteReport:
    """What a paste did: how many cells it set and which it refused, with reasons."""

    applied: int = 0
    refused: list[str] = field(default_factory=list)
    blocked: str | None = None  # why nothing was pasted: a cell in another unit


def paste_block(
    model: ItemTableModel, row: int, column: int, block: Sequence[Sequence[str]]
) -> PasteReport:
    """Paste a block at (row, column): good cells in one undo step, bad ones listed.

    A cell in another unit than its row ("12%" over a $B row) stops the whole
    paste: the block is then not what the rows hold, and half of it would mislead.
    """
    report = PasteReport()
    commands: list[Command] = []
    for r, fields in enumerate(block):
        for c, text in enumerate(fields):
            target_row, target_column = row + r, column + c
            if target_row >= model.rowCount() or target_column >= model.columnCount():
                continue
            if target_column < FIRST_PERIOD_COLUMN:
                continue
            if model.is_blank(target_row, target_column) and not text.strip():
                continue  # a copied single value's blank periods paste back as nothing
            where = model.where(target_row, target_column)
            try:
                commands.append(model.command_for(target_row, target_column, text, typed=False))
            except UnitError as exc:
                return PasteReport(blocked=f"{where}: {exc}")
            except (NumberError, ValueError) as exc:
                report.refused.append(f"{where}: {exc}")
    if commands and model.document.push(Macro(tuple(commands), "Paste")):
        report.applied = len(commands)
    elif commands:
        report.refused.append("the pasted values would break the model; nothing was changed")
    return report


def _refs(model: ItemTableModel, indexes: Sequence[Index]) -> list[CellRef]:
    refs = [model.cell_ref(i.row(), i.column()) for i in indexes]
    return sorted({ref for ref in refs if ref is not None})


def grow_selection(model: ItemTableModel, indexes: Sequence[Index], rate: float) -> bool:
    """Fill the selected period cells, row by row, as a growth path; False if refused."""
    refs = _refs(model, indexes)
    document = model.document
    try:
        command = growth_edit(document.project, document.scenario_key, refs, rate)
    except CommandError as exc:
        document.message.emit(f"Not grown: {exc}")
        return False
    return document.push(command)


def fill_selection(
    model: ItemTableModel, indexes: Sequence[Index], current: Index, direction: str
) -> bool:
    """Fill "down" or "right" as a spreadsheet does; False (with a message) if refused.

    With several rows (columns) selected the first one is copied into the
    others; with one, the cell above (to the left) is copied into the selection.
    """
    document = model.document
    chosen = indexes or ([current] if current.isValid() else [])
    rows = sorted({i.row() for i in chosen})
    columns = sorted({i.column() for i in chosen if i.column() >= FIRST_PERIOD_COLUMN})
    if not rows or not columns:
        document.message.emit("Not filled: select the period cells to fill")
        return False
    down = direction == "down"
    if down and len(rows) == 1:
        if rows[0] == 0:
            document.message.emit("Not filled: there is no row above to copy")
            return False
        rows.insert(0, rows[0] - 1)
    if not down and len(columns) == 1:
        if columns[0] == FIRST_PERIOD_COLUMN:
            document.message.emit("Not filled: there is no period to the left to copy")
            return False
        columns.insert(0, columns[0] - 1)
    item_ids = [model.item_at(row).id for row in rows]
    periods = [column - FIRST_PERIOD_COLUMN for column in columns]
    make_pairs: PairMaker = fill_down_pairs if down else fill_right_pairs
    label = "Fill down" if down else "Fill right"
    try:
        command = fill_edit(
            document.project, document.scenario_key, make_pairs(item_ids, periods), label
        )
    except CommandError as exc:
        document.message.emit(f"Not filled: {exc}")
        return False
    return document.push(command)


def selection_summary(model: object, selection: QItemSelection) -> str:
    """The status bar's sum, average and count of the numbers in ``selection``.

    Read from the model's arrays block by block, so a whole table sums at once.
    """
    if not isinstance(model, ItemTableModel):
        return ""
    parts = []
    for block in selection:
        parts += model.numbers_in(block.top(), block.bottom(), block.left(), block.right())
    return selection_text(parts)
