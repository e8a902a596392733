"""Scenario > Explain difference…: the waterfall and its table follow the choices and edits."""

from __future__ import annotations

from pathlib import Path

import openpyxl
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from planner.commands import RenameScenario, SetInput
from ui.explain_dialog import ExplainDialog, show_explain_dialog
from ui.main_window import MainWindow


def open_dialog(window: MainWindow, qtbot: QtBot) -> ExplainDialog:
    action = next(
        a for a in window.scenario_menu.actions() if "Explain" in a.text().replace("&", "")
    )
    action.trigger()
    dialog = window.explain_dialog  # type: ignore[attr-defined]
    assert isinstance(dialog, ExplainDialog) and dialog.isVisible()
    qtbot.addWidget(dialog)
    return dialog


def test_the_menu_opens_one_dialog_with_the_base_against_the_scenario_on_screen(
    window: MainWindow, qtbot: QtBot
) -> None:
    window.document.set_scenario("Bear case")
    dialog = open_dialog(window, qtbot)
    assert (dialog.from_box.currentText(), dialog.to_box.currentText()) == (
        "Leaked plan",
        "Bear case",
    )
    assert dialog.kpi_box.currentData() == "peak_funding_need"
    assert show_explain_dialog(window) is dialog  # brought forward, not opened twice


def test_waterfall_and_table_show_the_split(window: MainWindow, qtbot: QtBot) -> None:
    dialog = open_dialog(window, qtbot)
    dialog.choose("Leaked plan", "Bear case", "peak_funding_need")
    result = dialog.result
    assert result is not None and dialog.problem == ""
    model = dialog.model
    assert model.rowCount() == len(result.parts) + 1
    assert model.index(0, 0).data() == "Enterprise and API"
    assert model.index(0, 1).data() == "+$650B"
    assert model.index(model.rowCount() - 1, 1).data() == "+$1,088B"
    steps = dialog.chart.steps
    assert steps[0].label == "Leaked plan" and steps[-1].label == "Bear case"
    assert len(steps) == 2 + sum(1 for p in result.parts if p.value != 0)
    assert "$1,294B" in dialog.headline.text() and "Exact" in dialog.method.text()


def test_a_refusal_is_shown_in_place_of_the_chart(window: MainWindow, qtbot: QtBot) -> None:
    dialog = open_dialog(window, qtbot)
    dialog.choose("Leaked plan", "Bear case", "cash_zero")
    assert dialog.result is None
    assert "cash never runs out in 'Leaked plan'" in dialog.problem
    assert "cash never runs out in" in dialog.headline.text()
    assert dialog.model.rowCount() == 0 and dialog.chart.steps == []
    dialog.choose("Leaked plan", "Bull case", "breakeven_year")
    assert dialog.result is not None and dialog.model.rowCount() > 1


def test_an_edit_updates_the_open_dialog(window: MainWindow, qtbot: QtBot) -> None:
    dialog = open_dialog(window, qtbot)
    dialog.choose("Leaked plan", "Bear case", "peak_funding_need")
    before = dialog.result
    assert before is not None
    window.document.set_scenario("Bear case")
    assert window.document.push(SetInput("Bear case", "other_costs", "2030", 500.0))
    qtbot.waitUntil(lambda: dialog.result is not before)
    assert dialog.result is not None
    assert "other_costs" in {p.group for p in dialog.result.parts}
    assert dialog.result.value_to > before.value_to


def test_a_renamed_scenario_stays_chosen(window: MainWindow, qtbot: QtBot) -> None:
    dialog = open_dialog(window, qtbot)
    dialog.choose("Leaked plan", "Bull case", "cumulative_burn")
    assert window.document.push(RenameScenario("Bull case", "Optimist"))
    names = [dialog.to_box.itemText(i) for i in range(dialog.to_box.count())]
    assert names == window.document.project.scenario_names
    assert dialog.to_box.currentText() == "Optimist"
    qtbot.waitUntil(lambda: dialog.result is not None and dialog.result.to_name == "Optimist")


def test_a_large_split_waits_for_compute_and_shows_progress(
    window: MainWindow, qtbot: QtBot
) -> None:
    dialog = open_dialog(window, qtbot)
    dialog.live_cells = 0  # as if the model were large
    seen: list[int] = []
    dialog.progress.valueChanged.connect(seen.append)
    dialog.choose("Leaked plan", "Bear case", "peak_funding_need")
    assert dialog.result is None and dialog.compute_button.isVisible()
    assert "press Compute" in dialog.headline.text()
    assert window.document.push(SetInput("Bear case", "other_costs", "2030", 500.0))
    window.document.flush()
    qtbot.wait(20)
    assert dialog.result is None  # an edit does not start it either
    qtbot.mouseClick(dialog.compute_button, Qt.MouseButton.LeftButton)
    assert dialog.result is not None and dialog.model.rowCount() > 1
    assert seen and seen[-1] == dialog.progress.maximum() == 2**9
    assert not dialog.progress.isVisible() and not dialog.compute_button.isVisible()


def test_the_table_is_a_sound_model_and_shows_errors_when_sampled(
    qtbot: QtBot,
    qtmodeltester,
    settings,  # type: ignore[no-untyped-def]
) -> None:
    from tests.planner.test_attribution import many_groups_project

    main = MainWindow(many_groups_project(14), settings=settings)
    qtbot.addWidget(main)
    dialog = open_dialog(main, qtbot)
    dialog.choose("Base", "B", "cumulative_burn")
    assert dialog.result is not None and dialog.result.method == "sampled"
    model = dialog.model
    qtmodeltester.check(model)
    assert model.headerData(3, Qt.Orientation.Horizontal, Qt.ItemDataRole.DisplayRole) == (
        "Standard error"
    )
    assert str(model.index(0, 3).data()).startswith("±")
    assert "sampled orders" in dialog.method.text()
    assert dialog.chart.steps[-2].label == "Other (6 changes)"
    main.document.undo_stack.setClean()


def test_the_split_on_screen_is_exported_as_a_sheet(
    window: MainWindow, qtbot: QtBot, tmp_path: Path
) -> None:
    dialog = open_dialog(window, qtbot)
    dialog.choose("Leaked plan", "Bear case", "peak_funding_need")
    assert dialog.export_button.isEnabled()
    written = tmp_path / "explained.xlsx"
    assert dialog.export_with_explanation(str(written))
    sheets = openpyxl.load_workbook(written, read_only=True).sheetnames
    assert "Why Bear case" in sheets
    dialog.choose("Leaked plan", "Leaked plan", "peak_funding_need")
    assert not dialog.export_button.isEnabled()  # nothing to split, nothing to export
