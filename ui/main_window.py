"""The main window: scenario list, KPI cards, charts and tables around one document."""

from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings, Qt, Signal
from PySide6.QtGui import QCloseEvent, QDragEnterEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import (
    QGridLayout,
    QLabel,
    QMainWindow,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from planner.io.project_file import SUFFIX
from planner.model import Project
from ui import style
from ui.chart_base import ChartPanel
from ui.charts import CashChart, ComparisonChart, ComputeChart, RevenueChart
from ui.document import Document
from ui.explain_dialog import show_explain_dialog
from ui.files import FileActions
from ui.kpi_strip import KpiStrip
from ui.scenario_comparison import show_comparison, show_overrides
from ui.scenario_panel import ScenarioPanel
from ui.solve_dialog import install_solve_action
from ui.tables import TablesPanel
from ui.timeline_dialog import install_timeline_action

STATUS_TIMEOUT_MS = 12_000


class MainWindow(QMainWindow):
    """Wires the document to its views; the views and models do the work."""

    redrawn = Signal()  # charts and cards show the latest results

    def __init__(
        self,
        project: Project,
        path: Path | None = None,
        settings: QSettings | None = None,
        recovery_dir: Path | None = None,
    ) -> None:
        super().__init__()
        self.settings = settings or QSettings()
        self.document = Document(project, path)
        self.files = FileActions(self, self.document, self.settings, recovery_dir)
        self.scenarios = ScenarioPanel(self.document)
        self.kpis = KpiStrip(self.document)
        self.charts: list[ChartPanel] = [
            chart(self.document, settings=self.settings)
            for chart in (RevenueChart, CashChart, ComputeChart, ComparisonChart)
        ]
        self.tables = TablesPanel(self.document)
        self._build_layout()
        self._build_menus()
        from ui.risk.panel import install_risk

        self.risk = install_risk(self)
        self.setAcceptDrops(True)
        self.statusBar().showMessage("Ready", STATUS_TIMEOUT_MS)
        self.selection_summary = QLabel()
        self.statusBar().addPermanentWidget(self.selection_summary)
        self.document.selectionSummary.connect(self.selection_summary.setText)
        self.document.message.connect(self._show_message)
        self.document.applied.connect(self.statusBar().clearMessage)
        self.document.resultsChanged.connect(self.redraw)
        self.document.modifiedChanged.connect(self._update_title)
        self.document.pathChanged.connect(self._update_title)
        self.document.scenarioChanged.connect(self._update_title)
        self.document.scenariosChanged.connect(self._update_title)  # a rename or description
        self._update_title()
        self.redraw()
        self._restore_geometry()

    # --- layout --------------------------------------------------------------------

    def _build_layout(self) -> None:
        chart_grid = QWidget()
        grid = QGridLayout(chart_grid)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(6)
        for n, chart in enumerate(self.charts):
            grid.addWidget(chart, n // 2, n % 2)
        for column in (0, 1):
            grid.setColumnStretch(column, 1)
        self.scenario_label = QLabel()
        self.scenario_label.setStyleSheet("font-size: 15px; font-weight: 600; padding: 2px;")
        self.vertical = QSplitter(Qt.Orientation.Vertical)
        self.vertical.addWidget(chart_grid)
        self.vertical.addWidget(self.tables)
        self.vertical.setStretchFactor(0, 3)
        self.vertical.setStretchFactor(1, 2)
        self.vertical.setSizes([500, 260])
        right = QWidget()
        column = QVBoxLayout(right)
        column.setContentsMargins(4, 4, 4, 0)
        column.setSpacing(4)
        column.addWidget(self.scenario_label)
        column.addWidget(self.kpis)
        column.addWidget(self.vertical, 1)
        self.horizontal = QSplitter(Qt.Orientation.Horizontal)
        self.horizontal.addWidget(self.scenarios)
        self.horizontal.addWidget(right)
        self.horizontal.setStretchFactor(1, 1)
        self.horizontal.setStretchFactor(0, 0)
        self.horizontal.setSizes([210, 1190])
        self.setCentralWidget(self.horizontal)

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        self.file_menu = file_menu
        self.files.fill_menu(file_menu)
        try:
            from ui.workbook_actions import install_workbook_actions
        except ImportError:
            pass
        else:
            file_menu.addSeparator()
            install_workbook_actions(self, file_menu)
        file_menu.addSeparator()
        quit_action = file_menu.addAction("&Quit")
        quit_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Quit))
        quit_action.triggered.connect(self.close)
        edit_menu = self.menuBar().addMenu("&Edit")
        self.edit_menu = edit_menu
        undo = self.document.undo_stack.createUndoAction(self, "&Undo")
        undo.setShortcut(QKeySequence(QKeySequence.StandardKey.Undo))
        redo = self.document.undo_stack.createRedoAction(self, "&Redo")
        redo.setShortcut(QKeySequence(QKeySequence.StandardKey.Redo))
        edit_menu.addAction(undo)
        edit_menu.addAction(redo)
        scenario_menu = self.menuBar().addMenu("&Scenario")
        self.scenario_menu = scenario_menu
        scenario_menu.addAction("&New scenario…", self.scenarios.add_scenario)
        scenario_menu.addAction("&Duplicate…", self.scenarios.duplicate_scenario)
        scenario_menu.addAction("&Rename…", self.scenarios.rename_current)
        scenario_menu.addAction("De&lete…", self.scenarios.delete_scenario)
        scenario_menu.addAction("C&olour…", self.scenarios.change_colour)
        scenario_menu.addSeparator()
        scenario_menu.addAction("&Compare scenarios", self.show_comparison)
        scenario_menu.addAction("List o&verrides", self.show_overrides)
        scenario_menu.addSeparator()
        self.solve_action = install_solve_action(self, scenario_menu, self.document)
        scenario_menu.addAction("E&xplain difference…", lambda: show_explain_dialog(self))
        self.scenarios.compareRequested.connect(self.show_comparison)
        self.scenarios.overridesRequested.connect(self.show_overrides)
        self.model_menu = self.menuBar().addMenu("&Model")
        install_timeline_action(self)

    def show_comparison(self) -> None:
        show_comparison(self, self.document, self.vertical.widget(0))

    def show_overrides(self) -> None:
        show_overrides(self.tables)

    # --- updates -----------------------------------------------------------------------

    def redraw(self) -> None:
        """Push the document's latest results into the cards and every chart."""
        self.kpis.update_cards()
        if self.risk.current_view == "plan":  # hidden behind the risk view, they catch up later
            for chart in self.charts:
                chart.update_chart()
        self.redrawn.emit()

    def _update_title(self, *_: object) -> None:
        self.setWindowTitle(f"{self.document.display_name}[*] — Burnrate")
        self.setWindowModified(self.document.is_modified)
        description = self.scenarios.model.description_of(self.document.scenario)
        self.scenario_label.setText(
            html.escape(self.document.scenario)
            + (
                f"  <span style='font-weight:400;color:{style.MUTED_FG.name()};font-size:12px'>"
                f"{html.escape(description)}</span>"
                if description
                else ""
            )
        )

    def _show_message(self, text: str) -> None:
        self.statusBar().showMessage(text, STATUS_TIMEOUT_MS)

    # --- files ----------------------------------------------------------------------------

    def replace_project(self, project: Project, path: Path | None = None) -> None:
        """Install ``project`` as an unsaved document (used by importers)."""
        self.document.replace_project(project, path)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if _dropped_project(event) is not None:
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        path = _dropped_project(event)
        if path is not None:
            event.acceptProposedAction()
            self.files.open_path(path)

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.files.maybe_save():
            event.ignore()
            return
        self.risk.shutdown()
        self.settings.setValue("geometry", self.saveGeometry())
        self.settings.setValue(
            "splitters", [self.horizontal.saveState(), self.vertical.saveState()]
        )
        self.files.closing()
        event.accept()

    def _restore_geometry(self) -> None:
        geometry = self.settings.value("geometry")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        else:
            self.resize(1400, 900)
        states = self.settings.value("splitters")
        if isinstance(states, list) and len(states) == 2:
            for splitter, state in zip((self.horizontal, self.vertical), states, strict=True):
                if isinstance(state, QByteArray):
                    splitter.restoreState(state)


def _dropped_project(event: QDragEnterEvent | QDropEvent) -> Path | None:
    mime = event.mimeData()
    if not mime.hasUrls():
        return None
    for url in mime.urls():
        if url.isLocalFile() and url.toLocalFile().endswith(SUFFIX):
            return Path(url.toLocalFile())
    return None
