"""File > New: choose a template, the first and last year, and years or quarters."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from planner.builtin import builtin_project
from planner.commands import CommandError
from planner.model import FIRST_YEAR, LAST_YEAR, Project, period_year
from planner.templates import TEMPLATES, TemplateError, build_template
from planner.timeline import timeline_periods
from ui import style

DEFAULT_YEARS = 10  # next year and nine more
FIXED_TIMELINE = "openai-2025"  # the article's project keeps its own start, in years


class NewProjectDialog(QDialog):
    """The template list with a description, the timeline, and OK to build the project."""

    def __init__(self, parent: QWidget | None = None, first_year: int | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("New project")
        self.project: Project | None = None
        start = first_year if first_year is not None else date.today().year + 1
        self.templates = QListWidget()
        for template in TEMPLATES.values():
            entry = QListWidgetItem(template.title)
            entry.setData(Qt.ItemDataRole.UserRole, template.id)
            entry.setToolTip(template.description)
            self.templates.addItem(entry)
        self.templates.setMaximumHeight(self.templates.sizeHintForRow(0) * (len(TEMPLATES) + 1) + 8)
        self.description = QLabel()
        self.description.setWordWrap(True)
        self.description.setMinimumHeight(self.description.fontMetrics().lineSpacing() * 3)
        self.first = self._year_box(start)
        self.last = self._year_box(start + DEFAULT_YEARS - 1)
        self.period_length = QComboBox()
        self.period_length.addItems(["Years", "Quarters"])
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet(f"color: {style.ERROR_FG.name()};")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        template_label = QLabel("&Template:")
        template_label.setBuddy(self.templates)
        form = QFormLayout()
        form.addRow("&First year:", self.first)
        form.addRow("&Last year:", self.last)
        form.addRow("&Periods:", self.period_length)
        layout = QVBoxLayout(self)
        layout.addWidget(template_label)
        layout.addWidget(self.templates)
        layout.addWidget(self.description)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        self._free_timeline = (start, start + DEFAULT_YEARS - 1)
        article = builtin_project()
        self._article_years = (period_year(article.periods[0]), period_year(article.periods[-1]))
        self._article_reference = article.reference_period
        self.templates.currentRowChanged.connect(self._template_chosen)
        for box in (self.first, self.last):
            box.valueChanged.connect(self._check)
        self.period_length.currentIndexChanged.connect(self._check)
        self.templates.setCurrentRow(0)
        self.templates.setFocus()
        self.resize(460, self.sizeHint().height())

    @property
    def quarterly(self) -> bool:
        return self.period_length.currentIndex() == 1

    def _year_box(self, year: int) -> QSpinBox:
        box = QSpinBox()
        box.setRange(FIRST_YEAR, LAST_YEAR)
        box.setValue(year)
        box.setAccelerated(True)
        return box

    @property
    def template_id(self) -> str:
        entry = self.templates.currentItem()
        return str(entry.data(Qt.ItemDataRole.UserRole)) if entry is not None else "blank"

    def _template_chosen(self) -> None:
        template = TEMPLATES[self.template_id]
        self.description.setText(template.description)
        fixed = template.id == FIXED_TIMELINE
        if fixed:
            if self.first.isEnabled():
                self._free_timeline = (self.first.value(), self.last.value())
            self.first.setValue(self._article_years[0])
            self.last.setValue(self._article_years[1])
            self.period_length.setCurrentIndex(0)
        elif not self.first.isEnabled():
            self.first.setValue(self._free_timeline[0])
            self.last.setValue(self._free_timeline[1])
        # Its first year and period length are the article's; its last year may move.
        for widget in (self.first, self.period_length):
            widget.setEnabled(not fixed)
        self.first.setToolTip(
            "The OpenAI project starts in 2023: its opening balances are those of 2023"
            if fixed
            else ""
        )
        self._check()

    def _check(self) -> None:
        """Say at once what is wrong with the timeline, and only let a good one through."""
        problem = ""
        try:
            timeline_periods(self.first.value(), self.last.value(), self.quarterly)
        except CommandError as exc:
            problem = str(exc)
        if not problem and self.template_id == FIXED_TIMELINE:
            reference = self._article_reference
            if reference is not None and self.last.value() < period_year(reference):
                problem = f"the OpenAI project runs at least to {reference}"
        self._show_problem(problem)

    def _show_problem(self, problem: str) -> None:
        self.problem.setText(problem[:1].upper() + problem[1:])
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(not problem)

    def accept(self) -> None:
        try:
            self.project = build_template(
                self.template_id, self.first.value(), self.last.value(), self.quarterly
            )
        except TemplateError as exc:
            self._show_problem(str(exc))
            return
        super().accept()


def ask_new_project(parent: QWidget | None) -> Project | None:
    """The project the user asks for, or None if they cancel."""
    dialog = NewProjectDialog(parent)
    dialog.exec()
    return dialog.project
