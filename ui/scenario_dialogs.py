"""The questions the scenario list asks: a name, a colour, and whether to delete.

Tests replace these functions, as they do those of :mod:`ui.dialogs`.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QColorDialog,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from ui import style

NameCheck = Callable[[str], "str | None"]


class ScenarioNameDialog(QDialog):
    """A line for the name; OK is refused, with the reason shown, until ``check`` accepts it."""

    def __init__(
        self, parent: QWidget | None, title: str, prompt: str, name: str, check: NameCheck
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self._check = check
        self.prompt = QLabel(prompt)
        self.editor = QLineEdit(name)
        self.editor.selectAll()
        self.editor.textEdited.connect(self._clear_problem)
        self.problem = QLabel("")
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet(f"color: {style.ERROR_FG.name()};")
        self.problem.hide()
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.prompt)
        layout.addWidget(self.editor)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)
        self.setMinimumWidth(380)

    @property
    def name(self) -> str:
        return self.editor.text().strip()

    def accept(self) -> None:
        problem = self._check(self.name)
        if problem is not None:
            self.problem.setText(problem[:1].upper() + problem[1:] + ".")
            self.problem.show()
            self.editor.setFocus()
            return
        super().accept()

    def _clear_problem(self) -> None:
        self.problem.hide()


def ask_scenario_name(
    parent: QWidget | None, title: str, prompt: str, name: str, check: NameCheck
) -> str | None:
    """A name that ``check`` accepts, or None if the user cancels."""
    dialog = ScenarioNameDialog(parent, title, prompt, name, check)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return dialog.name


def delete_question(name: str, overrides: int) -> str:
    if not overrides:
        return f"Delete scenario '{name}'? It overrides nothing."
    return f"Delete scenario '{name}' and its {overrides} override{'s' if overrides != 1 else ''}?"


def confirm_delete(parent: QWidget | None, name: str, overrides: int) -> bool:
    """Ask before deleting scenario ``name``; True to delete."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle("Delete scenario")
    box.setTextFormat(Qt.TextFormat.PlainText)  # a name is shown as typed, markup and all
    box.setText(delete_question(name, overrides))
    box.setInformativeText("Edit > Undo brings it back.")
    delete = box.addButton("Delete", QMessageBox.ButtonRole.DestructiveRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    box.exec()
    return box.clickedButton() is delete


def ask_colour(parent: QWidget | None, name: str, colour: str) -> str | None:
    """A new "#rrggbb" colour for scenario ``name``, or None if the user cancels."""
    chosen = QColorDialog.getColor(QColor(colour), parent, f"Colour of {name}")
    return chosen.name() if chosen.isValid() else None
