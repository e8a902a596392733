"""Scenarios side by side: a window of every scenario's key figures against the base's,
and the Overrides tab (what the scenario on screen changes) with the way to each cell.

The figures live in a window of their own rather than a tab: under the charts a
small window leaves the tables room for five rows, and the figures are read as a
whole. Beside or over the charts, they follow every edit made in the tables.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, QRect, QSize, Qt, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from planner.commands import override_summary
from planner.overrides import Location
from ui.comparison_models import KpiComparisonModel, OverrideListModel
from ui.document import Document
from ui.formula_model import FORMULA_COLUMN
from ui.item_model import FIRST_PERIOD_COLUMN, ItemTableModel

if TYPE_CHECKING:
    from ui.tables import TablesPanel

ROW_HEIGHT = 22
GONE = "That override is no longer in the tables."


def _make_read_only(view: QTableView) -> None:
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setWordWrap(False)
    view.verticalHeader().setVisible(False)
    view.verticalHeader().setDefaultSectionSize(ROW_HEIGHT)


class ComparisonTable(QTableView):
    """Every key figure of every scenario, and each one's difference from the base.

    A click on a scenario's heading puts that scenario on screen.
    """

    def __init__(self, document: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.comparison = KpiComparisonModel(document)
        self.comparison.setParent(self)
        _make_read_only(self)
        self.setModel(self.comparison)
        header = self.horizontalHeader()
        header.setSectionsClickable(True)
        header.sectionClicked.connect(self._column_clicked)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.setCurrentIndex(QModelIndex())
        self.comparison.modelReset.connect(self.size_columns)
        self.comparison.headerDataChanged.connect(self.size_columns)
        self.size_columns()

    def size_columns(self) -> None:
        # Wide enough for the longest figure and name: an analyst reads them whole.
        self.resizeColumnsToContents()
        header = self.horizontalHeader()
        for column in range(1, self.comparison.columnCount()):
            header.resizeSection(column, max(header.sectionSize(column), 70))

    def _column_clicked(self, column: int) -> None:
        name = self.comparison.scenario_at(column)
        if name is not None:
            self.document.set_scenario(name)

    def sizeHint(self) -> QSize:
        """Every row and column, without scroll bars."""
        header = self.horizontalHeader()
        width = header.length() + 2 * self.frameWidth() + 2
        rows = self.comparison.rowCount() * self.verticalHeader().defaultSectionSize()
        height = header.sizeHint().height() + rows + 2 * self.frameWidth() + 2
        return QSize(width, height)


class ComparisonWindow(QDialog):
    """The comparison table in a window that stays open beside the main one."""

    def __init__(self, document: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.setWindowTitle("Scenarios compared")
        self.setModal(False)
        self.table = ComparisonTable(document)
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.note.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.note)
        layout.addWidget(buttons)
        document.scenariosChanged.connect(self._show_note)
        document.projectReplaced.connect(self._show_note)
        self._show_note()

    def _show_note(self) -> None:
        base = self.document.project.base_name
        self.note.setText(
            f"Differences against {base}, the base: green is better, red is worse. "
            "Click a scenario's name to show it in the main window."
        )

    def fit(self, room: QRect, top: int) -> None:
        """As large as the table wants within ``room``, its top at ``top`` where it fits."""
        self.table.setMinimumHeight(self.table.sizeHint().height())
        wanted = self.sizeHint()
        width = min(wanted.width(), room.width())
        height = min(wanted.height(), room.height())
        self.resize(width, height)
        top = max(room.top(), min(top, room.bottom() - height))
        self.move(room.left() + (room.width() - width) // 2, top)


def show_comparison(window: QWidget, document: Document, over: QWidget) -> ComparisonWindow:
    """Open (or bring forward) the comparison window of ``window``.

    It first opens over ``over`` (the charts), leaving the tables below free to edit.
    """
    found = window.findChild(ComparisonWindow)
    if found is None:
        found = ComparisonWindow(document, window)
        found.table.size_columns()
        found.fit(window.frameGeometry(), over.mapToGlobal(over.rect().topLeft()).y())
    found.show()
    found.raise_()
    found.activateWindow()
    return found


class OverridesTab(QWidget):
    """The scenario on screen's overrides; a click or Enter goes to the cell in the tables."""

    locationChosen = Signal(object)  # a planner.overrides.Location

    def __init__(
        self, document: Document, tables: TablesPanel, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.document = document
        self.tables = tables
        self.model = OverrideListModel(document)
        self.model.setParent(self)
        self.heading = QLabel()
        self.heading.setWordWrap(True)
        self.view = QTableView()
        _make_read_only(self.view)
        self.view.setModel(self.model)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        self.view.setColumnWidth(0, 260)
        self.view.setColumnWidth(1, 64)
        self.view.setColumnWidth(2, 220)
        self.view.clicked.connect(self._chosen)
        self.view.activated.connect(self._chosen)  # Enter, or a double click
        self.model.modelReset.connect(self._show_heading)
        self._show_heading()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 2, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.heading)
        layout.addWidget(self.view, 1)

    def _show_heading(self) -> None:
        project = self.document.project
        name = self.document.scenario
        if self.document.scenario_key is None:
            text = f"{name} is the base; pick another scenario to list what it changes."
        elif self.model.rowCount() == 0:
            text = f"{name} overrides nothing yet: it follows the base everywhere."
        else:
            summary = override_summary(project, name).removeprefix("Overrides ")
            text = f"{name} overrides {summary} Click one, or press Enter, to go to it."
        self.heading.setText(text)

    def _chosen(self, index: QModelIndex) -> None:
        if index.isValid():
            location = self.model.override_at(index.row()).location
            self.locationChosen.emit(location)
            go_to(self.tables, location)


def go_to(tables: TablesPanel, location: Location) -> bool:
    """Show the tab that holds ``location`` and select its cell; False if it is gone."""
    document = tables.document
    project = document.project
    view: QTableView
    if location.table == "items":
        if location.group not in project.group_order():
            document.message.emit(GONE)
            return False
        view = tables.item_view(location.group)
        tables.show_page(location.group)
        model = view.model()
        assert isinstance(model, ItemTableModel)
        rows = [r for r in range(model.rowCount()) if model.item_at(r).id == location.key]
        periods = project.periods
        column = FIRST_PERIOD_COLUMN + (
            periods.index(location.period) if location.period in periods else 0
        )
    elif location.table == "formulas":
        editor = tables.formula_tab
        tables.show_page("#model")
        view = editor.view
        formulas = editor.model
        rows = [r for r in range(formulas.rowCount()) if formulas.item_at(r).id == location.key]
        column = FORMULA_COLUMN
    else:
        key = "#funding" if location.table == "funding" else "#contracts"
        tab = tables.funding_tab if location.table == "funding" else tables.contracts_tab
        tables.show_page(key)
        view = tab.view
        rows = [r for r in range(tab.model.rowCount()) if tab.model.row_at(r).id == location.key]
        column = 0
    if not rows:
        document.message.emit(GONE)
        return False
    index = view.model().index(rows[0], column)
    view.setCurrentIndex(index)
    view.scrollTo(index, QAbstractItemView.ScrollHint.PositionAtCenter)
    view.setFocus(Qt.FocusReason.OtherFocusReason)
    return True


def show_overrides(tables: TablesPanel) -> OverridesTab:
    tab = tables.show_page("#overrides")
    assert isinstance(tab, OverridesTab)
    return tab
