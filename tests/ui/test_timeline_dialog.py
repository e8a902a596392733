"""Model > Timeline…: the dialog, the question before dropping, and the window after."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QMessageBox
from pytestqt.qtbot import QtBot

from planner.builtin import builtin_project
from planner.templates import build_template
from planner.timeline import SetTimeline, TimelineLosses
from ui import timeline_dialog
from ui.item_model import FIRST_PERIOD_COLUMN, ItemTableModel
from ui.main_window import MainWindow
from ui.timeline_dialog import TimelineDialog


def test_the_dialog_starts_at_the_current_timeline_and_says_what_changes(qtbot: QtBot) -> None:
    dialog = TimelineDialog(builtin_project())
    qtbot.addWidget(dialog)
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert (dialog.first.value(), dialog.last.value()) == (2023, 2035)
    assert dialog.summary.text() == "No change"
    dialog.last.setValue(2040)
    assert dialog.summary.text() == "Adds 2036 to 2040"
    dialog.first.setValue(2025)
    assert dialog.summary.text() == "Adds 2036 to 2040; drops 2023 to 2024"
    assert dialog.command() == SetTimeline(2025, 2040, None)
    dialog.grow.setChecked(True)
    dialog.growth.setValue(8.0)
    assert dialog.command() == SetTimeline(2025, 2040, pytest.approx(0.08))
    dialog.last.setValue(2020)
    assert not ok.isEnabled() and "before the first" in dialog.summary.text()


def test_the_growth_rate_is_only_editable_when_chosen(qtbot: QtBot) -> None:
    dialog = TimelineDialog(builtin_project())
    qtbot.addWidget(dialog)
    assert not dialog.growth.isEnabled()
    dialog.grow.setChecked(True)
    assert dialog.growth.isEnabled()


class Answers:
    def __init__(self, command: SetTimeline | None, confirm: bool) -> None:
        self.command = command
        self.confirm = confirm
        self.questions: list[TimelineLosses] = []

    def ask_timeline(self, parent: object, project: object) -> SetTimeline | None:
        return self.command

    def confirm_losses(self, parent: object, losses: TimelineLosses) -> bool:
        self.questions.append(losses)
        return self.confirm


def answer(monkeypatch: pytest.MonkeyPatch, command: SetTimeline | None, confirm: bool) -> Answers:
    answers = Answers(command, confirm)
    monkeypatch.setattr(timeline_dialog, "ask_timeline", answers.ask_timeline)
    monkeypatch.setattr(timeline_dialog, "confirm_losses", answers.confirm_losses)
    return answers


def drivers(window: MainWindow) -> ItemTableModel:
    model = window.tables.item_view("drivers").model()
    assert isinstance(model, ItemTableModel)
    return model


def test_the_model_menu_holds_the_timeline(window: MainWindow) -> None:
    titles = [action.text() for action in window.menuBar().actions()]
    assert titles.count("&Model") == 1
    assert [a.text() for a in window.model_menu.actions()] == ["&Timeline…"]


def test_extending_asks_nothing_and_adds_columns_everywhere(
    window: MainWindow, monkeypatch: pytest.MonkeyPatch, qtbot: QtBot
) -> None:
    answers = answer(monkeypatch, SetTimeline(2023, 2040), confirm=False)
    model = drivers(window)
    with qtbot.waitSignal(window.redrawn, timeout=2000):
        window.model_menu.actions()[0].trigger()
    assert answers.questions == []
    assert model.columnCount() == FIRST_PERIOD_COLUMN + 18
    assert model.headerData(model.columnCount() - 1, Qt.Orientation.Horizontal) == "2040"
    view = window.tables.item_view("drivers")
    assert view.horizontalHeader().count() == model.columnCount()
    assert view.columnWidth(model.columnCount() - 1) == view.columnWidth(FIRST_PERIOD_COLUMN)
    assert all(len(chart.x) == 18 for chart in window.charts)
    assert window.document.undo_stack.undoText() == "Change timeline to 2023-2040"
    with qtbot.waitSignal(window.redrawn, timeout=2000):
        window.document.undo_stack.undo()
    assert model.columnCount() == FIRST_PERIOD_COLUMN + 13
    assert all(len(chart.x) == 13 for chart in window.charts)


def test_an_earlier_start_says_which_opening_balances_to_check(
    window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    answers = answer(monkeypatch, SetTimeline(2022, 2035), confirm=False)
    messages: list[str] = []
    window.document.message.connect(messages.append)
    window.model_menu.actions()[0].trigger()
    assert answers.questions == []  # nothing is dropped, so nothing is asked
    assert window.document.project.periods[0] == "2022"
    assert messages[-1] == (
        "The model now starts in 2022: check Run-rate at the start of 2022, Capital raised "
        "before 2022, Cash at the start of 2022 (their values were entered for the old start)"
    )
    assert window.statusBar().currentMessage() == messages[-1]


def test_shortening_names_what_goes_and_a_no_keeps_everything(
    window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    answers = answer(monkeypatch, SetTimeline(2025, 2030), confirm=False)
    window.model_menu.actions()[0].trigger()
    (losses,) = answers.questions
    text = "\n".join(losses.lines())
    assert "Microsoft round of 2023" in text
    assert "Bear case: " in text and "2031 to 2035" in text
    assert "r2023_msft" not in text
    assert window.document.project.periods[0] == "2023"
    assert not window.document.is_modified


def test_shortening_when_confirmed_drops_rows_and_undo_brings_them_back(
    window: MainWindow, monkeypatch: pytest.MonkeyPatch, qtbot: QtBot
) -> None:
    answer(monkeypatch, SetTimeline(2025, 2030), confirm=True)
    rounds = window.tables.funding_tab.model
    before = rounds.rowCount()
    kpis_before = dict(window.document.kpis())
    with qtbot.waitSignal(window.redrawn, timeout=2000):
        window.model_menu.actions()[0].trigger()
    assert window.document.project.periods == [str(y) for y in range(2025, 2031)]
    assert rounds.rowCount() == before - 2
    assert drivers(window).columnCount() == FIRST_PERIOD_COLUMN + 6
    with qtbot.waitSignal(window.redrawn, timeout=2000):
        window.document.undo_stack.undo()
    assert rounds.rowCount() == before
    assert window.document.kpis() == kpis_before


def test_the_question_lists_losses_and_carried_balances() -> None:
    losses = TimelineLosses(
        periods=("2023", "2024"),
        funding_rounds=("Microsoft round of 2023",),
        carried=("Cash at the start of 2023 takes the 2024 value of Cash at year end",),
    )
    text = timeline_dialog.losses_question(losses)
    assert "2 periods (2023 to 2024)" in text and "Microsoft round of 2023" in text
    assert "Cash at the start of 2023 takes the 2024 value" in text


def test_the_question_defaults_to_cancel(qtbot: QtBot) -> None:
    def press_enter() -> None:
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox)
        assert "Microsoft round of 2023" in box.text()
        qtbot.keyClick(box, Qt.Key.Key_Return)

    QTimer.singleShot(0, press_enter)
    losses = TimelineLosses(periods=("2023",), funding_rounds=("Microsoft round of 2023",))
    assert timeline_dialog.confirm_losses(None, losses) is False


def test_a_chart_resized_before_the_redraw_draws_the_new_periods(window: MainWindow) -> None:
    assert window.document.push(SetTimeline(2023, 2040))
    for chart in window.charts:  # the redraw is still to come when the layout resizes
        box = chart.plot.getViewBox()
        box.sigResized.emit(box)
        assert len(chart.x) == 18
    cash = window.charts[1].cash  # type: ignore[attr-defined]
    assert len(cash.yData) == 18


def test_the_same_timeline_adds_no_undo_step(
    window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    answer(monkeypatch, SetTimeline(2023, 2035, 0.1), confirm=True)
    window.model_menu.actions()[0].trigger()
    assert window.document.undo_stack.count() == 0
    assert window.statusBar().currentMessage() == "The timeline is unchanged"


def test_one_year_added_or_dropped_is_named_once(qtbot: QtBot) -> None:
    dialog = TimelineDialog(build_template("blank", 2026, 2035, True))
    qtbot.addWidget(dialog)
    dialog.first.setValue(2027)
    dialog.last.setValue(2036)
    assert dialog.summary.text() == "Adds 2036; drops 2026"
