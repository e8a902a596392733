"""The model view: every line item with its kind, formula and source note."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont

from planner.commands import SetFormula, SetNote
from planner.model import LineItem
from planner.numbers import format_value
from ui.document import Document
from ui.item_model import BROKEN_TIP
from ui.style import ERROR_FG, FORMULA_BG, OVERRIDE_BG

Index = QModelIndex | QPersistentModelIndex
COLUMNS = ("Group", "Line item", "Id", "Unit", "Kind", "Formula or value", "Source note")
FORMULA_COLUMN = 5
NOTE_COLUMN = 6


class FormulaTableModel(QAbstractTableModel):
    """Line items in group order; formulas and notes are editable."""

    def __init__(self, document: Document) -> None:
        super().__init__()
        self.document = document
        self._items: list[LineItem] = []
        self._reload()
        self._shown_layout = self._layout()
        document.projectReplaced.connect(self._reset)
        document.resultsChanged.connect(self._changed)
        document.changed.connect(self._follow_structure)

    def _reload(self) -> None:
        project = self.document.project
        order = {group: n for n, group in enumerate(project.group_order())}
        self._items = sorted(project.items, key=lambda i: order[i.group])

    def _reset(self) -> None:
        self.beginResetModel()
        self._reload()
        self._shown_layout = self._layout()
        self.endResetModel()

    def _layout(self) -> list[tuple[str, ...]]:
        project = self.document.project
        order = {group: n for n, group in enumerate(project.group_order())}
        items = sorted(project.items, key=lambda i: order[i.group])
        return [(i.group, i.id, i.label, i.unit, i.kind) for i in items]

    def _follow_structure(self) -> None:
        """Rows added, deleted, moved or renamed: show them afresh."""
        if self._layout() != self._shown_layout:
            self._reset()

    def _changed(self) -> None:
        self._reload()
        if self._items:
            self.dataChanged.emit(
                self.index(0, 0), self.index(len(self._items) - 1, len(COLUMNS) - 1)
            )

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._items)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def item_at(self, row: int) -> LineItem:
        return self._items[row]

    def row_of(self, item_id: str) -> int:
        return next(n for n, item in enumerate(self._items) if item.id == item_id)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section]
        return None

    def formula_of(self, item: LineItem) -> str | None:
        """The formula in force in the scenario on screen, or None for inputs."""
        scenario = self.document.project.scenario(self.document.scenario)
        if scenario is not None and item.id in scenario.formulas:
            return scenario.formulas[item.id]
        return item.formula

    def formula_overridden(self, item: LineItem) -> bool:
        scenario = self.document.project.scenario(self.document.scenario)
        return scenario is not None and item.id in scenario.formulas

    def _kind(self, item: LineItem) -> str:
        if self.formula_overridden(item):
            return "formula (scenario)"
        return {"input": "input per period", "constant": "constant", "formula": "formula"}[
            item.kind
        ]

    def _value_text(self, item: LineItem) -> str:
        formula = self.formula_of(item)
        if formula is not None:
            return formula
        if item.kind == "constant":
            value = float(self.document.result.values[item.id][0, 0])
            return format_value(value, item.unit)
        return "(inputs in the table)"

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        item = self._items[index.row()]
        column = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            values = (
                item.group,
                item.label,
                item.id,
                item.unit,
                self._kind(item),
                self._value_text(item),
                item.note,
            )
            return values[column]
        broken = item.id in self.document.result.broken
        if role == Qt.ItemDataRole.ToolTipRole and column in (FORMULA_COLUMN, NOTE_COLUMN):
            return "\n".join(([BROKEN_TIP] if broken else []) + [item.note]).strip() or None
        if role == Qt.ItemDataRole.ForegroundRole and broken and column in (1, FORMULA_COLUMN):
            return ERROR_FG
        if role == Qt.ItemDataRole.BackgroundRole and column == FORMULA_COLUMN:
            if self.formula_overridden(item):
                return OVERRIDE_BG
            return FORMULA_BG if self.formula_of(item) is not None else None
        if role == Qt.ItemDataRole.FontRole and column == FORMULA_COLUMN:
            font = QFont("monospace")
            font.setStyleHint(QFont.StyleHint.Monospace)
            return font
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        item = self._items[index.row()]
        if index.column() == NOTE_COLUMN or (
            index.column() == FORMULA_COLUMN and self.formula_of(item) is not None
        ):
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or role != Qt.ItemDataRole.EditRole:
            return False
        item = self._items[index.row()]
        text = str(value)
        if index.column() == NOTE_COLUMN:
            if text.strip() == item.note:
                return False
            ok = self.document.push(SetNote(item.id, None, text))
        elif index.column() == FORMULA_COLUMN and self.formula_of(item) is not None:
            if text.strip() == self.formula_of(item):
                return False
            ok = self.document.push(SetFormula(self.document.scenario_key, item.id, text))
        else:
            return False
        if ok:
            self.dataChanged.emit(index, index)
        return ok
