"""The open document: the project, its file, the current scenario, results and undo stack.

Edits arrive as planner commands through :meth:`Document.push`; the document
applies them (refusing any that break the model), keeps every scenario's
results fresh, and announces changes with one coalesced signal per event-loop
turn so that a burst of edits redraws once.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QUndoStack

from planner.commands import Command, CommandError, apply_checked, describe, evaluate_all
from planner.engine import Result
from planner.formula import FormulaError
from planner.kpis import KpiValue, compute_kpis
from planner.model import Project
from planner.scenario_colours import assign_missing_colours
from planner.scenarios import ProjectError
from ui.undo import PlannerUndoCommand


class Document(QObject):
    """One project being edited; the single source of truth for every view."""

    changed = Signal()  # at once, after every change to the project or the results
    resultsChanged = Signal()  # coalesced: values of the current project changed
    projectReplaced = Signal()  # a different project (new, opened, restored, imported)
    scenarioChanged = Signal(str)  # the scenario on screen
    scenariosChanged = Signal()  # scenario names, order or descriptions
    modifiedChanged = Signal(bool)
    pathChanged = Signal()
    message = Signal(str)  # for the status bar
    selectionSummary = Signal(str)  # sum, average and count of the selected numbers
    applied = Signal()  # an edit, undo or redo went through: earlier refusals no longer apply

    def __init__(self, project: Project, path: Path | None = None) -> None:
        super().__init__()
        self.undo_stack = QUndoStack(self)
        self.undo_stack.setUndoLimit(1000)
        self.undo_stack.cleanChanged.connect(self._emit_modified)
        assign_missing_colours(project)  # stable colours for an older file; not an edit
        self._project = project
        self._path = path
        self._unsaved = False
        self._scenario = project.base_name
        self._results: dict[str, Result] = evaluate_all(project)
        self._emit_pending = False
        self._kpi_cache: dict[int, tuple[Result, dict[str, KpiValue]]] = {}
        self._scenario_names = tuple(project.scenario_names)
        self._structure = _structure(project)

    # --- state ---------------------------------------------------------------

    @property
    def project(self) -> Project:
        return self._project

    @property
    def path(self) -> Path | None:
        return self._path

    @property
    def scenario(self) -> str:
        """The name of the scenario on screen."""
        return self._scenario

    @property
    def scenario_key(self) -> str | None:
        """The scenario for commands: None for the base."""
        return None if self._scenario == self._project.base_name else self._scenario

    @property
    def results(self) -> dict[str, Result]:
        return self._results

    @property
    def result(self) -> Result:
        return self._results[self._scenario]

    def kpis(self, scenario: str | None = None) -> dict[str, KpiValue]:
        """The key figures of ``scenario`` (the one on screen by default), computed once."""
        result = self._results[scenario or self._scenario]
        cached = self._kpi_cache.get(id(result))
        if cached is None or cached[0] is not result:
            cached = (result, compute_kpis(result))
            self._kpi_cache[id(result)] = cached
            if len(self._kpi_cache) > 64:
                self._kpi_cache.pop(next(iter(self._kpi_cache)))
        return cached[1]

    @property
    def is_modified(self) -> bool:
        return self._unsaved or not self.undo_stack.isClean()

    @property
    def display_name(self) -> str:
        return self._path.name if self._path else self._project.name or "Untitled"

    def set_scenario(self, name: str) -> None:
        if name == self._scenario or name not in self._results:
            return
        self._scenario = name
        self.changed.emit()
        self.scenarioChanged.emit(name)
        self._schedule_results_changed()

    # --- edits -----------------------------------------------------------------

    def push(self, command: Command, text: str | None = None) -> bool:
        """Apply ``command`` as one undo step (named ``text``, else by the command);
        False (and a status message) if refused."""
        text = text or describe(self._project, command)
        try:
            applied = apply_checked(self._project, command, self._results)
        except CommandError as exc:
            self.message.emit(f"Not applied: {exc}")
            return False
        self._results = applied.results
        self.undo_stack.push(PlannerUndoCommand(self, command, applied.inverse, text))
        self.applied.emit()
        self._after_change()
        return True

    def apply_unchecked(self, command: Command) -> Command:
        """Apply a command the undo stack replays (its inverse was valid before)."""
        inverse = command.apply(self._project)
        try:
            self._results = evaluate_all(self._project)
        except (FormulaError, ProjectError) as exc:
            self.message.emit(f"The model does not evaluate: {exc}")
        else:
            self.applied.emit()
        self._after_change()
        return inverse

    def _after_change(self) -> None:
        names = tuple(self._project.scenario_names)
        moved = self._scenario not in names
        if moved:
            self._scenario = (
                names[self._scenario_names.index(self._scenario)]
                if len(names) == len(self._scenario_names)
                else self._project.base_name
            )
        self._scenario_names = names
        structure = _structure(self._project)
        if structure != self._structure:
            # Views build rows and columns from periods and line items: an edit that
            # changes them (an import, or its undo) needs them rebuilt, as a new project does.
            self._structure = structure
            self.projectReplaced.emit()
        self.changed.emit()
        self.scenariosChanged.emit()
        if moved:
            self.scenarioChanged.emit(self._scenario)
        self._schedule_results_changed()

    def _schedule_results_changed(self) -> None:
        if not self._emit_pending:
            self._emit_pending = True
            QTimer.singleShot(0, self._emit_if_pending)

    def _emit_if_pending(self) -> None:
        # flush() may have emitted already; the timer it leaves behind must not repeat it.
        if self._emit_pending:
            self._emit_results_changed()

    def _emit_results_changed(self) -> None:
        self._emit_pending = False
        self.resultsChanged.emit()

    def flush(self) -> None:
        """Emit a pending results change now (for screenshots and tests)."""
        if self._emit_pending:
            self._emit_results_changed()

    # --- whole projects -------------------------------------------------------------

    def replace_project(
        self, project: Project, path: Path | None = None, *, unsaved: bool = True
    ) -> None:
        """Install another project; with ``unsaved`` it counts as a change not yet saved.

        Raises :class:`CommandError` (and keeps the current project) if it does not evaluate.
        """
        try:
            results = evaluate_all(project)
        except (FormulaError, ProjectError) as exc:
            raise CommandError(str(exc)) from None
        assign_missing_colours(project)
        self._project = project
        self._results = results
        self._scenario = project.base_name
        self._scenario_names = tuple(project.scenario_names)
        self._structure = _structure(project)
        self.undo_stack.clear()
        self._path = path
        self._unsaved = unsaved
        self.projectReplaced.emit()
        self.scenarioChanged.emit(self._scenario)
        self.scenariosChanged.emit()
        self.pathChanged.emit()
        self._emit_modified()
        self._schedule_results_changed()

    def mark_saved(self, path: Path) -> None:
        self._path = path
        self._unsaved = False
        self.undo_stack.setClean()
        self.pathChanged.emit()
        self._emit_modified()

    def _emit_modified(self, *_: object) -> None:
        self.modifiedChanged.emit(self.is_modified)


def _structure(project: Project) -> tuple[object, ...]:
    """What the tables' rows and columns are built from."""
    items = tuple((item.id, item.group, item.kind) for item in project.items)
    return (tuple(project.periods), tuple(project.groups), items)
