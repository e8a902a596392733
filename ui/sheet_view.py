"""A table view that copies and pastes blocks like a spreadsheet and resets overrides."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QModelIndex, QPoint, Qt
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QMenu, QTableView, QWidget

from planner.clipboard import ClipboardError, parse_tsv, to_tsv
from planner.commands import Macro, SetNote
from ui import dialogs
from ui.document import Document
from ui.event_model import EventTableModel
from ui.item_model import COPY_ROLE, ItemTableModel

RESET_SHORTCUT = "Ctrl+R"


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
            report = model.paste(start.row(), start.column(), block)
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
