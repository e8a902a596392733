"""The tabs of tables: one per group of line items, the event tables, and the model."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QPushButton, QTabWidget, QVBoxLayout, QWidget

from ui.document import Document
from ui.event_model import EventTableModel
from ui.formula_editor import FormulaEditor
from ui.item_model import FIRST_PERIOD_COLUMN, ItemTableModel
from ui.sheet_view import SheetView

GROUP_TITLES = {
    "drivers": "Drivers",
    "revenue": "Revenue",
    "costs": "Costs",
    "compute": "Compute",
    "funding": "Funding",
    "cash": "Cash",
    "ratios": "Ratios",
}


class EventTab(QWidget):
    def __init__(self, document: Document, kind: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = EventTableModel(document, kind)
        self.model.setParent(self)
        self.view = SheetView(document)
        self.view.setModel(self.model)
        self.view.horizontalHeader().setStretchLastSection(True)
        self.view.setColumnWidth(0, 170 if kind == "contracts" else 70)
        self.view.setColumnWidth(1, 170 if kind == "funding" else 100)
        for column in range(2, self.model.columnCount() - 1):
            self.view.setColumnWidth(column, 135)
        add = QPushButton("Add row")
        add.clicked.connect(self.add_row)
        remove = QPushButton("Delete selected rows")
        remove.clicked.connect(self.remove_rows)
        buttons = QHBoxLayout()
        buttons.addWidget(add)
        buttons.addWidget(remove)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view, 1)
        layout.addLayout(buttons)

    def add_row(self) -> None:
        row = self.model.add_row()
        if row is not None:
            self.view.setCurrentIndex(self.model.index(row, 0))

    def remove_rows(self) -> None:
        self.model.remove_rows([i.row() for i in self.view.selectedIndexes()])


class TablesPanel(QTabWidget):
    """Rebuilt when a project with other groups arrives; otherwise the models update in place."""

    def __init__(self, document: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.item_views: dict[str, SheetView] = {}
        self._groups: list[str] = []
        self.rebuild()
        document.projectReplaced.connect(self._project_replaced)

    def _project_replaced(self) -> None:
        if self.document.project.group_order() != self._groups:
            self.rebuild()

    def rebuild(self) -> None:
        while self.count():
            widget = self.widget(0)
            self.removeTab(0)
            widget.deleteLater()
        self.item_views = {}
        self._groups = self.document.project.group_order()
        for group in self._groups:
            model = ItemTableModel(self.document, group)
            view = SheetView(self.document)
            model.setParent(view)
            view.setModel(model)
            view.setColumnWidth(0, 280)
            view.setColumnWidth(1, 70)
            for column in range(FIRST_PERIOD_COLUMN, model.columnCount()):
                view.setColumnWidth(column, 56)
            self.item_views[group] = view
            self.addTab(view, GROUP_TITLES.get(group, group.replace("_", " ").capitalize()))
        self.funding_tab = EventTab(self.document, "funding")
        self.contracts_tab = EventTab(self.document, "contracts")
        self.formula_tab = FormulaEditor(self.document)
        self.addTab(self.funding_tab, "Funding rounds")
        self.addTab(self.contracts_tab, "Compute contracts")
        self.addTab(self.formula_tab, "Model (formulas and notes)")
