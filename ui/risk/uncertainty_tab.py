"""The Uncertainty tab: how far each input could be off, and which inputs move together.

Ranges on the left (of the scenario on screen: a scenario may widen or add its
own, shown like overridden cells), correlations on the right (of the project).
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from planner.risk_commands import DISTRIBUTIONS
from ui.document import Document
from ui.risk.range_models import CorrelationTableModel, RangeTableModel
from ui.sheet_view import SheetView

Index = QModelIndex | QPersistentModelIndex


class DistributionDelegate(QStyledItemDelegate):
    """A list of the distributions for the Distribution column; plain text elsewhere."""

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: Index) -> QWidget:
        if index.column() != RangeTableModel.DISTRIBUTION:
            return super().createEditor(parent, option, index)
        box = QComboBox(parent)
        box.addItems(list(DISTRIBUTIONS))
        return box

    def setEditorData(self, editor: QWidget, index: Index) -> None:
        if isinstance(editor, QComboBox):
            editor.setCurrentText(str(index.data(Qt.ItemDataRole.EditRole)))
        else:
            super().setEditorData(editor, index)

    def setModelData(self, editor: QWidget, model: object, index: Index) -> None:
        if isinstance(editor, QComboBox):
            index.model().setData(index, editor.currentText(), Qt.ItemDataRole.EditRole)
        else:
            super().setModelData(editor, model, index)  # type: ignore[arg-type]


def ask_item(parent: QWidget, title: str, choices: list[tuple[str, str]]) -> str | None:
    """The id of the line item the user picks, or None (tests replace this)."""
    labels = [f"{label} ({item_id})" for item_id, label in choices]
    chosen, ok = QInputDialog.getItem(parent, title, "Line item:", labels, 0, False)
    if not ok or chosen not in labels:
        return None
    return choices[labels.index(chosen)][0]


def ask_correlation(
    parent: QWidget, choices: list[tuple[str, str]]
) -> tuple[str, str, float, str] | None:
    """Two inputs, their rank correlation and a note, or None (tests replace this)."""
    dialog = QDialog(parent)
    dialog.setWindowTitle("Add correlation")
    first, second = QComboBox(), QComboBox()
    for item_id, label in choices:
        first.addItem(label, item_id)
        second.addItem(label, item_id)
    second.setCurrentIndex(min(1, len(choices) - 1))
    rank = QDoubleSpinBox()
    rank.setRange(-1.0, 1.0)
    rank.setSingleStep(0.1)
    rank.setValue(0.5)
    note = QLineEdit()
    note.setPlaceholderText("where the number comes from, or 'assumption: ...'")
    form = QFormLayout(dialog)
    form.addRow("Input", first)
    form.addRow("moves with", second)
    form.addRow("Rank correlation", rank)
    form.addRow("Source note", note)
    buttons = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
    )
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    form.addRow(buttons)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return str(first.currentData()), str(second.currentData()), rank.value(), note.text()


def _table(document: Document, title: str, model: object, hint: str) -> tuple[QWidget, SheetView]:
    view = SheetView(document)
    view.setModel(model)  # type: ignore[arg-type]
    view.horizontalHeader().setStretchLastSection(True)
    heading = QLabel(f"<b>{title}</b>")
    heading.setToolTip(hint)
    box = QWidget()
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(2)
    layout.addWidget(heading)
    layout.addWidget(view, 1)
    return box, view


class UncertaintyTab(QWidget):
    """Ranges and correlations side by side, each with Add and Delete buttons."""

    def __init__(self, document: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.ranges = RangeTableModel(document)
        self.correlations = CorrelationTableModel(document)
        self.ranges.setParent(self)
        self.correlations.setParent(self)
        range_box, self.range_view = _table(
            document,
            "Ranges: how far each input could be off",
            self.ranges,
            "A factor on the input in every period; 1 is the plan. Amber rows are the"
            " scenario's own ranges. Type '0.8 to 1.2' in Low or High to set both.",
        )
        self.range_view.setItemDelegate(DistributionDelegate(self.range_view))
        for column, width in enumerate((240, 90, 60, 60)):
            self.range_view.setColumnWidth(column, width)
        correlation_box, self.correlation_view = _table(
            document,
            "Correlations: inputs that move together",
            self.correlations,
            "Rank correlations between inputs with ranges; each input keeps its own range.",
        )
        for column, width in enumerate((170, 170, 110)):
            self.correlation_view.setColumnWidth(column, width)
        self._buttons(range_box, "Add range…", self.add_range, "Delete range", self.remove_ranges)
        self._buttons(
            correlation_box,
            "Add correlation…",
            self.add_correlation,
            "Delete correlation",
            self.remove_correlations,
        )
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(range_box)
        splitter.addWidget(correlation_box)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)

    @staticmethod
    def _buttons(box: QWidget, add: str, on_add: object, remove: str, on_remove: object) -> None:
        row = QHBoxLayout()
        for text, slot in ((add, on_add), (remove, on_remove)):
            button = QPushButton(text)
            button.clicked.connect(slot)
            if text == "Delete range":
                button.setToolTip(
                    "Delete the selected ranges; in a scenario, its own ranges go back to the"
                    " base's"
                )
            row.addWidget(button)
        row.addStretch(1)
        layout = box.layout()
        assert isinstance(layout, QVBoxLayout)
        layout.addLayout(row)

    def add_range(self) -> None:
        choices = self.ranges.candidates()
        if not choices:
            self.document.message.emit("Every input already has a range here.")
            return
        item_id = ask_item(self, "Add range", choices)
        if item_id is None:
            return
        row = self.ranges.add_range(item_id)
        if row is not None:
            self.range_view.setCurrentIndex(self.ranges.index(row, RangeTableModel.LOW))

    def remove_ranges(self) -> None:
        self.ranges.remove_rows([i.row() for i in self.range_view.selectedIndexes()])

    def add_correlation(self) -> None:
        choices = self.correlations.candidates()
        if len(choices) < 2:
            self.document.message.emit(
                "Correlations are between inputs with a range in the base: add two ranges first."
            )
            return
        answer = ask_correlation(self, choices)
        if answer is not None:
            self.correlations.add_correlation(*answer)

    def remove_correlations(self) -> None:
        self.correlations.remove_rows([i.row() for i in self.correlation_view.selectedIndexes()])
