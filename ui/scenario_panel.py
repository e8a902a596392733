"""The scenario list with its buttons and the selected scenario's description."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QItemSelectionModel
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from planner.commands import (
    AddScenario,
    RemoveScenario,
    SetDescription,
    duplicate_scenario,
    override_summary,
    unused_name,
)
from planner.model import Scenario
from ui import style
from ui.document import Document
from ui.scenario_model import ScenarioListModel


class ScenarioPanel(QWidget):
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
        self.view.setToolTip("Double-click (or F2) to rename")
        self.view.selectionModel().currentChanged.connect(self._chosen)
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
        if self.summary.text() != summary:
            self.summary.setText(summary)
        self.delete_button.setEnabled(self.document.scenario_key is not None)

    def _describe(self) -> None:
        text = self.description.text()
        if text.strip() != self.model.description_of(self.document.scenario):
            self.document.push(SetDescription(self.document.scenario, text))

    def add_scenario(self) -> bool:
        name = unused_name(self.document.project, "New scenario")
        added = self.document.push(AddScenario(Scenario(name=name)))
        if added:
            self.document.set_scenario(name)
        return added

    def duplicate_scenario(self) -> bool:
        project = self.document.project
        name = unused_name(project, f"{self.document.scenario} copy")
        added = self.document.push(duplicate_scenario(project, self.document.scenario, name))
        if added:
            self.document.set_scenario(name)
        return added

    def delete_scenario(self) -> bool:
        if self.document.scenario_key is None:
            return False
        return self.document.push(RemoveScenario(self.document.scenario))

    def rename_current(self) -> None:
        self.view.edit(self.view.currentIndex())
