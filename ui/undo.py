"""A thin QUndoCommand around a planner command and its inverse."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QUndoCommand

from planner.commands import Command

if TYPE_CHECKING:
    from ui.document import Document

MERGEABLE_ID = 1


class PlannerUndoCommand(QUndoCommand):
    """Pushed after the document applied ``command``; redo and undo replay it and its inverse."""

    def __init__(
        self, document: Document, command: Command, inverse: Command, text: str | None = None
    ) -> None:
        super().__init__(text or command.description)
        self._document = document
        self._command = command
        self._inverse = inverse
        self._applied = True

    def redo(self) -> None:
        if self._applied:  # QUndoStack.push calls redo; the document applied it already
            self._applied = False
            return
        self._inverse = self._document.apply_unchecked(self._command)

    def undo(self) -> None:
        self._command = self._document.apply_unchecked(self._inverse)
        # applying the inverse returned the forward command again

    def id(self) -> int:
        return MERGEABLE_ID if getattr(self._command, "merge_key", None) else -1

    def mergeWith(self, other: QUndoCommand) -> bool:
        """Typing into the same cell again extends this step instead of adding one."""
        if not isinstance(other, PlannerUndoCommand):
            return False
        key = getattr(self._command, "merge_key", None)
        if key is None or key != getattr(other._command, "merge_key", None):
            return False
        self._command = other._command
        return True
