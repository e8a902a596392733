"""The tabs of tables: one per group of line items, the event tables, and the model."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from PySide6.QtWidgets import (
    QHBoxLayout,
    QPushButton,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ui import style
from ui.document import Document
from ui.event_model import EventTableModel
from ui.formula_editor import FormulaEditor
from ui.item_model import FIRST_PERIOD_COLUMN, ItemTableModel
from ui.scenario_comparison import OverridesTab
from ui.sheet_view import SheetView
from ui.structure_actions import StructureActions

GROUP_TITLES = {
    "drivers": "Drivers",
    "revenue": "Revenue",
    "costs": "Costs",
    "compute": "Compute",
    "funding": "Funding",
    "cash": "Cash",
    "ratios": "Ratios",
}


def group_tab_title(group: str) -> str:
    return GROUP_TITLES.get(group, group.replace("_", " ").capitalize())


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


def _uncertainty_tab(document: Document) -> QWidget:
    from ui.risk.uncertainty_tab import UncertaintyTab

    return UncertaintyTab(document)


class LazyPage(QWidget):
    """A tab's content, built the first time the tab is shown (or asked for)."""

    def __init__(self, build: Callable[[], QWidget], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._build = build
        self.content: QWidget | None = None
        QVBoxLayout(self).setContentsMargins(0, 0, 0, 0)

    def realise(self) -> QWidget:
        if self.content is None:
            self.content = self._build()
            layout = self.layout()
            assert layout is not None
            layout.addWidget(self.content)
        return self.content


class TablesPanel(QTabWidget):
    """Rebuilt when a project with other groups arrives; otherwise the models update in place.

    Only the tabs that have been shown hold a table (and keep it up to date), which
    keeps the hidden ones off the start-up path and out of every edit's redraw.
    """

    def __init__(self, document: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self._pages: dict[str, LazyPage] = {}
        self._groups: list[str] = []
        self.broken_button = QToolButton()
        self.broken_button.setAutoRaise(True)
        self.broken_button.clicked.connect(self.show_broken)
        self.setCornerWidget(self.broken_button)
        self.rebuild()
        self.currentChanged.connect(self._realise)
        document.projectReplaced.connect(self._project_replaced)
        document.changed.connect(self._follow_groups)
        document.resultsChanged.connect(self._show_broken_count)
        self._show_broken_count()

    def _project_replaced(self) -> None:
        # An edit that changes the structure (a new group, an import) also arrives here:
        # the tabs follow it, keeping the one the user is on.
        self._follow_groups()

    def _follow_groups(self) -> None:
        """A group added, deleted, renamed or moved: its tab follows; the other tabs stay."""
        groups = self.document.project.group_order()
        if groups == self._groups:
            return
        current = self.currentIndex()
        current_key = next((k for k, p in self._pages.items() if p is self.widget(current)), None)
        blocked = self.blockSignals(True)
        for group in self._groups:
            if group not in groups:
                gone = self._pages.pop(group)
                self.removeTab(self.indexOf(gone))
                gone.deleteLater()
        for n, group in enumerate(groups):
            page = self._pages.get(group)
            if page is None:
                page = LazyPage(partial(self._item_view, group))
                self._pages[group] = page
                self.insertTab(n, page, "")
            elif self.indexOf(page) != n:
                self.tabBar().moveTab(self.indexOf(page), n)
            self.setTabText(n, group_tab_title(group))
        self._groups = groups
        if current_key in self._pages:
            self.setCurrentWidget(self._pages[current_key])
        else:  # its group was renamed or deleted: the tab now in its place
            self.setCurrentIndex(min(current, self.count() - 1))
        self.blockSignals(blocked)
        self._realise(self.currentIndex())

    def _show_broken_count(self) -> None:
        broken = self.document.result.broken
        self.broken_button.setVisible(bool(broken))
        if broken:
            project = self.document.project
            labels = [i.label for i in project.items if i.id in broken]
            count = len(labels)
            # The colour of the moment: light and dark mode differ.
            self.broken_button.setStyleSheet(f"color: {style.ERROR_FG.name()}; font-weight: 600;")
            self.broken_button.setText(f"⚠ {count} line item{'s' if count != 1 else ''} in error")
            self.broken_button.setToolTip(
                "These read a deleted line item; fix their formulas in the Model tab:\n"
                + "\n".join(labels)
            )

    def show_broken(self) -> None:
        """Open the Model tab on the first line item in error."""
        broken = self.document.result.broken
        editor = self.formula_tab
        self.setCurrentWidget(self._pages["#model"])
        model = editor.model
        for row in range(model.rowCount()):
            if model.item_at(row).id in broken:
                editor.view.setCurrentIndex(model.index(row, 5))
                return

    def rebuild(self) -> None:
        blocked = self.blockSignals(True)  # removing tabs would build the ones made current
        while self.count():
            widget = self.widget(0)
            self.removeTab(0)
            widget.deleteLater()
        self._pages = {}
        self._groups = self.document.project.group_order()
        for group in self._groups:
            self._add_page(group, group_tab_title(group), partial(self._item_view, group))
        # These keys cannot clash with a group's: group names are identifiers.
        document = self.document
        self._add_page("#funding", "Funding rounds", partial(EventTab, document, "funding"))
        self._add_page("#contracts", "Compute contracts", partial(EventTab, document, "contracts"))
        self._add_page("#model", "Model (formulas and notes)", partial(self._formula_editor))
        self._add_page("#overrides", "Overrides", partial(OverridesTab, document, self))
        self._add_page("#uncertainty", "Uncertainty", partial(_uncertainty_tab, document))
        self.blockSignals(blocked)
        self._realise(self.currentIndex())

    def _add_page(self, key: str, title: str, build: Callable[[], QWidget]) -> None:
        page = LazyPage(build)
        self._pages[key] = page
        self.addTab(page, title)

    def show_page(self, key: str) -> QWidget:
        """Make the tab ``key`` (a group, or "#model", "#overrides"...) current; its content."""
        page = self._pages[key]
        self.setCurrentWidget(page)
        return page.realise()

    def _realise(self, index: int) -> None:
        page = self.widget(index)
        if isinstance(page, LazyPage):
            page.realise()

    def _item_view(self, group: str) -> SheetView:
        model = ItemTableModel(self.document, group)
        view = SheetView(self.document)
        model.setParent(view)
        view.setModel(model)
        view.horizontalHeader().setDefaultSectionSize(56)  # also for periods added later
        view.setColumnWidth(0, 280)
        view.setColumnWidth(1, 70)
        for column in range(FIRST_PERIOD_COLUMN, model.columnCount()):
            view.setColumnWidth(column, 56)
        StructureActions(view)  # kept by the view, whose menu and keys it serves
        return view

    def _formula_editor(self) -> FormulaEditor:
        editor = FormulaEditor(self.document)
        StructureActions(editor.view)
        return editor

    def item_view(self, group: str) -> SheetView:
        """The table of ``group``'s line items (built now if its tab was never shown)."""
        view = self._pages[group].realise()
        assert isinstance(view, SheetView)
        return view

    @property
    def item_views(self) -> dict[str, SheetView]:
        """Every group's table, each built if it was not yet."""
        return {group: self.item_view(group) for group in self._groups}

    @property
    def funding_tab(self) -> EventTab:
        return self._event_tab("#funding")

    @property
    def contracts_tab(self) -> EventTab:
        return self._event_tab("#contracts")

    def _event_tab(self, key: str) -> EventTab:
        tab = self._pages[key].realise()
        assert isinstance(tab, EventTab)
        return tab

    @property
    def uncertainty_tab(self) -> QWidget:
        return self._pages["#uncertainty"].realise()

    @property
    def formula_tab(self) -> FormulaEditor:
        editor = self._pages["#model"].realise()
        assert isinstance(editor, FormulaEditor)
        return editor
