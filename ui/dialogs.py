"""Every modal question the window asks, in one place (tests replace these functions)."""

from __future__ import annotations

from PySide6.QtWidgets import QFileDialog, QInputDialog, QMessageBox, QWidget

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


def ask_restore(parent: QWidget | None, description: str) -> bool:
    answer = QMessageBox.question(
        parent,
        "Restore unsaved work?",
        "Burnrate did not close properly last time. A recovery copy of your unsaved "
        f"work was kept:\n\n{description}\n\nRestore it? (No discards it.)",
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        QMessageBox.StandardButton.Yes,
    )
    return answer == QMessageBox.StandardButton.Yes


def open_file_name(parent: QWidget | None, folder: str) -> str:
    path, _ = QFileDialog.getOpenFileName(parent, "Open project", folder, FILE_FILTER)
    return path


def save_file_name(parent: QWidget | None, suggested: str) -> str:
    path, _ = QFileDialog.getSaveFileName(parent, "Save project as", suggested, FILE_FILTER)
    return path


def ask_text(parent: QWidget | None, title: str, label: str, text: str) -> str | None:
    value, ok = QInputDialog.getText(parent, title, label, text=text)
    return value if ok else None


def ask_note(parent: QWidget | None, title: str, text: str) -> str | None:
    value, ok = QInputDialog.getMultiLineText(parent, title, "Source note:", text)
    return value if ok else None
