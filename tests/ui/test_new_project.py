"""File > New: the template chooser, and the project it makes in the window."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox
from pytestqt.qtbot import QtBot

from planner.model import Project
from planner.templates import build_template
from planner.timeline import SetTimeline
from tests.ui.conftest import DialogLog
from ui import new_project_dialog
from ui.item_model import FIRST_PERIOD_COLUMN, ItemTableModel
from ui.main_window import MainWindow
from ui.new_project_dialog import NewProjectDialog


def ok_button(dialog: NewProjectDialog):  # type: ignore[no-untyped-def]
    return dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)


def test_the_chooser_defaults_to_a_blank_project_over_the_next_ten_years(qtbot: QtBot) -> None:
    dialog = NewProjectDialog()
    qtbot.addWidget(dialog)
    next_year = date.today().year + 1
    assert dialog.template_id == "blank"
    assert (dialog.first.value(), dialog.last.value()) == (next_year, next_year + 9)
    assert not dialog.quarterly and ok_button(dialog).isEnabled()
    assert "smallest working model" in dialog.description.text()
    dialog.accept()
    assert dialog.project is not None
    assert dialog.project.periods == [str(y) for y in range(next_year, next_year + 10)]


def test_the_chooser_works_from_the_keyboard(qtbot: QtBot) -> None:
    dialog = NewProjectDialog(first_year=2026)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitActive(dialog)
    assert dialog.focusWidget() is dialog.templates
    qtbot.keyClick(dialog.templates, Qt.Key.Key_Down)
    assert dialog.template_id == "ai-lab"
    assert "every number zero" in dialog.description.text()
    for widget in (dialog.templates, dialog.first, dialog.last):
        qtbot.keyClick(widget, Qt.Key.Key_Tab)
    assert dialog.focusWidget() is dialog.period_length
    qtbot.keyClick(dialog.period_length, Qt.Key.Key_Down)
    assert dialog.quarterly
    with qtbot.waitSignal(dialog.accepted, timeout=2000):
        qtbot.keyClick(dialog.period_length, Qt.Key.Key_Return)
    assert dialog.project is not None
    assert dialog.project.periods[0] == "2026-Q1" and dialog.project.periods[-1] == "2035-Q4"


def test_the_openai_template_keeps_its_start_and_years(qtbot: QtBot) -> None:
    dialog = NewProjectDialog(first_year=2026)
    qtbot.addWidget(dialog)
    dialog.period_length.setCurrentIndex(1)
    dialog.templates.setCurrentRow(2)
    assert (dialog.first.value(), dialog.last.value()) == (2023, 2035)
    assert not dialog.quarterly
    assert not dialog.first.isEnabled() and not dialog.period_length.isEnabled()
    dialog.last.setValue(2040)
    dialog.accept()
    assert dialog.project is not None and dialog.project.periods[-1] == "2040"
    assert len(dialog.project.scenarios) == 3
    dialog.templates.setCurrentRow(0)  # back to a free timeline: the user's years return
    assert (dialog.first.value(), dialog.first.isEnabled()) == (2026, True)


def test_a_bad_timeline_says_why_and_cannot_be_accepted(qtbot: QtBot) -> None:
    dialog = NewProjectDialog(first_year=2026)
    qtbot.addWidget(dialog)
    dialog.last.setValue(2020)
    assert not ok_button(dialog).isEnabled()
    assert "before the first" in dialog.problem.text()
    dialog.last.setValue(2030)
    assert ok_button(dialog).isEnabled() and dialog.problem.text() == ""
    dialog.first.setValue(1900)
    dialog.last.setValue(2200)
    dialog.period_length.setCurrentIndex(1)
    assert not ok_button(dialog).isEnabled()
    assert "at most 600 periods" in dialog.problem.text()


def choose(monkeypatch: pytest.MonkeyPatch, project: Project | None) -> list[int]:
    asked: list[int] = []

    def ask(parent: object) -> Project | None:
        asked.append(1)
        return project

    monkeypatch.setattr(new_project_dialog, "ask_new_project", ask)
    return asked


def period_columns(window: MainWindow, group: str) -> int:
    model = window.tables.item_view(group).model()
    assert isinstance(model, ItemTableModel)
    return model.columnCount() - FIRST_PERIOD_COLUMN


def test_file_new_installs_the_chosen_project_untitled_with_fresh_tables(
    window: MainWindow, monkeypatch: pytest.MonkeyPatch, qtbot: QtBot
) -> None:
    choose(monkeypatch, build_template("blank", 2026, 2035, False))
    with qtbot.waitSignal(window.redrawn, timeout=2000):
        window.files.new_action.trigger()
    document = window.document
    assert document.path is None and not document.is_modified
    assert document.project.periods[0] == "2026"
    assert "Untitled" in window.windowTitle()
    titles = [window.tables.tabText(n) for n in range(window.tables.count())]
    assert titles[:5] == ["Revenue", "Costs", "Compute", "Funding", "Cash"]
    assert period_columns(window, "revenue") == 10
    assert window.kpis.cards["cumulative_burn"].value.text() == "$0.0B"
    assert len(window.charts[0].x) == 10
    assert len(window.charts[0].stack) == 1  # type: ignore[attr-defined]  # sales


def test_file_new_asks_to_save_changes_and_a_cancel_keeps_the_work(
    window: MainWindow, monkeypatch: pytest.MonkeyPatch, dialog_log: DialogLog
) -> None:
    window.document.push(SetTimeline(2023, 2036))
    choose(monkeypatch, build_template("blank", 2026, 2035, False))
    dialog_log.save_answer = "cancel"
    window.files.new_action.trigger()
    assert window.document.project.periods[-1] == "2036"
    assert window.document.is_modified
    asked = choose(monkeypatch, None)  # the chooser cancelled: nothing is asked or changed
    dialog_log.save_answer = "discard"
    window.files.new_action.trigger()
    assert asked and window.document.project.periods[-1] == "2036"


def test_a_model_built_from_blank_in_the_window_saves_and_summarises(
    window: MainWindow, monkeypatch: pytest.MonkeyPatch, qtbot: QtBot, tmp_path: Path
) -> None:
    from ui import timeline_dialog

    choose(monkeypatch, build_template("blank", 2026, 2028, False))
    window.files.new_action.trigger()
    revenue = window.tables.item_view("revenue").model()
    costs = window.tables.item_view("costs").model()
    assert isinstance(revenue, ItemTableModel) and isinstance(costs, ItemTableModel)
    for column in range(3):
        assert revenue.setData(revenue.index(0, FIRST_PERIOD_COLUMN + column), "2")
        assert costs.setData(costs.index(0, FIRST_PERIOD_COLUMN + column), "5")
    monkeypatch.setattr(
        timeline_dialog, "ask_timeline", lambda parent, project: SetTimeline(2026, 2030, 0.5)
    )
    with qtbot.waitSignal(window.redrawn, timeout=2000):
        window.model_menu.actions()[0].trigger()
    assert revenue.columnCount() == FIRST_PERIOD_COLUMN + 5
    assert revenue.data(revenue.index(0, FIRST_PERIOD_COLUMN + 4)) == "4.5"
    path = tmp_path / "three.burnrate"
    assert window.files.save_to(path)
    out = subprocess.run(
        [sys.executable, "-m", "planner", "summary", str(path), "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    series = json.loads(out.stdout)["scenarios"][0]["series"]
    assert series["revenue"] == [2.0, 2.0, 2.0, 3.0, 4.5]  # sales, the one revenue line
    assert series["total_costs"] == [5.0, 5.0, 5.0, 7.5, 11.25]
    assert series["cash"][-1] == pytest.approx(-(3 + 3 + 3 + 4.5 + 6.75))


def test_a_new_project_with_the_same_groups_and_more_years_shows_every_column(
    window: MainWindow, monkeypatch: pytest.MonkeyPatch, qtbot: QtBot
) -> None:
    view = window.tables.item_view("drivers")  # built before, kept: the groups are the same
    choose(monkeypatch, build_template("openai-2025", 2023, 2040, False))
    with qtbot.waitSignal(window.redrawn, timeout=2000):
        window.files.new_action.trigger()
    assert window.tables.item_view("drivers") is view
    assert period_columns(window, "drivers") == 18
    assert view.horizontalHeader().count() == FIRST_PERIOD_COLUMN + 18
    assert view.columnWidth(FIRST_PERIOD_COLUMN + 17) == view.columnWidth(FIRST_PERIOD_COLUMN)
    assert all(len(chart.x) == 18 for chart in window.charts)
