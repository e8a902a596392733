"""The table of one group's line items: label, unit, then one column per period."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QLocale,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QFont

from planner.cell_edits import CONSTANT_PERIOD, CellRef, growth_edit
from planner.commands import Command, CommandError, SetConstant, SetInput
from planner.compiled import Array
from planner.model import LineItem
from planner.numbers import (
    NumberError,
    edit_text,
    format_value,
    growth_rate,
    parse_cell,
    row_decimals,
)
from ui.document import Document
from ui.risk.marks import range_icon, range_notes
from ui.style import ERROR_FG, FORMULA_BG, INPUT_FG, OVERRIDE_BG

Index = QModelIndex | QPersistentModelIndex
RIGHT_ALIGNED = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
READ_ONLY = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
EDITABLE = READ_ONLY | Qt.ItemFlag.ItemIsEditable
_ROLE_SLOTS = {
    Qt.ItemDataRole.DisplayRole: 0,
    Qt.ItemDataRole.TextAlignmentRole: 1,
    Qt.ItemDataRole.BackgroundRole: 2,
    Qt.ItemDataRole.ForegroundRole: 3,
    Qt.ItemDataRole.FontRole: 4,
}
FIRST_PERIOD_COLUMN = 2
RESET_KEYS = "Ctrl+Shift+B"
COPY_ROLE = Qt.ItemDataRole.UserRole + 1
BROKEN_TIP = "In error: it reads a deleted line item. Fix its formula in the Model tab."


def number_format() -> tuple[str, str]:
    """The decimal point and group separator of the user's locale."""
    locale = QLocale()
    return locale.decimalPoint(), locale.groupSeparator()


class ItemTableModel(QAbstractTableModel):
    """Adapts the line items of one group; edits become commands on the document."""

    def __init__(self, document: Document, group: str) -> None:
        super().__init__()
        self.document = document
        self.group = group
        self._items: list[LineItem] = []
        self._reload()
        self._remember_shown()
        self._shown_layout = self._layout()
        document.projectReplaced.connect(self._reset)
        document.changed.connect(self._follow_structure)
        document.resultsChanged.connect(self._values_changed)
        document.scenarioChanged.connect(self._values_changed)

    # --- structure -------------------------------------------------------------

    def _reload(self) -> None:
        project = self.document.project
        self._periods = tuple(project.periods)
        self._items = [i for i in project.items if i.group == self.group]
        self._scenario = project.scenario(self.document.scenario)
        self._values = [self.document.result.values.get(i.id) for i in self._items]
        self._broken = self.document.result.broken
        self._ranges = range_notes(project, self.document.scenario_key)
        self._cells: dict[tuple[int, int], tuple[Any, ...]] = {}
        self._decimals: dict[int, int] = {}

    def _remember_shown(self) -> None:
        self._shown = [self._row_state(r) for r in range(len(self._items))]

    def _reset(self) -> None:
        self.beginResetModel()
        self._reload()
        self._remember_shown()
        self._shown_layout = self._layout()
        self.endResetModel()

    def _layout(self) -> list[tuple[str, str, str, str]]:
        project = self.document.project
        return [(i.id, i.label, i.unit, i.kind) for i in project.items if i.group == self.group]

    def _follow_structure(self) -> None:
        """Rows added, deleted, moved, relabelled or of another kind: show them afresh."""
        # A new timeline changes the columns: the view must hear of it before it asks.
        if self._layout() != self._shown_layout or self.document.project.periods != list(
            self._periods
        ):
            self._reset()
        else:
            self._reload()

    def _values_changed(self) -> None:
        # Items are edited in place, but a replaced list means new objects: reload them.
        self._reload()
        states = [self._row_state(r) for r in range(len(self._items))]
        before = self._shown
        self._shown = states
        changed = [r for r, state in enumerate(states) if r >= len(before) or state != before[r]]
        if changed:
            # Only rows whose values or overrides moved: the others need no repaint.
            last_column = self.columnCount() - 1
            self.dataChanged.emit(self.index(changed[0], 0), self.index(changed[-1], last_column))

    def _row_state(self, row: int) -> tuple[object, ...]:
        """What a row shows: its values, and what the scenario on screen overrides in it."""
        item = self._items[row]
        values = self._values[row]
        scenario = self._scenario
        overrides: tuple[object, ...] = ()
        if scenario is not None:
            overrides = (
                tuple(sorted(scenario.inputs.get(item.id, {}).items())),
                scenario.values.get(item.id),
                scenario.formulas.get(item.id),
            )
        notes = (item.note, tuple(sorted(item.input_notes.items())), self._ranges.get(item.id))
        return (None if values is None else values.tobytes(), overrides, notes)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._items)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else FIRST_PERIOD_COLUMN + len(self.document.project.periods)

    def item_at(self, row: int) -> LineItem:
        return self._items[row]

    def period_at(self, column: int) -> str | None:
        if column < FIRST_PERIOD_COLUMN:
            return None
        return self.document.project.periods[column - FIRST_PERIOD_COLUMN]

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal:
            if role == Qt.ItemDataRole.DisplayRole:
                if section == 0:
                    return "Line item"
                if section == 1:
                    return "Unit"
                return self.period_at(section)
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self._items[section].id
        return None

    # --- reading ------------------------------------------------------------------------

    def is_overridden(self, item: LineItem, period: str | None) -> bool:
        scenario = self._scenario
        if scenario is None:
            return False
        if item.id in scenario.formulas:
            return True
        if item.kind == "input" and period is not None:
            return scenario.overrides_cell(item.id, period)
        return item.kind == "constant" and item.id in scenario.values

    def _value(self, row: int, column: int) -> float:
        values = self._values[row]
        if values is None:
            return float("nan")
        return float(values[0, column - FIRST_PERIOD_COLUMN])

    def is_blank(self, row: int, column: int) -> bool:
        """A single value's cells other than its own: they show nothing and take no typing."""
        item = self._items[row]
        return (
            self._effective_kind(item) == "constant"
            and column != FIRST_PERIOD_COLUMN + CONSTANT_PERIOD
        )

    def _row_decimals(self, row: int) -> int:
        decimals = self._decimals.get(row)
        if decimals is None:
            values = self._values[row]
            item = self._items[row]
            decimals = 0
            if values is not None:
                single = self._effective_kind(item) == "constant"
                shown = values[0, : CONSTANT_PERIOD + 1 if single else None]
                decimals = row_decimals(shown, item.unit)
            self._decimals[row] = decimals
        return decimals

    def numbers_in(self, top: int, bottom: int, left: int, right: int) -> list[tuple[Array, str]]:
        """The values in a block of cells, row by row, each with its row's unit."""
        first, last = max(left - FIRST_PERIOD_COLUMN, 0), right - FIRST_PERIOD_COLUMN + 1
        parts: list[tuple[Array, str]] = []
        for row in range(max(top, 0), min(bottom + 1, len(self._items))):
            values, item = self._values[row], self._items[row]
            if values is None or last <= first:
                continue
            single = self._effective_kind(item) == "constant"  # one cell, in the first column
            parts.append(
                (values[0, first : min(last, CONSTANT_PERIOD + 1) if single else last], item.unit)
            )
        return parts

    def cell_ref(self, row: int, column: int) -> CellRef | None:
        """The (item id, period index) of a period cell; None for the label and unit."""
        if column < FIRST_PERIOD_COLUMN or row >= len(self._items):
            return None
        return self._items[row].id, column - FIRST_PERIOD_COLUMN

    def _effective_kind(self, item: LineItem) -> str:
        scenario = self._scenario
        if scenario is not None and item.id in scenario.formulas:
            return "formula"
        return item.kind

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row, column = index.row(), index.column()
        item = self._items[row]
        if column < FIRST_PERIOD_COLUMN:
            if role == Qt.ItemDataRole.DisplayRole:
                return item.label if column == 0 else item.unit
            broken = item.id in self._broken
            if role == Qt.ItemDataRole.ToolTipRole and column == 0:
                tip = _tooltip(item.label, item.note, self._formula_text(item))
                range_tip = self._ranges.get(item.id)
                return "\n".join(filter(None, (tip, range_tip, BROKEN_TIP if broken else None)))
            if role == Qt.ItemDataRole.ForegroundRole and broken:
                return ERROR_FG
            if role == Qt.ItemDataRole.DecorationRole and column == 0 and item.id in self._ranges:
                return range_icon()
            return None
        if self.is_blank(row, column):
            return self._blank_data(item, role)
        slot = _ROLE_SLOTS.get(role)
        if slot is not None:
            # Views ask for several roles of every visible cell on each repaint:
            # answer from a per-refresh cache instead of recomputing.
            return self._cell(row, column)[slot]
        if role == Qt.ItemDataRole.EditRole:
            return edit_text(self._value(row, column), item.unit, number_format()[0])
        if role == COPY_ROLE:
            suffix = "%" if item.unit == "%" else ""
            return edit_text(self._value(row, column), item.unit, number_format()[0]) + suffix
        if role == Qt.ItemDataRole.ToolTipRole:
            period = self.period_at(column)
            kind = self._effective_kind(item)
            return self._cell_tooltip(item, period, kind, self.is_overridden(item, period))
        return None

    def _blank_data(self, item: LineItem, role: int) -> Any:
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole, COPY_ROLE):
            return ""
        if role == Qt.ItemDataRole.ToolTipRole:
            first = self.document.project.periods[CONSTANT_PERIOD]
            return f"'{item.label}' is a single value for the whole plan, in the {first} column."
        return None

    def _cell(self, row: int, column: int) -> tuple[Any, ...]:
        key = (row, column)
        cached = self._cells.get(key)
        if cached is None:
            item = self._items[row]
            kind = self._effective_kind(item)
            overridden = self.is_overridden(item, self.period_at(column))
            background = OVERRIDE_BG if overridden else (FORMULA_BG if kind == "formula" else None)
            broken = item.id in self._broken
            cached = (
                "error"
                if broken
                else format_value(self._value(row, column), item.unit, self._row_decimals(row)),
                RIGHT_ALIGNED,
                background,
                ERROR_FG if broken else (INPUT_FG if kind != "formula" else None),
                _bold() if overridden else None,
            )
            self._cells[key] = cached
        return cached

    def _formula_text(self, item: LineItem) -> str | None:
        scenario = self._scenario
        if scenario is not None and item.id in scenario.formulas:
            return scenario.formulas[item.id]
        return item.formula

    def _cell_tooltip(self, item: LineItem, period: str | None, kind: str, overridden: bool) -> str:
        lines = []
        if kind == "formula":
            lines.append(f"= {self._formula_text(item)}  (calculated)")
        elif kind == "constant":
            lines.append("A single value for the whole plan.")
        if overridden:
            lines.append(
                f"Overridden in '{self.document.scenario}'. {RESET_KEYS} resets it to the base."
            )
        if period is not None and period in item.input_notes:
            lines.append(item.input_notes[period])
        elif item.note:
            lines.append(item.note)
        return "\n".join(lines) or None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        item = self._items[index.row()]
        column = index.column()
        if column < FIRST_PERIOD_COLUMN or self._effective_kind(item) == "formula":
            return READ_ONLY
        return READ_ONLY if self.is_blank(index.row(), column) else EDITABLE

    # --- editing ---------------------------------------------------------------------------

    def command_for(self, row: int, column: int, text: str, *, typed: bool = True) -> Command:
        """The command that sets a cell to ``text``; NumberError or ValueError if not.

        Typed text may be a growth entry ("+8%": the previous period's value grown
        by 8%); pasted text is always a value.
        """
        item = self._items[row]
        ref = self.cell_ref(row, column)
        if ref is None or self._effective_kind(item) == "formula":
            period = self.period_at(column) or ""
            raise ValueError(f"'{item.label}' {period} is calculated, not an input".strip())
        project, scenario = self.document.project, self.document.scenario_key
        rate = growth_rate(text, *number_format()) if typed else None
        if rate is not None:
            try:
                return growth_edit(project, scenario, [ref], rate)
            except CommandError as exc:
                raise ValueError(str(exc)) from None
        if self.is_blank(row, column):
            first = project.periods[CONSTANT_PERIOD]
            raise ValueError(f"'{item.label}' is a single value, kept in the {first} column")
        # Built here rather than by planner.cell_edits: a large paste makes one per cell.
        value = parse_cell(text, item.unit, *number_format())
        if item.kind == "constant":
            return SetConstant(scenario, item.id, value)
        return SetInput(scenario, item.id, project.periods[ref[1]], value)

    def where(self, row: int, column: int) -> str:
        """How a message names a cell: "Label, 2026", or the label of a single value."""
        item = self._items[row]
        if self._effective_kind(item) == "constant":
            return item.label
        return f"{item.label}, {self.period_at(column)}"

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or role != Qt.ItemDataRole.EditRole:
            return False
        item = self._items[index.row()]
        if isinstance(value, int | float) and not isinstance(value, bool):
            value = repr(float(value) * (100 if item.unit == "%" else 1))
        try:
            command = self.command_for(index.row(), index.column(), str(value))
        except (NumberError, ValueError) as exc:
            self.document.message.emit(f"{self.where(index.row(), index.column())}: {exc}")
            return False
        if not self.document.push(command):
            return False
        self.dataChanged.emit(index, index)
        return True

    def reset_commands(self, indexes: Sequence[Index]) -> list[Command]:
        """Commands that return overridden cells among ``indexes`` to the base value."""
        scenario = self.document.scenario_key
        if scenario is None:
            return []
        commands: list[Command] = []
        seen: set[tuple[str, str | None]] = set()
        for index in indexes:
            item = self._items[index.row()]
            period = self.period_at(index.column())
            if self.is_blank(index.row(), index.column()):
                continue
            key = (item.id, period if item.kind == "input" else None)
            if key in seen or not self.is_overridden(item, period):
                continue
            seen.add(key)
            if item.kind == "input" and period is not None:
                commands.append(SetInput(scenario, item.id, period, None))
            elif item.kind == "constant":
                commands.append(SetConstant(scenario, item.id, None))
        return commands

    def note_target(self, index: Index) -> tuple[str, str | None, str]:
        """The item, period (None for the row) and current text of the note at ``index``."""
        item = self._items[index.row()]
        period = self.period_at(index.column())
        if period is not None and item.kind == "input":
            return item.id, period, item.input_notes.get(period, "")
        return item.id, None, item.note


def _bold() -> QFont:
    font = QFont()
    font.setBold(True)
    return font


def _tooltip(label: str, note: str, formula: str | None) -> str:
    parts = [label]
    if formula:
        parts.append(f"= {formula}")
    if note:
        parts.append(note)
    return "\n".join(parts)
