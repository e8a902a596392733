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
from ui.style import FORMULA_BG, INPUT_FG, OVERRIDE_BG

Index = QModelIndex | QPersistentModelIndex
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
        document.projectReplaced.connect(self._reset)
        document.resultsChanged.connect(self._values_changed)
        document.scenarioChanged.connect(self._values_changed)

    # --- structure -------------------------------------------------------------

    def _reload(self) -> None:
        project = self.document.project
        self._items = [i for i in project.items if i.group == self.group]
        self._scenario = project.scenario(self.document.scenario)
        self._values = [self.document.result.values.get(i.id) for i in self._items]

    def _reset(self) -> None:
        self.beginResetModel()
        self._reload()
        self.endResetModel()

    def _values_changed(self) -> None:
        # Items are edited in place, but a replaced list means new objects: reload them.
        self._reload()
        if self._items:
            last = self.index(self.rowCount() - 1, self.columnCount() - 1)
            self.dataChanged.emit(self.index(0, 0), last)

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
        item = self._items[index.row()]
        column = index.column()
        period = self.period_at(column)
        if column == 0:
            if role == Qt.ItemDataRole.DisplayRole:
                return item.label
            if role == Qt.ItemDataRole.ToolTipRole:
                return _tooltip(item.label, item.note, self._formula_text(item))
            return None
        if column == 1:
            return item.unit if role == Qt.ItemDataRole.DisplayRole else None
        value = self._value(index.row(), column)
        kind = self._effective_kind(item)
        overridden = self.is_overridden(item, period)
        if role == Qt.ItemDataRole.DisplayRole:
            return format_value(value, item.unit)
        if role == Qt.ItemDataRole.EditRole:
            return edit_text(value, item.unit)
        if role == COPY_ROLE:
            return edit_text(value, item.unit) + ("%" if item.unit == "%" else "")
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.BackgroundRole:
            if overridden:
                return OVERRIDE_BG
            return FORMULA_BG if kind == "formula" else None
        if role == Qt.ItemDataRole.ForegroundRole:
            return INPUT_FG if kind != "formula" else None
        if role == Qt.ItemDataRole.FontRole and overridden:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._cell_tooltip(item, period, kind, overridden)
        return None

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
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        item = self._items[index.row()]
        if index.column() >= FIRST_PERIOD_COLUMN and self._effective_kind(item) != "formula":
            base |= Qt.ItemFlag.ItemIsEditable
        return base

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
        self._reload()
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
            self._reload()
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


def _tooltip(label: str, note: str, formula: str | None) -> str:
    parts = [label]
    if formula:
        parts.append(f"= {formula}")
    if note:
        parts.append(note)
    return "\n".join(parts)
