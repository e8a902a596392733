"""Scenario > Explain difference…: why a KPI differs between two scenarios.

Pick A, B and the KPI; the split is computed at once (tens of milliseconds on
the built-in project) and again after every edit, and shown as a waterfall
with the table of every part behind it.
"""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QEventLoop,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
)
from PySide6.QtGui import QFont, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from planner.attribution import (
    Attribution,
    AttributionError,
    explain,
    explain_cells,
    format_amount,
    format_error,
    waterfall_steps,
)
from planner.kpis import KPI_LABELS
from ui import style
from ui.document import Document
from ui.explain_chart import DECREASE, INCREASE, WaterfallChart

Index = QModelIndex | QPersistentModelIndex
DEFAULT_KPI = "peak_funding_need"
# Above this many cells to evaluate (about a third of a second), the split waits for Compute.
LIVE_CELLS = 10_000_000


def show_explain_dialog(window: Any) -> ExplainDialog:
    """Open (or bring forward) the window's explain dialog; ``window`` has a ``document``."""
    dialog = getattr(window, "explain_dialog", None)
    if not isinstance(dialog, ExplainDialog):
        dialog = ExplainDialog(window.document, window)
        window.explain_dialog = dialog
    dialog.show()
    dialog.raise_()
    dialog.activateWindow()
    return dialog


class PartsModel(QAbstractTableModel):
    """Every part, largest first, and the total: the numbers behind the waterfall."""

    def __init__(self) -> None:
        super().__init__()
        self.result: Attribution | None = None

    def show(self, result: Attribution | None) -> None:
        self.beginResetModel()
        self.result = result
        self.endResetModel()

    def _columns(self) -> list[str]:
        if self.result is None:
            return ["Change", "Part", "Share"]
        unit = self.result.unit
        columns = ["Change", f"Part ({unit})", "Share"]
        return [*columns, "Standard error"] if self.result.method == "sampled" else columns

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        if parent.isValid() or self.result is None:
            return 0
        return len(self.result.parts) + 1

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._columns())

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self._columns()[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        result = self.result
        if result is None or not index.isValid():
            return None
        row, column = index.row(), index.column()
        is_total = row == len(result.parts)
        difference = result.difference
        if role == Qt.ItemDataRole.DisplayRole:
            if is_total:
                total = format_amount(result.unit, difference, signed=True)
                cells = [f"Total: {result.to_name} − {result.from_name}", total, "100%", ""]
                return cells[column]
            part = result.parts[row]
            share = f"{part.value / difference:.0%}" if difference and part.value else "0%"
            cells = [
                part.label,
                format_amount(result.unit, part.value, signed=True),
                share if difference else "",
                "±" + format_error(result.unit, part.error),
            ]
            return cells[column]
        if role == Qt.ItemDataRole.TextAlignmentRole and column > 0:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.FontRole and is_total:
            bold = QFont()
            bold.setBold(True)
            return bold
        if role == Qt.ItemDataRole.ToolTipRole and not is_total:
            return f"{result.parts[row].group}: what this change adds, averaged over every order"
        return None


class ExplainDialog(QDialog):
    """A, B and the KPI above; the waterfall and the table of parts below."""

    def __init__(self, document: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.setWindowTitle("Explain the difference between two scenarios")
        self.from_box, self.to_box, self.kpi_box = QComboBox(), QComboBox(), QComboBox()
        for kpi, (label, _) in KPI_LABELS.items():
            self.kpi_box.addItem(label, kpi)
        self.kpi_box.setCurrentIndex(list(KPI_LABELS).index(DEFAULT_KPI))
        self.headline = QLabel()
        self.headline.setTextFormat(Qt.TextFormat.RichText)
        self.headline.setWordWrap(True)
        self.method = QLabel()
        self.method.setWordWrap(True)
        self.chart = WaterfallChart()
        self.model = PartsModel()
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.verticalHeader().hide()
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setDefaultSectionSize(22)
        self.compute_button = QPushButton("Compute")
        self.compute_button.setToolTip(
            "Split the difference now; on a large model it takes a while"
        )
        self.compute_button.clicked.connect(lambda: self.recompute(force=True))
        self.compute_button.hide()
        self.progress = QProgressBar()
        self.progress.setTextVisible(False)
        self.progress.setMaximumHeight(10)
        self.progress.hide()
        self.live_cells = LIVE_CELLS
        self.result: Attribution | None = None
        self.problem = ""
        self._pending = False
        self._computing = False
        self._stale = False
        self._build_layout()
        self._fill_scenarios()
        for box in (self.from_box, self.to_box, self.kpi_box):
            box.currentIndexChanged.connect(self.schedule)
        document.resultsChanged.connect(self.schedule)
        document.scenariosChanged.connect(self._fill_scenarios)
        document.projectReplaced.connect(self._fill_scenarios)
        self.resize(900, 640)
        self.recompute()

    def _build_layout(self) -> None:
        pickers = QHBoxLayout()
        for text, box in (("From", self.from_box), ("to", self.to_box), ("on", self.kpi_box)):
            caption = QLabel(text)
            caption.setBuddy(box)
            pickers.addWidget(caption)
            pickers.addWidget(box, 1)
        pickers.addWidget(self.compute_button)
        legend = QLabel(
            f"<span style='color:{INCREASE}'>■</span> raises it &nbsp; "
            f"<span style='color:{DECREASE}'>■</span> lowers it &nbsp; "
            "Each part is that change's effect averaged over every order of applying the "
            "changes, so the parts add up to the difference; a part can work against it."
        )
        legend.setWordWrap(True)
        legend.setStyleSheet(f"color: {style.MUTED_FG.name()}; font-size: 11px;")
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.chart)
        splitter.addWidget(self.table)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([330, 210])
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        self.export_button = buttons.addButton(
            "Export workbook with this sheet…", QDialogButtonBox.ButtonRole.ActionRole
        )
        self.export_button.setToolTip(
            "Write the workbook with a sheet holding this table and its waterfall"
        )
        self.export_button.clicked.connect(self.export_with_explanation)
        self.export_button.setEnabled(False)
        layout = QVBoxLayout(self)
        layout.addLayout(pickers)
        layout.addWidget(self.headline)
        layout.addWidget(self.method)
        layout.addWidget(self.progress)
        layout.addWidget(splitter, 1)
        layout.addWidget(legend)
        layout.addWidget(buttons)

    def _fill_scenarios(self) -> None:
        """The scenario lists after a change; a renamed scenario stays chosen."""
        names = self.document.project.scenario_names
        rows = (self.from_box.currentIndex(), self.to_box.currentIndex())
        chosen = (self.from_box.currentText(), self.to_box.currentText())
        renamed = len(names) == self.from_box.count()
        if not chosen[0]:  # first time: the base against the scenario on screen
            other = next((n for n in names if n != names[0]), names[0])
            current = self.document.scenario
            chosen = (names[0], current if current != names[0] else other)
        for box, name, row in zip((self.from_box, self.to_box), chosen, rows, strict=True):
            box.blockSignals(True)
            box.clear()
            box.addItems(names)
            if name in names:
                box.setCurrentIndex(names.index(name))
            else:
                box.setCurrentIndex(row if renamed and 0 <= row < len(names) else 0)
            box.blockSignals(False)
        self.schedule()

    def choose(self, from_name: str, to_name: str, kpi: str) -> None:
        """Pick A, B and the KPI (as a person would in the three boxes)."""
        self.from_box.setCurrentText(from_name)
        self.to_box.setCurrentText(to_name)
        self.kpi_box.setCurrentIndex(self.kpi_box.findData(kpi))
        self.recompute()

    def schedule(self) -> None:
        """Recompute once the current burst of changes is over."""
        if not self._pending:
            self._pending = True
            QTimer.singleShot(0, self.recompute)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.schedule()  # edits made while it was hidden were not followed

    def recompute(self, *, force: bool = False) -> None:
        """Split the difference now if it is quick (or ``force``); else offer Compute."""
        self._pending = False
        if self._computing:  # asked again while the bar was painted: once this one is done
            self._stale = True
            return
        if not self.isVisible() and not force:
            return
        kpi = str(self.kpi_box.currentData())
        from_name, to_name = self.from_box.currentText(), self.to_box.currentText()
        project = self.document.project
        try:
            if not force and explain_cells(project, from_name, to_name) > self.live_cells:
                self._offer_compute()
                return
            self.compute_button.hide()
            result = self._explain_with_progress(from_name, to_name, kpi)
        except AttributionError as exc:
            self._show(None, str(exc))
        else:
            self._show(result, "")

    def _offer_compute(self) -> None:
        self._show(None, "")
        self.headline.setText(
            "This split evaluates many mixes of the two scenarios on a large model, so it is "
            "not redone after every edit: press Compute."
        )
        self.compute_button.show()
        self.compute_button.setFocus()

    def _explain_with_progress(self, from_name: str, to_name: str, kpi: str) -> Attribution:
        def report(done: int, total: int) -> None:
            self.progress.setRange(0, total)
            self.progress.setValue(done)
            self.progress.show()
            # Paint the bar; clicks and typing wait, so nothing changes under the computation.
            QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.ExcludeUserInputEvents)

        self._computing, self._stale = True, False
        try:
            return explain(self.document.project, from_name, to_name, kpi, progress=report)
        finally:
            self._computing = False
            self.progress.hide()
            if self._stale:
                self.schedule()

    def export_with_explanation(self, path: str | None = None) -> bool:
        """Export the workbook through the window, adding the split shown; True if written."""
        from planner.io.workbook_explain import ExplainRequest

        actions = getattr(self.parent(), "workbook_actions", None)
        if actions is None or self.result is None:
            return False
        request = ExplainRequest(self.result.from_name, self.result.to_name, self.result.kpi)
        return bool(actions.export_workbook(path, explain=[request]))

    def _show(self, result: Attribution | None, problem: str) -> None:
        self.result, self.problem = result, problem
        self.export_button.setEnabled(result is not None and bool(result.parts))
        self.model.show(result)
        if result is None:
            self.headline.setText(
                f"<span style='color:{style.ERROR_FG.name()}'>{html.escape(problem)}</span>"
            )
            self.method.setText("")
            self.chart.show_steps([], "", "", str)
            return
        label = KPI_LABELS[result.kpi][0]
        change = format_amount(result.unit, result.difference, signed=True)
        self.headline.setText(
            f"<b>{html.escape(label)}</b>: {html.escape(result.from_name)} "
            f"<b>{html.escape(result.level_text(result.value_from))}</b> → "
            f"{html.escape(result.to_name)} "
            f"<b>{html.escape(result.level_text(result.value_to))}</b> ({html.escape(change)})"
        )
        if not result.parts:
            self.method.setText("The two scenarios do not differ: there is nothing to split.")
        else:
            self.method.setText(" ".join(filter(None, [result.method_text + ".", result.note])))
        axis = {
            "years": label,
            "months": f"{label} (months from the start of {result.first_period})",
        }.get(result.unit, f"{label} ({result.unit})")
        self.chart.show_steps(waterfall_steps(result), result.unit, axis, result.level_text)
