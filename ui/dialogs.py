"""Every modal question the window asks, in one place (tests replace these functions)."""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFrame,
    QGridLayout,
    QInputDialog,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from planner.recovery import RecoveryCopy

FILE_FILTER = "Burnrate project (*.burnrate);;All files (*)"


def error(parent: QWidget | None, title: str, text: str) -> None:
    QMessageBox.warning(parent, title, text)


def ask_save_changes(parent: QWidget | None, name: str) -> str:
    """'save', 'discard' or 'cancel'."""
    buttons = (
        QMessageBox.StandardButton.Save
        | QMessageBox.StandardButton.Discard
        | QMessageBox.StandardButton.Cancel
    )
    answer = QMessageBox.question(
        parent,
        "Unsaved changes",
        f"Save the changes to {name} first?",
        buttons,
        QMessageBox.StandardButton.Save,
    )
    if answer == QMessageBox.StandardButton.Save:
        return "save"
    if answer == QMessageBox.StandardButton.Discard:
        return "discard"
    return "cancel"


def ask_recovery(
    parent: QWidget | None,
    copies: Sequence[RecoveryCopy],
    discard: Callable[[RecoveryCopy], bool],
) -> RecoveryCopy | None:
    """List the recovery copies; ``discard`` deletes one on request. The copy to restore, if any."""
    dialog = RecoveryDialog(parent, copies, discard)
    dialog.exec()
    return dialog.chosen


class RecoveryDialog(QDialog):
    """Every recovery copy with its time and project, each with Restore and Discard."""

    def __init__(
        self,
        parent: QWidget | None,
        copies: Sequence[RecoveryCopy],
        discard: Callable[[RecoveryCopy], bool],
    ) -> None:
        super().__init__(parent)
        self.chosen: RecoveryCopy | None = None
        self._discard = discard
        self._left = len(copies)
        self.setWindowTitle("Recover unsaved work")
        several = len(copies) > 1
        intro = QLabel(
            "Burnrate did not close properly, and kept a copy of unsaved work "
            + ("from each of these windows:" if several else "from this window:")
        )
        intro.setWordWrap(True)
        rows = QWidget()
        grid = QGridLayout(rows)
        for n, copy in enumerate(copies):
            self._add_row(grid, n, copy)
        grid.setColumnStretch(0, 1)
        scroll = QScrollArea()
        scroll.setWidget(rows)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        later = QLabel(
            "Restore opens the work in this window, unsaved. Discard deletes the copy. "
            + (
                "Copies you leave here are offered again the next time Burnrate starts."
                if several
                else "Not now keeps the copy and offers it again next time."
            )
        )
        later.setWordWrap(True)
        buttons = QDialogButtonBox()
        buttons.addButton("Not now", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(scroll, 1)
        layout.addWidget(later)
        layout.addWidget(buttons)
        self.resize(560, min(160 + 64 * len(copies), 480))

    def _add_row(self, grid: QGridLayout, row: int, copy: RecoveryCopy) -> None:
        origin = f"edited from {Path(copy.source).name}" if copy.source else copy.origin
        label = QLabel(
            f"<b>{html.escape(copy.project_name)}</b><br>"
            f"<small>saved {html.escape(copy.when)}, {html.escape(origin)}</small>"
        )
        label.setTextFormat(Qt.TextFormat.RichText)
        label.setWordWrap(True)
        label.setToolTip(copy.source or "")
        restore = QPushButton("Restore")
        restore.setToolTip("Open this work in the window; save it to keep it")
        discard = QPushButton("Discard")
        discard.setToolTip("Delete this copy for good")
        widgets = (label, restore, discard)
        for column, widget in enumerate(widgets):
            grid.addWidget(widget, row, column)
        restore.clicked.connect(lambda: self._restore(copy))
        discard.clicked.connect(lambda: self._discard_row(copy, widgets))

    def _restore(self, copy: RecoveryCopy) -> None:
        self.chosen = copy
        self.accept()

    def _discard_row(self, copy: RecoveryCopy, widgets: tuple[QWidget, ...]) -> None:
        if not self._discard(copy):
            return
        for widget in widgets:
            widget.hide()
        self._left -= 1
        if self._left == 0:
            self.reject()


def open_file_name(parent: QWidget | None, folder: str) -> str:
    path, _ = QFileDialog.getOpenFileName(parent, "Open project", folder, FILE_FILTER)
    return path


def save_file_name(parent: QWidget | None, suggested: str) -> str:
    path, _ = QFileDialog.getSaveFileName(parent, "Save project as", suggested, FILE_FILTER)
    return path


def save_png_name(parent: QWidget | None, suggested: str) -> str:
    path, _ = QFileDialog.getSaveFileName(
        parent, "Save chart as PNG", suggested, "PNG image (*.png)"
    )
    return path


def ask_text(parent: QWidget | None, title: str, label: str, text: str) -> str | None:
    value, ok = QInputDialog.getText(parent, title, label, text=text)
    return value if ok else None


def ask_note(parent: QWidget | None, title: str, text: str) -> str | None:
    value, ok = QInputDialog.getMultiLineText(parent, title, "Source note:", text)
    return value if ok else None
