"""Scenario > Solve for…: goal seek on the scenario on screen, with its answer and key figures.

The search runs in the window's own thread in short steps (one engine call each,
tens of milliseconds at most), letting the event loop run between them, so the
window keeps painting and Cancel is heard. The answer goes into the scenario as
one undo step, or into a new scenario named after the question.
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QPalette
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from planner.kpis import KPI_LABELS, KpiValue, format_kpi
from planner.numbers import NumberError, parse_cell
from planner.scenarios import resolve
from planner.solve import (
    Solution,
    SolveCancelled,
    SolveError,
    Variable,
    answer_command,
    format_value,
    format_variable_value,
    kpis_before_after,
    new_scenario_command,
    outcome_lines,
    question_name,
    solve,
)
from ui import style
from ui.document import Document
from ui.solve_pickers import TargetPicker, VariablePicker

PERCENT_UNITS = ("%", "growth per period")


def install_solve_action(window: QMainWindow, menu: QMenu, document: Document) -> QAction:
    """Add Solve for… to ``menu``; the dialog opens over ``window`` for ``document``."""
    action = menu.addAction("&Solve for…")
    action.setStatusTip("Find the change to one number that just meets a target")
    action.triggered.connect(lambda: open_solve_dialog(window, document))
    return action


def open_solve_dialog(window: QWidget, document: Document) -> SolveDialog:
    dialog = SolveDialog(document, window)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.show()
    return dialog


def _edit_text(unit: str, value: float) -> str:
    if unit in PERCENT_UNITS:
        return f"{value * 100:g}%"
    return f"{value:g}"


class SolveDialog(QDialog):
    """The question (what to vary, the target, the range), the search, and the answer."""

    def __init__(self, document: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.scenario = document.scenario
        self.solution: Solution | None = None
        self._running = False
        self._cancelled = False
        self._close_when_stopped = False
        self.setWindowTitle(f"Solve for… — {self.scenario}")
        project = document.project
        self.resolved = resolve(project, self.scenario)
        self.vary = VariablePicker(self)
        self.target = TargetPicker(self)
        self.low = QLineEdit(self)
        self.high = QLineEdit(self)
        self.range_unit = QLabel(self)
        self.problem = QLabel(self)
        self.progress = QProgressBar(self)
        self.solve_button = QPushButton("&Solve", self)
        self.cancel_button = QPushButton("Cancel", self)
        self.answer = AnswerPanel(self)
        self.apply_button = QPushButton(f"&Apply to {self.scenario}", self)
        self.new_button = QPushButton("Save as &new scenario", self)
        self.close_button = QPushButton("Close", self)
        self._build_layout()
        self.vary.set_scenario(self.resolved)
        self.target.set_scenario(project, self.resolved)
        self.vary.changed.connect(self._variable_changed)
        self.vary.changed.connect(self._question_changed)
        self.target.changed.connect(self._question_changed)
        self.solve_button.clicked.connect(self.run)
        self.cancel_button.clicked.connect(self.cancel)
        self.apply_button.clicked.connect(self.apply_answer)
        self.new_button.clicked.connect(self.save_as_new)
        self.close_button.clicked.connect(self.reject)
        self._variable_changed()
        self._question_changed()

    def _build_layout(self) -> None:
        heading = QLabel(f"What would have to be true in <b>{html.escape(self.scenario)}</b>?")
        heading.setStyleSheet("font-size: 14px;")
        vary_box = QGroupBox("What to vary")
        QVBoxLayout(vary_box).addWidget(self.vary)
        target_box = QGroupBox("Target")
        QVBoxLayout(target_box).addWidget(self.target)
        range_row = QHBoxLayout()
        range_row.addWidget(QLabel("Search from"))
        range_row.addWidget(self.low)
        range_row.addWidget(QLabel("to"))
        range_row.addWidget(self.high)
        range_row.addWidget(self.range_unit, 1)
        range_row.addWidget(self.solve_button)
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet(f"color: {style.ERROR_FG.name()};")
        self.problem.hide()
        self.progress.setTextVisible(False)
        self.progress.setMaximumHeight(10)
        self.progress.hide()
        self.cancel_button.hide()
        self.solve_button.setDefault(True)
        run_row = QHBoxLayout()
        run_row.addWidget(self.progress, 1)
        run_row.addWidget(self.cancel_button)
        buttons = QHBoxLayout()
        buttons.addWidget(self.new_button)
        buttons.addStretch(1)
        buttons.addWidget(self.apply_button)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(vary_box)
        layout.addWidget(target_box)
        layout.addLayout(range_row)
        layout.addWidget(self.problem)
        layout.addLayout(run_row)
        layout.addWidget(self.answer, 1)
        layout.addLayout(buttons)
        self.resize(620, 700)

    # --- the question -------------------------------------------------------------

    def _unit(self, variable: Variable) -> str:
        return variable.unit(self.resolved)

    def _variable_changed(self) -> None:
        """A new variable searches its own default range."""
        try:
            variable = self.vary.variable()
            low, high = variable.default_range(self.resolved)
            before = variable.before(self.resolved)
        except SolveError:
            return
        unit = self._unit(variable)
        self.low.setText(_edit_text(unit, low))
        self.high.setText(_edit_text(unit, high))
        now = format_variable_value(unit, before)
        shown_unit = "" if unit in ("factor", *PERCENT_UNITS) else f"{unit} "
        self.range_unit.setText(f"{shown_unit}(now {now})")

    def _question_changed(self) -> None:
        """A changed question makes the answer shown an answer to something else."""
        self.solution = None
        self.answer.clear()
        self.problem.hide()
        self._update_buttons()

    def search_range(self, variable: Variable) -> tuple[float, float]:
        unit = "%" if self._unit(variable) in PERCENT_UNITS else ""
        try:
            return parse_cell(self.low.text(), unit), parse_cell(self.high.text(), unit)
        except NumberError as exc:
            raise SolveError(f"the range searched: {exc}") from None

    # --- the search -------------------------------------------------------------------

    def run(self) -> None:
        """Solve the question as it stands; the answer, a refusal, or nothing if cancelled."""
        if self._running:
            return
        project = self.document.project
        try:
            variable = self.vary.variable()
            target = self.target.target()
            search_range = self.search_range(variable)
        except SolveError as exc:
            self.show_problem(str(exc))
            return
        self._set_running(True)
        try:
            solution = solve(
                project,
                self.scenario,
                variable,
                target,
                search_range=search_range,
                progress=self._progress,
            )
            before, after = kpis_before_after(project, solution)
        except SolveCancelled:
            self.show_problem("Cancelled: no answer.")
            return
        except SolveError as exc:
            self.show_problem(str(exc))
            return
        finally:
            self._set_running(False)
        self.solution = solution
        self.problem.hide()
        is_base = self.scenario == project.base_name
        self.answer.show_solution(solution, before, after, self.scenario, is_base=is_base)
        self._update_buttons()

    def _progress(self, done: int, most: int) -> bool:
        self.progress.setMaximum(most)
        self.progress.setValue(done)
        QApplication.processEvents()
        return not self._cancelled

    def cancel(self) -> None:
        self._cancelled = True

    def _set_running(self, running: bool) -> None:
        self._running = running
        self._cancelled = False
        for widget in (self.vary, self.target, self.low, self.high, self.solve_button):
            widget.setEnabled(not running)
        self.progress.setVisible(running)
        self.progress.setValue(0)
        self.cancel_button.setVisible(running)
        self._update_buttons()
        if not running and self._close_when_stopped:
            self._close_when_stopped = False
            super().reject()

    def reject(self) -> None:
        if self._running:  # the search stops at its next step, then the dialog closes
            self._cancelled = True
            self._close_when_stopped = True
            return
        super().reject()

    def show_problem(self, text: str) -> None:
        self.problem.setText(text[:1].upper() + text[1:])
        self.problem.show()

    # --- the answer -----------------------------------------------------------------------

    def _update_buttons(self) -> None:
        solution = self.solution
        usable = (
            solution is not None
            and not self._running
            and solution.status == "solved"
            and solution.value != solution.before
        )
        self.apply_button.setEnabled(usable)
        self.new_button.setEnabled(usable)
        if usable and solution is not None:
            self.new_button.setToolTip(
                f"Adds the scenario “{question_name(self.document.project, solution)}”"
            )

    def apply_answer(self) -> bool:
        """The answer into the scenario on screen as one undo step; closes the dialog."""
        if self.solution is None:
            return False
        command = answer_command(self.document.project, self.solution)
        if not self.document.push(command):
            return False
        self.accept()
        return True

    def save_as_new(self) -> bool:
        """A copy of the scenario with the answer, shown at once; one undo step."""
        if self.solution is None:
            return False
        name = question_name(self.document.project, self.solution)
        command = new_scenario_command(self.document.project, self.solution, name)
        if not self.document.push(command):
            return False
        self.document.set_scenario(name)
        self.accept()
        return True


class AnswerPanel(QFrame):
    """The answer in words, then the key figures now and with the answer."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        self.setBackgroundRole(QPalette.ColorRole.Base)
        self.headline = QLabel(self)
        self.headline.setStyleSheet("font-size: 15px; font-weight: 600;")
        self.headline.setWordWrap(True)
        self.headline.setTextFormat(Qt.TextFormat.PlainText)
        self.detail = QLabel(self)
        self.detail.setWordWrap(True)
        self.detail.setTextFormat(Qt.TextFormat.PlainText)
        self.next_step = QLabel(self)
        self.next_step.setWordWrap(True)
        self.next_step.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.grid = QGridLayout()
        self.grid.setHorizontalSpacing(18)
        self.cells: dict[str, tuple[QLabel, QLabel]] = {}
        self._build_grid()
        layout = QVBoxLayout(self)
        layout.addWidget(self.headline)
        layout.addWidget(self.detail)
        layout.addLayout(self.grid)
        layout.addWidget(self.next_step)
        layout.addStretch(1)
        self.clear()

    def _build_grid(self) -> None:
        for column, text in ((1, "Now"), (2, "With the answer")):
            header = QLabel(text)
            header.setForegroundRole(QPalette.ColorRole.PlaceholderText)
            header.setAlignment(Qt.AlignmentFlag.AlignRight)
            self.grid.addWidget(header, 0, column)
        for row, (kpi, (label, _)) in enumerate(KPI_LABELS.items(), start=1):
            self.grid.addWidget(QLabel(label), row, 0)
            cells = (QLabel(), QLabel())
            for column, cell in enumerate(cells, start=1):
                cell.setAlignment(Qt.AlignmentFlag.AlignRight)
                self.grid.addWidget(cell, row, column)
            self.cells[kpi] = cells
        self.grid.setColumnStretch(0, 1)

    def clear(self) -> None:
        self.headline.setText("No answer yet")
        self.detail.setText("Choose what to vary and the target, then Solve.")
        self.next_step.setText("")
        for now, after in self.cells.values():
            now.setText("")
            after.setText("")

    def show_solution(
        self,
        solution: Solution,
        before: dict[str, KpiValue],
        after: dict[str, KpiValue],
        scenario: str,
        *,
        is_base: bool = False,
    ) -> None:
        value = format_value(solution, solution.value)
        now = format_value(solution, solution.before)
        headlines = {
            "reached": f"{solution.label}: {value} (now {now})",
            "holds_to": f"Already met. {solution.label}: could go to {value} (now {now})",
            "met_throughout": f"Already met, whatever {solution.label} is in the range",
            "no_solution": "No value in the range searched meets the target",
        }
        self.headline.setText(headlines[solution.outcome])
        self.detail.setText(
            " ".join(outcome_lines(solution)) + f" ({solution.evaluations} values tried.)"
        )
        for kpi, (now_cell, after_cell) in self.cells.items():
            now_cell.setText(format_kpi(kpi, before[kpi]))
            after_cell.setText(format_kpi(kpi, after[kpi]))
            font = after_cell.font()
            font.setBold(before[kpi] != after[kpi])
            after_cell.setFont(font)
        if solution.outcome == "no_solution":
            self.next_step.setText(
                "“With the answer” shows the closest value tried. Widen the range, "
                "or vary something else."
            )
        elif solution.value == solution.before:
            self.next_step.setText("Nothing to apply: the scenario already meets the target.")
        elif solution.outcome == "holds_to":
            self.next_step.setText(
                f"Applying it moves {scenario} to the edge of the target: a stress case, "
                "best saved as a new scenario to compare with the plan."
            )
        else:
            self.next_step.setText(
                f"Apply it to {scenario} (one step to undo), or save it as a new scenario "
                "to compare the two side by side."
            )
        if is_base and solution.value != solution.before and solution.status == "solved":
            self.next_step.setText(
                self.next_step.text()
                + f" {scenario} is the base: applying it there also changes every scenario "
                "that does not override what it changes."
            )
