"""The scenario list with its buttons and the selected scenario's description."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QItemSelectionModel, QPoint, Qt, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QMenu,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from planner.commands import (
    AddScenario,
    RemoveScenario,
    SetDescription,
    SetScenarioColour,
    duplicate_scenario,
    override_summary,
    scenario_name_problem,
    unused_name,
)
from planner.model import Scenario
from planner.overrides import override_count
from planner.scenario_colours import scenario_colours
from ui import scenario_dialogs, style
from ui.document import Document
from ui.scenario_model import ScenarioListModel


class ScenarioPanel(QWidget):
    compareRequested = Signal()  # show every scenario's key figures side by side
    overridesRequested = Signal()  # list what the scenario on screen overrides

    def __init__(self, document: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.model = ScenarioListModel(document)
        self.model.setParent(self)
        self.view = QListView()
        self.view.setModel(self.model)
        self.view.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
        )
        self.view.setToolTip("Double-click (or F2) to rename; right-click for its colour")
        self.view.selectionModel().currentChanged.connect(self._chosen)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.view.customContextMenuRequested.connect(self._context_menu)
        self.compare_button = QPushButton("Compare scenarios")
        self.compare_button.setToolTip("Every scenario's key figures side by side, and the base's")
        self.compare_button.clicked.connect(lambda: self.compareRequested.emit())
        self.description = QLineEdit()
        self.description.setPlaceholderText("One line: what this scenario assumes")
        self.description.editingFinished.connect(self._describe)
        self.add_button = QPushButton("Add")
        self.add_button.setToolTip("A new scenario that follows the base until you change it")
        self.duplicate_button = QPushButton("Duplicate")
        self.duplicate_button.setToolTip("A copy of the selected scenario and its overrides")
        self.delete_button = QPushButton("Delete")
        self.add_button.clicked.connect(self.add_scenario)
        self.duplicate_button.clicked.connect(self.duplicate_scenario)
        self.delete_button.clicked.connect(self.delete_scenario)
        buttons = QHBoxLayout()
        buttons.setSpacing(4)
        for button in (self.add_button, self.duplicate_button, self.delete_button):
            # Just wider than the text, so that the panel fits a 1024-pixel-wide window.
            text_width = button.fontMetrics().horizontalAdvance(button.text())
            button.setMinimumWidth(text_width + 16)
            buttons.addWidget(button)
        heading = QLabel("<b>Scenarios</b>")
        self.summary = QLabel()
        self.summary.linkActivated.connect(lambda _link: self.overridesRequested.emit())
        self.legend = QLabel()
        for label in (self.summary, self.legend):
            label.setWordWrap(True)
            label.setForegroundRole(QPalette.ColorRole.PlaceholderText)  # muted, light or dark
        small = self.legend.font()
        small.setPixelSize(11)
        self.legend.setFont(small)
        self._show_legend()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(heading)
        # Above the list, the buttons stay put while the summary below grows and shrinks.
        layout.addLayout(buttons)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.compare_button)
        layout.addWidget(QLabel("Description"))
        layout.addWidget(self.description)
        layout.addWidget(self.summary)
        layout.addWidget(self.legend)
        document.scenarioChanged.connect(self.select)
        document.scenariosChanged.connect(self._show_description)
        self.select(document.scenario)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.PaletteChange:  # light or dark
            self._show_legend()
        super().changeEvent(event)

    def _show_legend(self) -> None:
        """The cell colours' key, in ui.style's colours (which follow dark mode)."""
        self.legend.setText(
            f"<span style='background:{style.OVERRIDE_BG.name()}'>&nbsp;amber&nbsp;</span>"
            " cells: the scenario's own values."
            f" <span style='color:{style.INPUT_FG.name()}'>Blue</span>: inputs; grey: calculated."
        )

    def select(self, name: str) -> None:
        row = self.model.row_of(name) if name in self.model.document.project.scenario_names else 0
        index = self.model.index(row)
        if self.view.currentIndex() != index:
            self.view.selectionModel().setCurrentIndex(
                index, QItemSelectionModel.SelectionFlag.ClearAndSelect
            )
        self._show_description()

    def _chosen(self) -> None:
        index = self.view.currentIndex()
        if index.isValid():
            self.document.set_scenario(self.model.name_at(index.row()))
            self._show_description()

    def _show_description(self) -> None:
        # Called after every edit: touch the widgets only when what they show changes.
        text = self.model.description_of(self.document.scenario)
        if not self.description.hasFocus() and self.description.text() != text:
            self.description.setText(text)
            self.description.setCursorPosition(0)
            self.description.setToolTip(text)
        summary = override_summary(self.document.project, self.document.scenario)
        if self.document.scenario_key is not None and not summary.startswith("Overrides nothing"):
            summary += " <a href='#overrides'>List them</a>"
        if self.summary.text() != summary:
            self.summary.setText(summary)
        self.delete_button.setEnabled(self.document.scenario_key is not None)

    def _describe(self) -> None:
        text = self.description.text()
        if text.strip() != self.model.description_of(self.document.scenario):
            self.document.push(SetDescription(self.document.scenario, text))

    def add_scenario(self) -> bool:
        project = self.document.project
        name = scenario_dialogs.ask_scenario_name(
            self,
            "New scenario",
            "Name of the new scenario (it follows the base until you change it):",
            unused_name(project, "New scenario"),
            lambda text: scenario_name_problem(self.document.project, text),
        )
        if name is None:
            return False
        added = self.document.push(AddScenario(Scenario(name=name)))
        if added:
            self.document.set_scenario(name)
        return added

    def duplicate_scenario(self) -> bool:
        project = self.document.project
        source = self.document.scenario
        name = scenario_dialogs.ask_scenario_name(
            self,
            "Duplicate scenario",
            f"Name of the copy of {source}, with its overrides:",
            unused_name(project, f"{source} copy"),
            lambda text: scenario_name_problem(self.document.project, text),
        )
        if name is None:
            return False
        added = self.document.push(duplicate_scenario(self.document.project, source, name))
        if added:
            self.document.set_scenario(name)
        return added

    def delete_scenario(self) -> bool:
        name = self.document.scenario
        if self.document.scenario_key is None:
            return False
        count = override_count(self.document.project, name)
        if not scenario_dialogs.confirm_delete(self, name, count):
            return False
        return self.document.push(RemoveScenario(name))

    def rename_current(self) -> None:
        self.view.edit(self.view.currentIndex())

    def change_colour(self) -> bool:
        """Pick another colour for the scenario on screen (the base's is fixed)."""
        name = self.document.scenario
        if self.document.scenario_key is None:
            return False
        current = scenario_colours(self.document.project)[name]
        colour = scenario_dialogs.ask_colour(self, name, current)
        if colour is None or colour == current:
            return False
        return self.document.push(SetScenarioColour(name, colour))

    def _context_menu(self, position: QPoint) -> None:
        index = self.view.indexAt(position)
        if index.isValid():
            self.document.set_scenario(self.model.name_at(index.row()))
        self.context_menu().exec(self.view.viewport().mapToGlobal(position))

    def context_menu(self) -> QMenu:
        """What a right-click on the scenario on screen offers."""
        is_base = self.document.scenario_key is None
        menu = QMenu(self)
        colour = menu.addAction("Colour…", self.change_colour)
        colour.setEnabled(not is_base)
        if is_base:
            colour.setText("Colour… (the base's is fixed)")
        menu.addAction("Rename…", self.rename_current)
        menu.addAction("Duplicate…", self.duplicate_scenario)
        menu.addAction("Delete…", self.delete_scenario).setEnabled(not is_base)
        menu.addSeparator()
        menu.addAction("Compare scenarios", self.compareRequested.emit)
        menu.addAction("List overrides", self.overridesRequested.emit).setEnabled(not is_base)
        return menu
