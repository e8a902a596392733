"""File > Export workbook…, Import workbook… and Import plain sheet into scenario….

Thin wiring: the planner exports, imports and proposes mappings; this module
asks for file names, shows problems, and hands results to the document (a
plain-sheet import is one undoable edit).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu

from planner.commands import Macro, SetInput
from planner.formula import FormulaError
from planner.model import Project
from ui import dialogs

if TYPE_CHECKING:
    from planner.io.workbook_explain import ExplainRequest
    from planner.io.workbook_progress import Report

# The readers, writers and dialogs are imported when an action runs, which keeps
# them off the start-up path.

STATUS_MS = 8000


def install_workbook_actions(window: Any, file_menu: QMenu) -> WorkbookActions:
    """Add the workbook actions to ``file_menu``; ``window`` exposes ``document``."""
    actions = WorkbookActions(window)
    for action in (actions.export_action, actions.import_action, actions.plain_action):
        file_menu.addAction(action)
    window.workbook_actions = actions
    return actions


class WorkbookActions(QObject):
    """The three workbook actions of one window."""

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.window = window
        self.export_action = QAction("&Export workbook…", window)
        self.export_action.setShortcut("Ctrl+E")
        self.export_action.setStatusTip("Write an Excel workbook with live formulas and charts")
        self.export_action.triggered.connect(lambda: self.export_workbook())
        self.import_action = QAction("&Import workbook…", window)
        self.import_action.setStatusTip("Open a workbook exported by Burnrate, edits included")
        self.import_action.triggered.connect(lambda: self.import_workbook())
        self.plain_action = QAction("Import plain &sheet into scenario…", window)
        self.plain_action.setStatusTip("Read rows of numbers by year into a scenario's inputs")
        self.plain_action.triggered.connect(lambda: self.import_plain_sheet())

    @property
    def document(self) -> Any:
        return self.window.document

    def _status(self, text: str) -> None:
        self.window.statusBar().showMessage(text, STATUS_MS)

    def _suggested_name(self) -> str:
        path = getattr(self.document, "path", None)
        stem = Path(path).stem if path else self.document.project.name or "Burnrate"
        folder = Path(path).parent if path else Path.home()
        return str(folder / f"{stem}.xlsx")

    def export_workbook(
        self, path: str | None = None, explain: Sequence[ExplainRequest] = ()
    ) -> bool:
        """Export every scenario (and the splits ``explain`` asks for); True when written.

        The export runs in the background behind a progress dialog whose Cancel stops it,
        leaving any file already at ``path`` as it was.
        """
        from planner.io.xlsx_export import ExportCancelled, ExportError, export_workbook
        from ui import workbook_dialogs
        from ui.progress_task import run_with_progress

        target = path or workbook_dialogs.export_file_name(self.window, self._suggested_name())
        if not target:
            return False
        if not target.lower().endswith(".xlsx"):
            target += ".xlsx"
        project = self.document.project.model_copy(deep=True)
        settings = self._risk_settings()
        name = Path(target).name
        self._status(f"Exporting {name}…")
        try:
            run_with_progress(
                self.window,
                f"Exporting {name}",
                lambda progress, should_stop: export_workbook(
                    project,
                    target,
                    explain=explain,
                    progress=progress,
                    should_stop=should_stop,
                    **settings,
                ),
            )
        except ExportCancelled:
            self._status(f"Export cancelled: {name} was not written")
            return False
        except (ExportError, FormulaError, OSError) as exc:
            dialogs.error(self.window, "Export failed", str(exc))
            return False
        count = len(project.scenario_names)
        self._status(f"Exported {count} scenarios to {target}")
        return True

    def _risk_settings(self) -> dict[str, int]:
        """The risk view's sample count and seed, so the Risk sheets show what it shows."""
        risk = getattr(self.window, "risk", None)
        if risk is None:
            return {}
        return {"risk_samples": risk.live.samples, "risk_seed": risk.live.seed}

    def import_workbook(self, path: str | None = None) -> bool:
        """Show what a workbook changes, then apply it as one undoable step; True if applied.

        The workbook may instead be opened as a project of its own, replacing this one.
        """
        from planner.import_diff import ReplaceContent, diff_projects
        from planner.io.workbook_safety import WorkbookError
        from planner.io.xlsx_import import import_workbook
        from ui import import_review, workbook_dialogs
        from ui.progress_task import run_with_progress

        source = path or workbook_dialogs.import_file_name(self.window, "Import workbook")
        if not source:
            return False
        name = Path(source).name
        current = self.document.project.model_copy(deep=True)

        def read(progress: Report, should_stop: Callable[[], bool]) -> tuple[Project, Any]:
            project = import_workbook(source)
            return project, diff_projects(current, project)

        try:
            project, diff = run_with_progress(
                self.window, f"Reading {name}", read, cancellable=False
            )
        except (WorkbookError, ValueError) as exc:
            dialogs.error(self.window, "Cannot import the workbook", str(exc))
            return False
        here = self.document.display_name
        if not diff:
            import_review.tell_no_changes(self.window, name, here)
            self._status(f"{name} changes nothing in {here}")
            return False
        choice = import_review.review_import(self.window, diff, name, here)
        if choice == "new":
            return self._open_as_new_project(project, name)
        if choice != "apply" or not self.document.push(ReplaceContent(project, f"Import {name}")):
            return False
        count = len(diff)
        self._status(
            f"Applied {count:,} change{'s' if count != 1 else ''} from {name} (Undo reverts them)"
        )
        return True

    def _open_as_new_project(self, project: Project, name: str) -> bool:
        from planner.commands import CommandError

        files = getattr(self.window, "files", None)
        if files is not None and not files.maybe_save():
            return False
        try:
            self.document.replace_project(project, None)
        except CommandError as exc:
            dialogs.error(self.window, "Cannot import the workbook", str(exc))
            return False
        self._status(f"Imported {name}: {len(project.scenario_names)} scenarios")
        return True

    def import_plain_sheet(self, path: str | None = None) -> bool:
        """Read a plain sheet, preview the mapping, then set the inputs as one undoable edit."""
        from planner.io.workbook_plain import plain_sheet_edits, propose_mapping, read_plain_sheet
        from planner.io.workbook_safety import WorkbookError
        from ui import workbook_dialogs
        from ui.progress_task import run_with_progress

        source = path or workbook_dialogs.import_file_name(self.window, "Import plain sheet")
        if not source:
            return False
        project = self.document.project
        try:
            sheet = run_with_progress(
                self.window,
                f"Reading {Path(source).name}",
                lambda progress, should_stop: read_plain_sheet(source),
                cancellable=False,
            )
        except WorkbookError as exc:
            dialogs.error(self.window, "Cannot read the sheet", str(exc))
            return False
        matches = propose_mapping(sheet, project)
        chosen = workbook_dialogs.preview_plain_sheet(
            self.window, sheet, matches, project, self.document.scenario
        )
        if chosen is None:
            return False
        scenario, mapping = chosen
        try:
            edits = plain_sheet_edits(project, sheet, mapping)
        except WorkbookError as exc:
            dialogs.error(self.window, "Cannot import the sheet", str(exc))
            return False
        if not edits:
            self._status("Nothing imported: no row was mapped to a line item")
            return False
        key = None if scenario == project.base_name else scenario
        commands = tuple(SetInput(key, item, period, value) for item, period, value in edits)
        label = f"Import {Path(source).name}"
        if not self.document.push(Macro(commands, label)):
            return False
        self._status(f"Imported {len(edits)} cells into {scenario} (Undo reverts them)")
        return True
