"""Menu entries and shortcuts that change the model's structure, for any table of line items.

Installed on the group tables and on the Model tab: add, edit, rename, move and
delete line items, and add, rename, move and delete groups. Each is one undo step.
"""

from __future__ import annotations

from functools import partial

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence
from PySide6.QtWidgets import QMenu, QMessageBox, QWidget

from planner.commands import Command, Macro
from planner.model import REQUIRED_ITEMS, LineItem
from planner.structure import (
    AddGroup,
    ChangeItemId,
    DeleteGroup,
    DeleteItem,
    MoveGroup,
    MoveItem,
    RenameGroup,
    SetItemText,
    group_title,
    make_group_id,
    move_item_by,
    users_of,
)
from ui import dialogs
from ui.item_dialog import ItemDialog
from ui.sheet_view import SheetView

# Insert, and Excel's Ctrl+Shift+= (Ctrl++ on the keyboards where + is shifted =).
ADD_SHORTCUTS = tuple(QKeySequence(k) for k in ("Ins", "Ctrl+Shift+=", "Ctrl++"))
LABEL_COLUMNS = {"ItemTableModel": 0, "FormulaTableModel": 1}


def confirm(parent: QWidget, title: str, text: str, action: str) -> bool:
    """Ask before a destructive step; True if the user chose ``action``."""
    box = QMessageBox(QMessageBox.Icon.Question, title, text, parent=parent)
    yes = box.addButton(action, QMessageBox.ButtonRole.DestructiveRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.exec()
    return box.clickedButton() is yes


def open_item_dialog(dialog: ItemDialog) -> None:
    dialog.exec()


class StructureActions(QObject):
    """Structure edits for the line items shown in ``view`` (a group's table or the Model tab)."""

    def __init__(self, view: SheetView) -> None:
        super().__init__(view)
        self.view = view
        self.document = view.document
        self.add_item = self._action("Add line item…", self.add_item_here, *ADD_SHORTCUTS)
        self.edit_item = self._action("Edit line item…", self.edit_current)
        self.rename_item = self._action("Rename line item…", self.rename_or_edit_cell, "F2")
        self.change_id = self._action("Change id…", self.change_current_id)
        self.delete_item = self._action("Delete line item…", self.delete_selected)
        self.delete_item.setShortcut(QKeySequence(QKeySequence.StandardKey.Delete))
        self.delete_item.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)  # see eventFilter
        self.move_up = self._action("Move up", lambda: self.move_current(-1), "Alt+Up")
        self.move_down = self._action("Move down", lambda: self.move_current(1), "Alt+Down")
        self.add_group = self._action("Add group…", self.add_new_group)
        self.rename_group = self._action("Rename group…", self.rename_current_group)
        self.delete_group = self._action("Delete group", self.delete_current_group)
        view.menu_hooks.append(self.fill_menu)
        view.installEventFilter(self)

    def _action(self, text: str, slot: object, *keys: QKeySequence | str) -> QAction:
        action = QAction(text, self.view)
        if keys:
            action.setShortcuts([QKeySequence(k) for k in keys])
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            self.view.addAction(action)
        action.triggered.connect(slot)
        return action

    # --- what is under the cursor ---------------------------------------------------------

    def current_item(self) -> LineItem | None:
        index = self.view.currentIndex()
        model = self.view.model()
        if not index.isValid() or not hasattr(model, "item_at"):
            return None
        item = model.item_at(index.row())
        assert isinstance(item, LineItem)
        return item

    def current_group(self) -> str:
        group = getattr(self.view.model(), "group", None)
        if isinstance(group, str):
            return group
        item = self.current_item()
        return item.group if item else self.document.project.group_order()[0]

    def selected_items(self) -> list[LineItem]:
        """Items whose whole row is selected, or the current one when no row is."""
        model = self.view.model()
        selection = self.view.selectionModel()
        rows = sorted(
            {i.row() for i in selection.selectedIndexes() if selection.isRowSelected(i.row())}
        )
        return [model.item_at(r) for r in rows]  # type: ignore[attr-defined]

    # --- the menu -----------------------------------------------------------------------

    def fill_menu(self, menu: QMenu) -> None:
        item = self.current_item()
        menu.addSeparator()
        menu.addAction(self.add_item)
        for action in (self.edit_item, self.rename_item, self.change_id, self.delete_item):
            action.setEnabled(item is not None)
            menu.addAction(action)
        self.move_up.setEnabled(item is not None)
        self.move_down.setEnabled(item is not None)
        menu.addAction(self.move_up)
        menu.addAction(self.move_down)
        if item is not None:
            move_to = menu.addMenu("Move to group")
            for group in self.document.project.group_order():
                if group != item.group:
                    move = partial(self.move_to_group, item.id, group)
                    move_to.addAction(group_title(group), move)
        menu.addSeparator()
        groups = menu.addMenu(f"Group {group_title(self.current_group())}")
        for action in (self.add_group, self.rename_group, self.delete_group):
            groups.addAction(action)
        groups.addAction("Move group left", lambda: self.move_group(-1))
        groups.addAction("Move group right", lambda: self.move_group(1))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Delete with whole rows selected deletes their items; otherwise the key is the view's."""
        if (
            event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.matches(QKeySequence.StandardKey.Delete)
            and self.selected_items()
        ):
            self.delete_selected()
            return True
        return False

    # --- line items -------------------------------------------------------------------------

    def add_item_here(self) -> None:
        group = self.current_group()
        item = self.current_item()
        position = None
        if item is not None and item.group == group:
            members = [i.id for i in self.document.project.items if i.group == group]
            position = members.index(item.id) + 1
        open_item_dialog(ItemDialog(self.document, group, None, position, self.view))

    def edit_current(self) -> None:
        item = self.current_item()
        if item is not None:
            open_item_dialog(ItemDialog(self.document, item.group, item, None, self.view))

    def rename_or_edit_cell(self) -> None:
        """F2: rename on a label, as a file manager does; edit the cell anywhere else."""
        index = self.view.currentIndex()
        label_column = LABEL_COLUMNS.get(type(self.view.model()).__name__)
        if index.isValid() and index.column() != label_column:
            if self.view.model().flags(index) & Qt.ItemFlag.ItemIsEditable:
                self.view.edit(index)
            return
        item = self.current_item()
        if item is None:
            return
        text = dialogs.ask_text(self.view, "Rename line item", "Label:", item.label)
        if text is not None and text.strip() != item.label:
            self.document.push(SetItemText(item.id, "label", text))

    def change_current_id(self) -> None:
        item = self.current_item()
        if item is None:
            return
        text = dialogs.ask_text(
            self.view,
            "Change id",
            f"Id of '{item.label}' (every formula that reads it follows):",
            item.id,
        )
        if text is not None and text.strip() != item.id:
            column = self.view.currentIndex().column()
            if self.document.push(ChangeItemId(item.id, text.strip())):
                self._select(text.strip(), column)  # the Model tab's editor follows the row

    def delete_selected(self) -> None:
        items = self.selected_items() or [i for i in [self.current_item()] if i is not None]
        if not items:
            return
        project = self.document.project
        required = [i for i in items if i.id in REQUIRED_ITEMS]
        if required:
            self.document.push(DeleteItem(required[0].id))  # refused, with the reason
            return
        ids = {i.id for i in items}
        users = [u for i in items for u in users_of(project, i.id) if u not in ids]
        names = ", ".join(f"'{i.label}'" for i in items)
        text = f"Delete {names}?"
        action = "Delete"
        if users:
            labels = ", ".join(f"'{project.item(u).label}'" for u in dict.fromkeys(users))
            text += (
                f"\n\n{labels} read it. Their formulas will show an error until you fix "
                "them (Edit > Undo brings everything back)."
            )
            action = "Delete and mark errors"
        if not confirm(self.view, "Delete line item", text, action):
            return
        commands: list[Command] = [DeleteItem(i.id, break_references=True) for i in items]
        label = f"Delete line item {items[0].label}" if len(items) == 1 else "Delete line items"
        command = commands[0] if len(commands) == 1 else Macro(tuple(commands), label)
        if self.document.push(command) and users:
            broken = sorted(self.document.result.broken)
            shown = ", ".join(f"'{project.item(b).label}'" for b in broken[:4])
            self.document.message.emit(
                f"Deleted {names}; {len(broken)} line items now show an error: {shown}"
                + ("…" if len(broken) > 4 else "")
            )

    def move_current(self, step: int) -> None:
        item = self.current_item()
        if item is None:
            return
        column = self.view.currentIndex().column()
        if self.document.push(move_item_by(self.document.project, item.id, step)):
            self._select(item.id, column)

    def move_to_group(self, item_id: str, group: str) -> None:
        members = [i for i in self.document.project.items if i.group == group]
        self.document.push(MoveItem(item_id, group, len(members)))

    def _select(self, item_id: str, column: int) -> None:
        model = self.view.model()
        for row in range(model.rowCount()):
            if model.item_at(row).id == item_id:  # type: ignore[attr-defined]
                self.view.setCurrentIndex(model.index(row, max(column, 0)))
                return

    # --- groups ----------------------------------------------------------------------------

    def add_new_group(self) -> None:
        title = dialogs.ask_text(self.view, "Add group", "Name of the new group:", "")
        if title and title.strip():
            groups = self.document.project.group_order()
            position = groups.index(self.current_group()) + 1
            self.document.push(AddGroup(make_group_id(title, groups), position))

    def rename_current_group(self) -> None:
        group = self.current_group()
        title = dialogs.ask_text(self.view, "Rename group", "Name:", group_title(group))
        if title and title.strip() and make_group_id(title, []) != group:
            groups = self.document.project.group_order()
            self.document.push(RenameGroup(group, make_group_id(title, groups)))

    def delete_current_group(self) -> None:
        self.document.push(DeleteGroup(self.current_group()))

    def move_group(self, step: int) -> None:
        self.document.push(MoveGroup(self.current_group(), step))
