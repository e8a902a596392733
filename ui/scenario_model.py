"""The list of scenarios: the base first (marked), then the named scenarios."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont

from planner.commands import RenameScenario
from planner.scenario_colours import scenario_colours
from ui.document import Document
from ui.style import swatch

Index = QModelIndex | QPersistentModelIndex
NAME_ROLE = Qt.ItemDataRole.UserRole + 1


class ScenarioListModel(QAbstractListModel):
    """Scenario names; renaming in place becomes an undoable command."""

    def __init__(self, document: Document) -> None:
        super().__init__()
        self.document = document
        self._names = list(document.project.scenario_names)
        self._descriptions = [self.description_of(n) for n in self._names]
        self._colours = scenario_colours(document.project)
        document.scenariosChanged.connect(self._refresh)
        document.projectReplaced.connect(self._refresh)

    def _refresh(self) -> None:
        names = list(self.document.project.scenario_names)
        descriptions = [self.description_of(n) for n in names]
        colours = scenario_colours(self.document.project)
        if names != self._names:
            self.beginResetModel()
            self._names = names
            self._descriptions = descriptions
            self._colours = colours
            self.endResetModel()
        elif descriptions != self._descriptions or colours != self._colours:
            self._descriptions = descriptions
            self._colours = colours
            self.dataChanged.emit(self.index(0), self.index(len(names) - 1))

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._names)

    def name_at(self, row: int) -> str:
        return self._names[row]

    def row_of(self, name: str) -> int:
        return self._names.index(name)

    def description_of(self, name: str) -> str:
        """The scenario's description; "" for a name just deleted, which views still hold
        while the deletion's signals go round."""
        if name not in self.document.project.scenario_names:
            return ""
        scenario = self.document.project.scenario(name)
        return self.document.project.base_description if scenario is None else scenario.description

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        name = self._names[index.row()]
        is_base = index.row() == 0
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{name}  (base)" if is_base else name
        if role in (Qt.ItemDataRole.EditRole, NAME_ROLE):
            return name
        if role == Qt.ItemDataRole.ToolTipRole:
            text = self.description_of(name)
            prefix = "The base scenario: every other scenario starts from it." if is_base else ""
            return "\n".join(p for p in (prefix, text) if p) or None
        if role == Qt.ItemDataRole.DecorationRole:
            return swatch(self._colours.get(name, "#888888"))
        if role == Qt.ItemDataRole.FontRole and is_base:
            font = QFont()
            font.setBold(True)
            return font
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEditable

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or role != Qt.ItemDataRole.EditRole:
            return False
        old = self._names[index.row()]
        new = str(value).strip()
        if new == old:
            return False
        return self.document.push(RenameScenario(old, new))
