"""File > Import workbook into an open project: the list of what the workbook changes.

The module-level functions are the only places that open modal dialogs, so
tests replace them. The list itself comes from :mod:`planner.import_diff`.
"""

from __future__ import annotations

import html
from typing import Any, Literal

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from planner.import_diff import KIND_NAMES, Change, ImportDiff

Choice = Literal["apply", "new"]
COLUMNS = ("Change", "Scenario", "Line item or row", "Period", "Unit", "Old", "New")
KIND_ROLE = Qt.ItemDataRole.UserRole + 1
OLD_COLUMN = COLUMNS.index("Old")
CELL_LIMIT = 120  # characters shown in a cell; the tooltip holds the whole text
TOOLTIP_FROM = 20  # characters: shorter texts fit their column and need no tooltip

Index = QModelIndex | QPersistentModelIndex


def review_import(
    parent: QWidget | None, diff: ImportDiff, workbook: str, project: str
) -> Choice | None:
    """Show what ``workbook`` changes in ``project``.

    The answer: "apply", "new" (open the workbook as a project of its own) or None.
    """
    dialog = ImportReview(diff, workbook, project, parent)
    dialog.exec()
    return dialog.choice


def tell_no_changes(parent: QWidget | None, workbook: str, project: str) -> None:
    QMessageBox.information(
        parent,
        "Import workbook",
        f"{workbook} changes nothing in {project}: every value, formula and row is the same.",
    )


class ImportReview(QDialog):
    """Every change the workbook makes, to search through before applying them as one step."""

    def __init__(
        self, diff: ImportDiff, workbook: str, project: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.choice: Choice | None = None
        self.setWindowTitle(f"Import {workbook}")
        room = self.screen().availableGeometry()
        self.resize(min(1120, room.width() - 40), min(580, room.height() - 60))
        layout = QVBoxLayout(self)
        intro = QLabel(
            f"<b>What {html.escape(workbook)} changes in {html.escape(project)}</b><br>"
            f"{html.escape(diff.summary())}."
        )
        intro.setWordWrap(True)
        intro.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(intro)
        if not diff.same_model:
            warning = QLabel(
                "This workbook holds a different model (other periods or most line items "
                "unknown here): it may be better opened as a project of its own."
            )
            warning.setWordWrap(True)
            layout.addWidget(warning)
        layout.addLayout(self._filters(diff))
        self.model = ChangeTable(diff.changes, self)
        self.proxy = _ChangeFilter(self)
        self.proxy.setSourceModel(self.model)
        self.view = QTableView()
        self.view.setModel(self.proxy)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setAlternatingRowColors(True)
        self.view.setWordWrap(False)
        rows = self.view.verticalHeader()
        rows.hide()
        rows.setDefaultSectionSize(self.fontMetrics().height() + 8)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for column, width in enumerate((150, 120, 320, 70, 80, 150, 150)):
            self.view.setColumnWidth(column, width)
        header.setStretchLastSection(True)
        self.view.setAccessibleName("Changes")
        layout.addWidget(self.view, 1)
        self.shown = QLabel()
        undo = QLabel("Applied as one step: Edit > Undo puts the project back as it was.")
        undo.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        under = QHBoxLayout()
        under.addWidget(self.shown, 1)
        under.addWidget(undo)
        layout.addLayout(under)
        layout.addWidget(self._buttons())
        # Set once the buttons are in the dialog, which otherwise picks its own default.
        (self.apply_button if diff.same_model else self.new_button).setDefault(True)
        self.search.textChanged.connect(self._refilter)
        self.kind_box.currentIndexChanged.connect(self._refilter)
        self._refilter()
        self.view.setFocus()

    def _filters(self, diff: ImportDiff) -> QHBoxLayout:
        row = QHBoxLayout()
        self.kind_box = QComboBox()
        self.kind_box.setAccessibleName("Kind of change")
        self.kind_box.addItem(f"All changes ({len(diff):,})", None)
        for kind, count in diff.counts().items():
            self.kind_box.addItem(f"{KIND_NAMES[kind][1].capitalize()} ({count:,})", kind)
        show = QLabel("&Show:")
        show.setBuddy(self.kind_box)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Scenario, line item, period or value (Ctrl+F)")
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName("Search the changes")
        find = QLabel("&Find:")
        find.setBuddy(self.search)
        row.addWidget(show)
        row.addWidget(self.kind_box)
        row.addSpacing(12)
        row.addWidget(find)
        row.addWidget(self.search, 1)
        return row

    def _buttons(self) -> QDialogButtonBox:
        buttons = QDialogButtonBox()
        self.apply_button = QPushButton("&Apply changes")
        self.apply_button.setToolTip("Change this project as listed, in one step that Undo reverts")
        self.new_button = QPushButton("Open as &new project")
        self.new_button.setToolTip("Leave this project as it is and open the workbook's instead")
        buttons.addButton(self.apply_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.new_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.apply_button.clicked.connect(lambda: self._choose("apply"))
        self.new_button.clicked.connect(lambda: self._choose("new"))
        buttons.rejected.connect(self.reject)
        return buttons

    def _choose(self, choice: Choice) -> None:
        self.choice = choice
        self.accept()

    def _refilter(self) -> None:
        self.proxy.set_filter(self.kind_box.currentData(), self.search.text())
        shown, total = self.proxy.rowCount(), self.model.rowCount()
        everything = f"Showing all {total:,} changes"
        self.shown.setText(everything if shown == total else f"Showing {shown:,} of {total:,}")

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.matches(QKeySequence.StandardKey.Find):
            self.search.setFocus()
            self.search.selectAll()
            return
        # Enter in the search box moves to the list; it must not apply the import.
        if self.focusWidget() is self.search and event.key() in (
            Qt.Key.Key_Return,
            Qt.Key.Key_Enter,
        ):
            self.view.setFocus()
            return
        super().keyPressEvent(event)


def _texts(change: Change) -> tuple[str, ...]:
    kind = KIND_NAMES[change.kind][0].capitalize()
    return (kind, change.scenario, change.item, change.where, change.unit, change.old, change.new)


class ChangeTable(QAbstractTableModel):
    """The changes as a read-only table; cells are made when shown, so a long list costs little."""

    def __init__(self, changes: tuple[Change, ...], parent: QWidget) -> None:
        super().__init__(parent)
        self._changes = changes
        self._search_texts: list[str] | None = None

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._changes)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        change = self._changes[index.row()]
        if role == KIND_ROLE:
            return change.kind
        if role == Qt.ItemDataRole.TextAlignmentRole:
            right = index.column() >= OLD_COLUMN and change.numeric
            side = Qt.AlignmentFlag.AlignRight if right else Qt.AlignmentFlag.AlignLeft
            return side | Qt.AlignmentFlag.AlignVCenter
        text = _texts(change)[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            one_line = " ".join(text.split())
            return one_line if len(one_line) <= CELL_LIMIT else one_line[: CELL_LIMIT - 1] + "…"
        if role == Qt.ItemDataRole.ToolTipRole and len(text) > TOOLTIP_FROM:
            return text
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def change(self, row: int) -> Change:
        return self._changes[row]

    def search_text(self, row: int) -> str:
        if self._search_texts is None:  # made on the first search, once
            self._search_texts = [" ".join(_texts(c)).casefold() for c in self._changes]
        return self._search_texts[row]


class _ChangeFilter(QSortFilterProxyModel):
    """Rows of one kind (or all) whose text holds every word of the search."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self._kind: str | None = None
        self._words: list[str] = []

    def set_filter(self, kind: str | None, text: str) -> None:
        words = text.casefold().split()
        if (kind, words) == (self._kind, self._words):
            return  # filtering a long list again takes a moment
        self.beginFilterChange()
        self._kind = kind
        self._words = words
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(
        self, source_row: int, source_parent: QModelIndex | QPersistentModelIndex
    ) -> bool:
        if self._kind is None and not self._words:
            return True
        model = self.sourceModel()
        assert isinstance(model, ChangeTable)
        if self._kind is not None and model.change(source_row).kind != self._kind:
            return False
        if not self._words:
            return True
        text = model.search_text(source_row)
        return all(word in text for word in self._words)
