"""The model tab: each line item's formula and note, and an editor that checks as you type."""

from __future__ import annotations

import html

from PySide6.QtGui import QKeyEvent, QKeySequence, QUndoStack
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from planner.commands import SetFormula, check_formula
from planner.formula import FormulaError, parse
from ui.document import Document
from ui.formula_model import FormulaTableModel
from ui.sheet_view import SheetView


class FormulaLine(QLineEdit):
    """A line edit whose Ctrl+Z reaches the document's undo stack once its own typing is undone.

    A line edit takes the undo keys for itself even with nothing to undo, so without
    this an applied formula could not be undone from the box that applied it.
    """

    def __init__(self, undo_stack: QUndoStack, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._undo_stack = undo_stack

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.matches(QKeySequence.StandardKey.Undo) and not self.isUndoAvailable():
            self._undo_stack.undo()
        elif event.matches(QKeySequence.StandardKey.Redo) and not self.isRedoAvailable():
            self._undo_stack.redo()
        else:
            super().keyPressEvent(event)


class FormulaEditor(QWidget):
    """The table of line items and, below it, an editor for the selected formula."""

    def __init__(self, document: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.model = FormulaTableModel(document)
        self.model.setParent(self)
        self.view = SheetView(document)
        self.view.setModel(self.model)
        self.view.setColumnWidth(0, 70)
        self.view.setColumnWidth(1, 230)
        self.view.setColumnWidth(2, 150)
        self.view.setColumnWidth(3, 70)
        self.view.setColumnWidth(4, 110)
        self.view.setColumnWidth(5, 330)
        self.view.horizontalHeader().setStretchLastSection(True)
        self.view.selectionModel().currentRowChanged.connect(self._row_chosen)
        self.heading = QLabel("Select a calculated line item to edit its formula.")
        self.editor = FormulaLine(document.undo_stack)
        self.editor.setPlaceholderText("formula, e.g. prev(cash, opening_cash) + funding - burn")
        self.editor.setEnabled(False)
        self.editor.textChanged.connect(self._check)
        self.editor.returnPressed.connect(self.apply)
        self.status = QLabel("")
        self.status.setWordWrap(True)
        self.apply_button = QPushButton("Apply")
        self.apply_button.setEnabled(False)
        self.apply_button.clicked.connect(self.apply)
        self.reset_button = QPushButton("Use base formula")
        self.reset_button.setToolTip("Drop this scenario's own formula")
        self.reset_button.clicked.connect(self.reset)
        row = QHBoxLayout()
        row.addWidget(self.editor, 1)
        row.addWidget(self.apply_button)
        row.addWidget(self.reset_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.heading)
        layout.addLayout(row)
        layout.addWidget(self.status)
        self._item_id: str | None = None
        self._shown_formula: str | None = None  # as loaded; the text may differ while typing
        self._shown_place: tuple[int, int] | None = None  # its position, and the item count
        document.changed.connect(self._follow_document)
        document.scenarioChanged.connect(self._reload_editor)
        document.projectReplaced.connect(self._reload_editor)
        self.reset_button.setVisible(False)

    def _row_chosen(self) -> None:
        index = self.view.currentIndex()
        if not index.isValid():
            return
        self._item_id = self.model.item_at(index.row()).id
        self._reload_editor()

    def _follow_document(self) -> None:
        """Show the formula in force again when an undo, redo or other view changed it."""
        project = self.document.project
        item = next((i for i in project.items if i.id == self._item_id), None)
        if item is None or self.model.formula_of(item) != self._shown_formula:
            self._reload_editor()
        else:
            self._check()

    def _reload_editor(self) -> None:
        project = self.document.project
        item_id = self._item_id
        if item_id is not None and item_id not in {i.id for i in project.items}:
            item_id = self._same_item_renamed()
        if item_id is None:
            self._item_id = None
            self._shown_formula = None
            self.editor.setEnabled(False)
            return
        item = project.item(item_id)
        self._shown_place = (project.items.index(item), len(project.items))
        formula = self.model.formula_of(item)
        self._shown_formula = formula
        overridden = self.model.formula_overridden(item)
        where = (
            f" in scenario '{self.document.scenario}'" if self.document.scenario_key else " (base)"
        )
        if formula is None:
            self.heading.setText(f"<b>{item.label}</b> is an input: edit its values in its table.")
            self.editor.setEnabled(False)
            self.editor.clear()
        else:
            self.heading.setText(f"<b>{item.label}</b> ({item.unit}) = …{where}")
            self.editor.setEnabled(True)
            self.editor.setText(formula)
        self.reset_button.setVisible(overridden)
        self._check()

    def _same_item_renamed(self) -> str | None:
        """The new id of the item shown when its id changed in place (an undo or redo of
        Change id or Edit line item), so that the box and the row stay on it; None when
        it is gone."""
        place = self._shown_place
        items = self.document.project.items
        if place is None or len(items) != place[1]:
            return None
        item_id = items[place[0]].id
        self._item_id = item_id
        row = self.model.row_of(item_id)
        if self.view.currentIndex().row() != row:
            self.view.setCurrentIndex(
                self.model.index(row, max(self.view.currentIndex().column(), 0))
            )
        return item_id

    def _check(self) -> None:
        """Compile the text as the user types; show the error at once, apply nothing."""
        item_id = self._item_id
        text = self.editor.text()
        if item_id is None or not self.editor.isEnabled():
            self.status.setText("")
            self.apply_button.setEnabled(False)
            return
        current = self.model.formula_of(self.document.project.item(item_id))
        try:
            check_formula(self.document.project, self.document.scenario_key, item_id, text)
        except FormulaError as exc:
            self._refuse(exc.problem)
            return
        except Exception as exc:  # a slip in checking must never take the window down
            self._refuse(f"this formula cannot be checked ({type(exc).__name__}: {exc})")
            return
        changed = text.strip() != (current or "")
        deleted = parse(text, item_id).deleted
        if deleted:
            names = ", ".join(f"deleted({name})" for name in sorted(deleted))
            self._refuse(f"reads a deleted line item: replace {names} with a line item or a number")
            self.apply_button.setEnabled(changed)
            return
        self.status.setText(
            "<span style='color:#1e7a1e'>✓ valid</span>"
            + (" (press Enter or Apply)" if changed else "")
        )
        self.apply_button.setEnabled(changed)

    def _refuse(self, problem: str) -> None:
        self.status.setText(f"<span style='color:#b3261e'>✗ {html.escape(problem)}</span>")
        self.apply_button.setEnabled(False)

    def apply(self) -> None:
        if self._item_id is None or not self.apply_button.isEnabled():
            return
        command = SetFormula(self.document.scenario_key, self._item_id, self.editor.text())
        if self.document.push(command):
            self._reload_editor()

    def reset(self) -> None:
        if self._item_id is not None and self.document.scenario_key is not None:
            self.document.push(SetFormula(self.document.scenario_key, self._item_id, None))
            self._reload_editor()
