"""A table view that edits like a spreadsheet: copy, paste, fill, growth entry, Enter and Tab.

It also resets overrides and reports the sum of the selected numbers.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import (
    QAbstractItemModel,
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    Qt,
)
from PySide6.QtGui import QAction, QGuiApplication, QKeyEvent, QKeySequence, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QAbstractItemView,
    QHeaderView,
    QLineEdit,
    QMenu,
    QStyledItemDelegate,
    QTableView,
    QWidget,
)

from planner.clipboard import ClipboardError, parse_tsv, to_tsv
from planner.commands import Macro, SetNote
from planner.numbers import NumberError, growth_rate
from ui import dialogs
from ui.document import Document
from ui.event_model import EventTableModel
from ui.item_blocks import fill_selection, grow_selection, paste_block, selection_summary
from ui.item_model import COPY_ROLE, RESET_KEYS, ItemTableModel, number_format

RESET_SHORTCUT = RESET_KEYS  # Ctrl+R is Fill right, as in spreadsheets
FILL_DOWN_SHORTCUT = "Ctrl+D"
FILL_RIGHT_SHORTCUT = "Ctrl+R"
EndEditHint = QAbstractItemDelegate.EndEditHint
# Where the cursor goes after an edit ends with each key: Enter down, Tab right.
_MOVES = {
    EndEditHint.SubmitModelCache: (1, 0),
    EndEditHint.EditNextItem: (0, 1),
    EndEditHint.EditPreviousItem: (0, -1),
}


class KeepTypedTextDelegate(QStyledItemDelegate):
    """Leaves an editor the user has typed into alone when the model refreshes its cell.

    Qt puts a cell's value back into its open editor on every dataChanged over it;
    a refresh that lands after a fast typist opened the next cell would wipe the typing.
    """

    def setEditorData(self, editor: QWidget, index: QModelIndex | QPersistentModelIndex) -> None:
        if isinstance(editor, QLineEdit) and editor.isModified():
            return
        super().setEditorData(editor, index)


class SheetView(QTableView):
    """Spreadsheet-like editing over any of the window's table models."""

    def __init__(self, document: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        self.setItemDelegate(KeepTypedTextDelegate(self))
        self.setAlternatingRowColors(False)
        self.setWordWrap(False)
        self.verticalHeader().setVisible(False)
        self.verticalHeader().setDefaultSectionSize(22)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.horizontalHeader().setStretchLastSection(False)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.customContextMenuRequested.connect(self._context_menu)
        self.copy_action = self._action("Copy", QKeySequence.StandardKey.Copy, self.copy_selection)
        self.paste_action = self._action(
            "Paste", QKeySequence.StandardKey.Paste, self.paste_clipboard
        )
        self.reset_action = self._action(
            "Reset to base value", QKeySequence(RESET_SHORTCUT), self.reset_selection
        )
        self.note_action = self._action("Edit source note…", None, self.edit_note)
        # Others add their entries to the context menu here (structure edits, for one).
        self.menu_hooks: list[Callable[[QMenu], None]] = []
        self.fill_down_action = self._action(
            "Fill down", QKeySequence(FILL_DOWN_SHORTCUT), lambda: self.fill("down")
        )
        self.fill_right_action = self._action(
            "Fill right", QKeySequence(FILL_RIGHT_SHORTCUT), lambda: self.fill("right")
        )

    def setModel(self, model: QAbstractItemModel | None) -> None:
        super().setModel(model)
        if model is not None:
            self.selectionModel().selectionChanged.connect(self.report_selection)
            model.dataChanged.connect(self._values_changed)

    def _action(
        self, text: str, key: QKeySequence | QKeySequence.StandardKey | None, slot: object
    ) -> QAction:
        action = QAction(text, self)
        if key is not None:
            action.setShortcut(QKeySequence(key))
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    def _context_menu(self, position: QPoint) -> None:
        self.context_menu().exec(self.viewport().mapToGlobal(position))

    def context_menu(self) -> QMenu:
        """The menu a right click opens, for the cell under the cursor."""
        menu = QMenu(self)
        menu.addAction(self.copy_action)
        menu.addAction(self.paste_action)
        if isinstance(self.model(), ItemTableModel | EventTableModel):
            menu.addSeparator()
            menu.addAction(self.reset_action)
            self.reset_action.setEnabled(self.document.scenario_key is not None)
        if isinstance(self.model(), ItemTableModel):
            menu.addAction(self.note_action)
            menu.addSeparator()
            menu.addAction(self.fill_down_action)
            menu.addAction(self.fill_right_action)
        for hook in self.menu_hooks:
            hook(menu)
        return menu

    # --- copy and paste ------------------------------------------------------------

    def selection_tsv(self) -> str:
        indexes = self.selectedIndexes()
        if not indexes:
            return ""
        rows = sorted({i.row() for i in indexes})
        columns = sorted({i.column() for i in indexes})
        chosen = {(i.row(), i.column()) for i in indexes}
        model = self.model()
        block = []
        for row in range(rows[0], rows[-1] + 1):
            fields = []
            for column in range(columns[0], columns[-1] + 1):
                text = ""
                if (row, column) in chosen:
                    index = model.index(row, column)
                    value = model.data(index, COPY_ROLE)
                    if value is None:
                        value = model.data(index, Qt.ItemDataRole.DisplayRole)
                    text = "" if value is None else str(value)
                fields.append(text)
            block.append(fields)
        return to_tsv(block)

    def copy_selection(self) -> None:
        text = self.selection_tsv()
        if text:
            QGuiApplication.clipboard().setText(text)

    def paste_clipboard(self) -> None:
        self.paste_text(QGuiApplication.clipboard().text())

    def paste_text(self, text: str) -> None:
        """Paste tab-separated text at the current cell; report what was refused."""
        start = self._paste_origin()
        if start is None or not text:
            return
        try:
            block = parse_tsv(text)
        except ClipboardError as exc:
            self.document.message.emit(f"Not pasted: {exc}")
            return
        model = self.model()
        if isinstance(model, ItemTableModel):
            report = paste_block(model, start.row(), start.column(), block)
            if report.blocked is not None:
                self.document.message.emit(f"Nothing pasted: {report.blocked}")
                return
            applied, refused = report.applied, report.refused
        else:
            applied, refused = self._paste_cell_by_cell(start, block)
        summary = f"Pasted {applied} cell{'s' if applied != 1 else ''}"
        if refused:
            summary += f"; refused {len(refused)}: " + "; ".join(refused[:4])
            if len(refused) > 4:
                summary += f"; and {len(refused) - 4} more"
        self.document.message.emit(summary)

    def _paste_origin(self) -> QModelIndex | None:
        indexes = self.selectedIndexes()
        if indexes:
            row = min(i.row() for i in indexes)
            column = min(i.column() for i in indexes)
            return self.model().index(row, column)
        current = self.currentIndex()
        return current if current.isValid() else None

    def _paste_cell_by_cell(
        self, start: QModelIndex, block: list[list[str]]
    ) -> tuple[int, list[str]]:
        model = self.model()
        applied, refused = 0, []
        messages: list[str] = []
        self.document.message.connect(messages.append)
        self.document.undo_stack.beginMacro("Paste")
        try:
            for r, fields in enumerate(block):
                for c, text in enumerate(fields):
                    index = model.index(start.row() + r, start.column() + c)
                    if not index.isValid() or not (model.flags(index) & Qt.ItemFlag.ItemIsEditable):
                        continue
                    if model.setData(index, text, Qt.ItemDataRole.EditRole):
                        applied += 1
                    elif messages:
                        refused.append(messages.pop())
        finally:
            self.document.undo_stack.endMacro()
            self.document.message.disconnect(messages.append)
        return applied, refused

    # --- overrides and notes -------------------------------------------------------------

    def reset_selection(self) -> None:
        model = self.model()
        if isinstance(model, ItemTableModel):
            commands = model.reset_commands(self.selectedIndexes())
        elif isinstance(model, EventTableModel):
            commands = model.reset_commands([i.row() for i in self.selectedIndexes()])
        else:
            return
        if not commands:
            self.document.message.emit("Nothing to reset: the selected cells follow the base.")
            return
        self.document.push(Macro(tuple(commands), "Reset to base"))

    def edit_note(self) -> None:
        model = self.model()
        index = self.currentIndex()
        if not isinstance(model, ItemTableModel) or not index.isValid():
            return
        item_id, period, text = model.note_target(index)
        where = f"{model.item_at(index.row()).label}" + (f", {period}" if period else "")
        new = dialogs.ask_note(self, f"Source note: {where}", text)
        if new is not None and new.strip() != text:
            self.document.push(SetNote(item_id, period, new))

    # --- spreadsheet keys ----------------------------------------------------------------

    def fill(self, direction: str) -> None:
        """Fill "down" (Ctrl+D) or "right" (Ctrl+R) over the selection, as spreadsheets do."""
        model = self.model()
        if not isinstance(model, ItemTableModel):
            self.document.message.emit("Fill works in the tables of line items")
            return
        fill_selection(model, self.selectedIndexes(), self.currentIndex(), direction)

    def commitData(self, editor: QWidget) -> None:
        """Typed "+8%" over a selected range grows the whole range; anything else sets one cell."""
        model = self.model()
        selected = self.selectedIndexes()
        if isinstance(model, ItemTableModel) and isinstance(editor, QLineEdit) and selected[1:]:
            try:
                rate = growth_rate(editor.text(), *number_format())
            except NumberError:
                rate = None  # the single-cell path says what is wrong with it
            if rate is not None:
                grow_selection(model, selected, rate)
                return
        super().commitData(editor)

    def closeEditor(self, editor: QWidget, hint: QAbstractItemDelegate.EndEditHint) -> None:
        move = _MOVES.get(hint)
        super().closeEditor(editor, EndEditHint.NoHint if move else hint)
        if move is not None:
            self._move_cursor(*move)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self.state() != QAbstractItemView.State.EditingState:
            shifted = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self._move_cursor(-1 if shifted else 1, 0)
                return
            if event.key() == Qt.Key.Key_Tab:
                self._move_cursor(0, 1)
                return
            if event.key() == Qt.Key.Key_Backtab:
                self._move_cursor(0, -1)
                return
        super().keyPressEvent(event)

    def _move_cursor(self, rows: int, columns: int) -> None:
        current = self.currentIndex()
        model = self.model()
        if not current.isValid() or model is None:
            return
        if rows == 1 and QGuiApplication.keyboardModifiers() & Qt.KeyboardModifier.ShiftModifier:
            rows = -1  # Shift+Enter after an edit goes up
        row = min(max(current.row() + rows, 0), model.rowCount() - 1)
        column = min(max(current.column() + columns, 0), model.columnCount() - 1)
        target = model.index(row, column)
        self.selectionModel().setCurrentIndex(
            target, QItemSelectionModel.SelectionFlag.ClearAndSelect
        )
        self.scrollTo(target)

    # --- the status bar's figures ----------------------------------------------------------

    def report_selection(self, *_: object) -> None:
        """Tell the status bar the sum, average and count of the selected numbers."""
        summary = selection_summary(self.model(), self.selectionModel().selection())
        self.document.selectionSummary.emit(summary)

    def _values_changed(self, *_: object) -> None:
        if self.isVisible() and self.selectionModel().hasSelection():
            self.report_selection()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.report_selection()
