"""Dialogs of the workbook actions: file choosers and the plain-sheet import preview.

The module-level functions are the only places that open modal dialogs, so
tests replace them.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from planner.io.workbook_plain import PlainSheet, RowMatch
from planner.model import Project

WORKBOOK_FILTER = "Excel workbook (*.xlsx);;All files (*)"
_NO_ITEM = "(do not import)"


def export_file_name(parent: QWidget | None, suggested: str) -> str:
    path, _ = QFileDialog.getSaveFileName(parent, "Export workbook", suggested, WORKBOOK_FILTER)
    return path


def import_file_name(parent: QWidget | None, title: str) -> str:
    path, _ = QFileDialog.getOpenFileName(parent, title, "", WORKBOOK_FILTER)
    return path


def preview_plain_sheet(
    parent: QWidget | None,
    sheet: PlainSheet,
    matches: list[RowMatch],
    project: Project,
    scenario: str,
) -> tuple[str, dict[int, str]] | None:
    """Show the proposed mapping; the chosen scenario and mapping, or None if cancelled."""
    dialog = PlainSheetPreview(sheet, matches, project, scenario, parent)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return dialog.scenario(), dialog.mapping()


class PlainSheetPreview(QDialog):
    """How each row of a plain sheet maps to a line item, editable before anything changes."""

    def __init__(
        self,
        sheet: PlainSheet,
        matches: list[RowMatch],
        project: Project,
        scenario: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Import plain sheet")
        self.resize(1000, 520)
        self._matches = matches
        inputs = [item for item in project.items if item.inputs is not None]
        self._item_ids = [item.id for item in inputs]
        layout = QVBoxLayout(self)
        known = [p for p in sheet.periods if p in project.periods]
        unknown = [p for p in sheet.periods if p not in project.periods]
        summary = (
            f"Sheet <b>{_escape(sheet.sheet)}</b>: {len(sheet.rows)} rows with numbers, "
            f"periods {', '.join(known) or 'none'} of the project"
        )
        if unknown:
            summary += f"; ignored: {', '.join(unknown)}"
        if sheet.skipped:
            count = len(sheet.skipped)
            summary += f"; {count} cell{'s' if count != 1 else ''} without a number skipped"
        info = QLabel(summary)
        info.setWordWrap(True)
        layout.addWidget(info)
        form = QFormLayout()
        self.scenario_box = QComboBox()
        self.scenario_box.addItems(project.scenario_names)
        self.scenario_box.setCurrentText(scenario)
        form.addRow("Into scenario:", self.scenario_box)
        layout.addLayout(form)
        self.model = QStandardItemModel(len(matches), 5, self)
        self.model.setHorizontalHeaderLabels(
            ["Row", "Label in the sheet", "Line item", "Match", "Values"]
        )
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.verticalHeader().hide()
        self.view.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.view.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.combos: list[QComboBox] = []
        labels = {item.id: f"{item.label} ({item.id})" for item in inputs}
        rows = {row.row: row for row in sheet.rows}
        for n, match in enumerate(matches):
            self.model.setItem(n, 0, _cell(str(match.row)))
            self.model.setItem(n, 1, _cell(match.label))
            how = match.how if match.how != "similar" else f"similar ({match.score:.0%})"
            self.model.setItem(n, 3, _cell(how))
            values = rows[match.row].values if match.row in rows else {}
            shown = ", ".join(f"{p}: {v:,.4g}" for p, v in values.items() if p in project.periods)
            self.model.setItem(n, 4, _cell(shown))
            combo = QComboBox()
            combo.addItem(_NO_ITEM, None)
            for item_id in self._item_ids:
                combo.addItem(labels[item_id], item_id)
            if match.item_id is not None:
                combo.setCurrentIndex(self._item_ids.index(match.item_id) + 1)
            self.view.setIndexWidget(self.model.index(n, 2), combo)
            self.combos.append(combo)
        layout.addWidget(self.view)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Import")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def scenario(self) -> str:
        return self.scenario_box.currentText()

    def mapping(self) -> dict[int, str]:
        """Sheet row -> line item id, for the rows that are to be imported."""
        chosen = {}
        for match, combo in zip(self._matches, self.combos, strict=True):
            item_id = combo.currentData()
            if item_id is not None:
                chosen[match.row] = str(item_id)
        return chosen


def _cell(text: str) -> QStandardItem:
    item = QStandardItem(text)
    item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
    return item


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
