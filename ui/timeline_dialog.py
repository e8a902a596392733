"""Model > Timeline…: move the project's first and last year, asking before anything is lost."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from planner.commands import CommandError
from planner.model import FIRST_YEAR, LAST_YEAR, Project, period_year
from planner.timeline import (
    SetTimeline,
    TimelineLosses,
    earlier_start_balances,
    timeline_losses,
    timeline_periods,
)
from ui import style
from ui.document import Document

if TYPE_CHECKING:
    from ui.main_window import MainWindow

DEFAULT_GROWTH_PERCENT = 5.0


class TimelineDialog(QDialog):
    """First and last year, and how added periods are filled in."""

    def __init__(self, project: Project, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Timeline")
        self.project = project
        self.first = self._year_box(period_year(project.periods[0]))
        self.last = self._year_box(period_year(project.periods[-1]))
        self.continue_last = QRadioButton("&Continue the nearest value")
        self.grow = QRadioButton("&Grow by")
        self.continue_last.setChecked(True)
        fill = QButtonGroup(self)
        fill.addButton(self.continue_last)
        fill.addButton(self.grow)
        self.growth = QDoubleSpinBox()
        self.growth.setRange(-99.0, 1000.0)
        self.growth.setDecimals(1)
        self.growth.setSuffix(" % a year")
        self.growth.setValue(DEFAULT_GROWTH_PERCENT)
        self.growth.setEnabled(False)
        self.grow.toggled.connect(self.growth.setEnabled)
        growth_row = QHBoxLayout()
        growth_row.addWidget(self.grow)
        growth_row.addWidget(self.growth)
        growth_row.addStretch(1)
        kind = "quarters" if "-Q" in project.periods[0] else "years"
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow("&First year:", self.first)
        form.addRow("&Last year:", self.last)
        intro = QLabel(
            f"The project runs from {project.periods[0]} to {project.periods[-1]} in {kind}. "
            "Added periods take each input's nearest value; rows in % stay flat."
        )
        intro.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(QLabel("Inputs of added periods:"))
        layout.addWidget(self.continue_last)
        layout.addLayout(growth_row)
        layout.addWidget(self.summary)
        layout.addWidget(self.buttons)
        for box in (self.first, self.last):
            box.valueChanged.connect(self._update_summary)
        self._update_summary()
        self.first.setFocus()
        self.first.selectAll()
        self.resize(440, self.sizeHint().height())

    def _year_box(self, year: int) -> QSpinBox:
        box = QSpinBox()
        box.setRange(FIRST_YEAR, LAST_YEAR)
        box.setValue(year)
        return box

    def command(self) -> SetTimeline:
        growth = self.growth.value() / 100 if self.grow.isChecked() else None
        return SetTimeline(self.first.value(), self.last.value(), growth)

    def _update_summary(self) -> None:
        first, last = self.first.value(), self.last.value()
        try:
            timeline_periods(first, last, "-Q" in self.project.periods[0])
        except CommandError as exc:
            text, ok = str(exc), False
        else:
            text, ok = _change_in_words(self.project, first, last), True
        self.summary.setText(text[:1].upper() + text[1:])
        colour = style.MUTED_FG if ok else style.ERROR_FG
        self.summary.setStyleSheet(f"color: {colour.name()};")
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(ok)


def _change_in_words(project: Project, first: int, last: int) -> str:
    old_first, old_last = period_year(project.periods[0]), period_year(project.periods[-1])
    parts = []
    if first < old_first:
        parts.append(f"adds {_years(first, old_first - 1)}")
    if last > old_last:
        parts.append(f"adds {_years(old_last + 1, last)}")
    if first > old_first:
        parts.append(f"drops {_years(old_first, min(first - 1, old_last))}")
    if last < old_last:
        parts.append(f"drops {_years(max(last + 1, old_first), old_last)}")
    return "; ".join(parts) if parts else "no change"


def _years(first: int, last: int) -> str:
    """ "2026" for one year, "2031 to 2035" for more."""
    return str(first) if first == last else f"{first} to {last}"


def losses_question(losses: TimelineLosses) -> str:
    """The question before a shorter timeline, as rich text: what goes, what moves."""
    items = "".join(f"<li>{html.escape(line)}</li>" for line in losses.lines())
    carried = "".join(f"<li>{html.escape(line)}</li>" for line in losses.carried)
    text = f"<p>The new timeline drops:</p><ul>{items}</ul>"
    if carried:
        text += f"<p>Opening balances move to the new start:</p><ul>{carried}</ul>"
    return text + "<p>Edit &gt; Undo brings all of it back.</p>"


def confirm_losses(parent: QWidget | None, losses: TimelineLosses) -> bool:
    """Ask before dropping anything (tests replace this function); Cancel is the default."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle("Shorten the timeline?")
    box.setText(losses_question(losses))
    drop = box.addButton("Drop them", QMessageBox.ButtonRole.AcceptRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    box.exec()
    return box.clickedButton() is drop


def ask_timeline(parent: QWidget | None, project: Project) -> SetTimeline | None:
    """The timeline change the user asks for, or None (tests replace this function)."""
    dialog = TimelineDialog(project, parent)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return dialog.command()


def change_timeline(parent: QWidget | None, document: Document) -> bool:
    """Ask for a new timeline, confirm what it drops, and apply it as one undo step."""
    command = ask_timeline(parent, document.project)
    if command is None:
        return False
    periods = document.project.periods
    if (command.first_year, command.last_year) == (
        period_year(periods[0]),
        period_year(periods[-1]),
    ):
        document.message.emit("The timeline is unchanged")
        return False
    losses = timeline_losses(document.project, command.first_year, command.last_year)
    if losses.anything and not confirm_losses(parent, losses):
        return False
    earlier = earlier_start_balances(document.project, command.first_year)
    if not document.push(command):
        return False
    if earlier:
        document.message.emit(
            f"The model now starts in {command.first_year}: check "
            + ", ".join(earlier)
            + " (their values were entered for the old start)"
        )
    return True


def install_timeline_action(window: MainWindow) -> QAction:
    """Model > Timeline…"""
    action = window.model_menu.addAction("&Timeline…")
    action.setStatusTip("Change the first and last year of the project")
    action.triggered.connect(lambda: change_timeline(window, window.document))
    return action
