"""The table of one group's line items: label, unit, then one column per period."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QLocale,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QFont

from planner.commands import Command, Macro, SetConstant, SetInput
from planner.model import LineItem
from planner.numbers import NumberError, edit_text, format_value, parse_cell
from ui.document import Document
from ui.risk.marks import range_icon, range_notes
from ui.style import FORMULA_BG, INPUT_FG, OVERRIDE_BG

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
COPY_ROLE = Qt.ItemDataRole.UserRole + 1


@dataclass
class PasteReport:
    """What a paste did: how many cells it set and which it refused, with reasons."""

    applied: int = 0
    refused: list[str] = field(default_factory=list)


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
        document.projectReplaced.connect(self._reset)
        document.changed.connect(self._reload)
        document.resultsChanged.connect(self._values_changed)
        document.scenarioChanged.connect(self._values_changed)

    # --- structure -------------------------------------------------------------

    def _reload(self) -> None:
        project = self.document.project
        self._items = [i for i in project.items if i.group == self.group]
        self._scenario = project.scenario(self.document.scenario)
        self._values = [self.document.result.values.get(i.id) for i in self._items]
        self._ranges = range_notes(project, self.document.scenario_key)
        self._cells: dict[tuple[int, int], tuple[Any, ...]] = {}

    def _remember_shown(self) -> None:
        self._shown = [self._row_state(r) for r in range(len(self._items))]

    def _reset(self) -> None:
        self.beginResetModel()
        self._reload()
        self._remember_shown()
        self.endResetModel()

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
            if role == Qt.ItemDataRole.ToolTipRole and column == 0:
                tip = _tooltip(item.label, item.note, self._formula_text(item))
                return "\n".join(filter(None, (tip, self._ranges.get(item.id))))
            if role == Qt.ItemDataRole.DecorationRole and column == 0 and item.id in self._ranges:
                return range_icon()
            return None
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

    def _cell(self, row: int, column: int) -> tuple[Any, ...]:
        key = (row, column)
        cached = self._cells.get(key)
        if cached is None:
            item = self._items[row]
            kind = self._effective_kind(item)
            overridden = self.is_overridden(item, self.period_at(column))
            background = OVERRIDE_BG if overridden else (FORMULA_BG if kind == "formula" else None)
            cached = (
                format_value(self._value(row, column), item.unit),
                RIGHT_ALIGNED,
                background,
                INPUT_FG if kind != "formula" else None,
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
            lines.append("One value for every period.")
        if overridden:
            lines.append(f"Overridden in '{self.document.scenario}'. Ctrl+R resets it to the base.")
        if period is not None and period in item.input_notes:
            lines.append(item.input_notes[period])
        elif item.note:
            lines.append(item.note)
        return "\n".join(lines) or None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        item = self._items[index.row()]
        if index.column() >= FIRST_PERIOD_COLUMN and self._effective_kind(item) != "formula":
            return EDITABLE
        return READ_ONLY

    # --- editing ---------------------------------------------------------------------------

    def command_for(self, row: int, column: int, text: str) -> Command:
        """The command that sets a cell to typed ``text``; NumberError or ValueError if not."""
        item = self._items[row]
        period = self.period_at(column)
        if period is None or self._effective_kind(item) == "formula":
            raise ValueError(f"'{item.label}' {period or ''} is calculated, not an input".strip())
        value = parse_cell(text, item.unit, *number_format())
        scenario = self.document.scenario_key
        if item.kind == "constant":
            return SetConstant(scenario, item.id, value)
        return SetInput(scenario, item.id, period, value)

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or role != Qt.ItemDataRole.EditRole:
            return False
        item = self._items[index.row()]
        if isinstance(value, int | float) and not isinstance(value, bool):
            value = repr(float(value) * (100 if item.unit == "%" else 1))
        try:
            command = self.command_for(index.row(), index.column(), str(value))
        except (NumberError, ValueError) as exc:
            self.document.message.emit(f"{item.label}, {self.period_at(index.column())}: {exc}")
            return False
        if not self.document.push(command):
            return False
        self.dataChanged.emit(index, index)
        return True

    def paste(self, row: int, column: int, block: Sequence[Sequence[str]]) -> PasteReport:
        """Paste a block at (row, column): good cells in one undo step, bad ones listed."""
        report = PasteReport()
        commands: list[Command] = []
        for r, fields in enumerate(block):
            for c, text in enumerate(fields):
                target_row, target_column = row + r, column + c
                if target_row >= self.rowCount() or target_column >= self.columnCount():
                    continue
                if target_column < FIRST_PERIOD_COLUMN:
                    continue
                item = self._items[target_row]
                where = f"{item.label}, {self.period_at(target_column)}"
                try:
                    commands.append(self.command_for(target_row, target_column, text))
                except (NumberError, ValueError) as exc:
                    report.refused.append(f"{where}: {exc}")
        if commands and self.document.push(Macro(tuple(commands), "Paste")):
            report.applied = len(commands)
        elif commands:
            report.refused.append("the pasted values would break the model; nothing was changed")
        return report

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
