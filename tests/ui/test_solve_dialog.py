"""Scenario > Solve for…: the question, the search, the answer, and applying it as one step."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt, QTimer
from pytestqt.qtbot import QtBot

from planner.engine import evaluate
from planner.kpis import compute_kpis
from planner.solve import EventTerm, InputCell, RowGrowth, RowScale
from ui.main_window import MainWindow
from ui.solve_dialog import SolveDialog


def open_dialog(window: MainWindow, qtbot: QtBot, scenario: str = "Bear case") -> SolveDialog:
    window.document.set_scenario(scenario)
    window.solve_action.trigger()
    dialog = window.findChild(SolveDialog)
    assert dialog is not None
    qtbot.waitExposed(dialog)
    return dialog


def choose(combo_owner: object, name: str, data: object) -> None:
    combo = getattr(combo_owner, name)
    index = combo.findData(data)
    assert index >= 0, f"{data!r} is not offered"
    combo.setCurrentIndex(index)


def test_the_scenario_menu_opens_solve_for_the_scenario_on_screen(
    window: MainWindow, qtbot: QtBot
) -> None:
    assert "&Solve for…" in [a.text() for a in window.scenario_menu.actions()]
    dialog = open_dialog(window, qtbot)
    assert dialog.windowTitle() == "Solve for… — Bear case"
    assert dialog.apply_button.text() == "&Apply to Bear case"
    assert not dialog.apply_button.isEnabled()  # nothing to apply before an answer


def test_the_bear_case_answer_with_its_key_figures(window: MainWindow, qtbot: QtBot) -> None:
    dialog = open_dialog(window, qtbot)
    # A revenue input is ticked to start with: the built-in's enterprise and API.
    assert dialog.vary.variable() == RowScale(("enterprise_api",))
    choose(dialog.target, "year", "2035")
    qtbot.mouseClick(dialog.solve_button, Qt.MouseButton.LeftButton)
    assert dialog.solution is not None
    assert dialog.solution.value == pytest.approx(5.3584, abs=1e-3)
    assert "x5.3584 (now x1)" in dialog.answer.headline.text()
    now, after = dialog.answer.cells["cash_zero"]
    assert (now.text(), after.text()) == ("2028-12", "never")
    assert after.font().bold()
    assert dialog.apply_button.isEnabled() and dialog.new_button.isEnabled()


def test_apply_is_one_undo_step_on_the_scenario(window: MainWindow, qtbot: QtBot) -> None:
    document = window.document
    before = document.project.model_dump()
    steps = document.undo_stack.count()
    dialog = open_dialog(window, qtbot)
    choose(dialog.target, "year", "2035")
    dialog.run()
    assert dialog.solution is not None
    factor = dialog.solution.value
    qtbot.mouseClick(dialog.apply_button, Qt.MouseButton.LeftButton)
    assert document.undo_stack.count() == steps + 1
    assert document.undo_stack.undoText().startswith("Solve: Enterprise and API")
    assert document.kpis("Bear case")["cash_zero"] is None
    bear = document.project.scenario("Bear case")
    assert bear is not None
    assert bear.inputs["enterprise_api"]["2030"] == pytest.approx(25.0 * factor)
    document.undo_stack.undo()
    assert document.project.model_dump() == before
    assert document.kpis("Bear case")["cash_zero"] == "2028-12"


def test_save_as_new_scenario_is_named_after_the_question(window: MainWindow, qtbot: QtBot) -> None:
    document = window.document
    dialog = open_dialog(window, qtbot)
    choose(dialog.target, "year", "2035")
    dialog.run()
    name = "Bear case: cash never below zero through 2035 (Enterprise and API, scaled from 2026)"
    assert name in dialog.new_button.toolTip()
    qtbot.mouseClick(dialog.new_button, Qt.MouseButton.LeftButton)
    assert document.scenario == name  # shown at once, to compare
    assert compute_kpis(evaluate(document.project, name))["cash_zero"] is None
    assert document.kpis("Bear case")["cash_zero"] == "2028-12"  # the original is untouched
    document.undo_stack.undo()
    assert name not in document.project.scenario_names


def test_no_value_in_the_range_says_so_and_offers_nothing_to_apply(
    window: MainWindow, qtbot: QtBot
) -> None:
    dialog = open_dialog(window, qtbot)
    dialog.high.setText("2")
    dialog.run()
    assert dialog.solution is not None and dialog.solution.status == "no_solution"
    assert dialog.answer.headline.text() == "No value in the range searched meets the target"
    assert "Widen the range" in dialog.answer.detail.text()
    assert not dialog.apply_button.isEnabled()


def test_applying_to_the_base_warns_that_other_scenarios_follow_it(
    window: MainWindow, qtbot: QtBot
) -> None:
    dialog = open_dialog(window, qtbot, "Leaked plan")
    choose(dialog.target, "kind", "breakeven")
    choose(dialog.target, "year", "2030")
    dialog.run()
    assert dialog.solution is not None and dialog.solution.outcome == "reached"
    assert "Leaked plan is the base" in dialog.answer.next_step.text()


def test_a_range_that_is_not_numbers_is_refused_in_the_dialog(
    window: MainWindow, qtbot: QtBot
) -> None:
    dialog = open_dialog(window, qtbot)
    dialog.low.setText("lots")
    dialog.run()
    assert dialog.solution is None
    assert dialog.problem.isVisible()
    assert dialog.problem.text().startswith("The range searched:")


def test_no_row_ticked_is_refused_in_the_dialog(window: MainWindow, qtbot: QtBot) -> None:
    dialog = open_dialog(window, qtbot)
    rows = dialog.vary.rows
    for i in range(rows.count()):
        rows.item(i).setCheckState(Qt.CheckState.Unchecked)
    dialog.run()
    assert dialog.problem.text() == "Tick at least one row to scale"


def test_changing_the_question_withdraws_the_answer(window: MainWindow, qtbot: QtBot) -> None:
    dialog = open_dialog(window, qtbot)
    choose(dialog.target, "year", "2035")
    dialog.run()
    assert dialog.apply_button.isEnabled()
    choose(dialog.target, "year", "2030")
    assert dialog.solution is None
    assert not dialog.apply_button.isEnabled()
    assert dialog.answer.headline.text() == "No answer yet"


def test_cancel_stops_the_search_and_keeps_the_window_working(
    window: MainWindow, qtbot: QtBot
) -> None:
    dialog = open_dialog(window, qtbot)
    QTimer.singleShot(0, dialog.cancel_button.click)  # heard between two steps of the search
    dialog.run()
    assert dialog.solution is None
    assert dialog.problem.text() == "Cancelled: no answer."
    assert dialog.solve_button.isEnabled() and not dialog.cancel_button.isVisible()


def test_closing_during_the_search_stops_it_first(window: MainWindow, qtbot: QtBot) -> None:
    dialog = open_dialog(window, qtbot)
    QTimer.singleShot(0, dialog.reject)
    with qtbot.waitSignal(dialog.rejected, timeout=5000):
        dialog.run()
    assert dialog.solution is None


def test_pickers_offer_the_projects_items_periods_rounds_and_contracts(
    window: MainWindow, qtbot: QtBot
) -> None:
    dialog = open_dialog(window, qtbot)
    vary = dialog.vary
    choose(vary, "kind", "cell")
    choose(vary, "item", "other_costs")
    choose(vary, "period", "2030")
    assert vary.variable() == InputCell("other_costs", "2030")
    assert vary.item.currentText() == "Staff, sales and other operating costs ($B)"
    choose(vary, "kind", "growth")
    assert vary.period.itemData(0) == "2024"  # growth grows from the period before
    choose(vary, "kind", "amount")
    assert vary.event_row.currentText() == "Microsoft round of 2023"
    # The bear case removes the listing: it is not offered there.
    assert vary.event_row.findData("r2027_ipo") == -1
    choose(vary, "event_row", "r2026_round")
    assert vary.variable() == EventTerm("r2026_round", "amount")
    choose(vary, "kind", "gw")
    choose(vary, "event_row", "c_broadcom")
    assert vary.variable() == EventTerm("c_broadcom", "gw")
    choose(vary, "kind", "growth")
    choose(vary, "item", "enterprise_api")
    choose(vary, "period", "2027")
    assert vary.variable() == RowGrowth("enterprise_api", "2027")
    assert dialog.low.text() == "-50%"  # growth ranges are typed as percentages


def test_a_growth_range_in_percent_is_searched(window: MainWindow, qtbot: QtBot) -> None:
    dialog = open_dialog(window, qtbot, "Leaked plan")
    choose(dialog.vary, "kind", "growth")
    choose(dialog.vary, "item", "enterprise_api")
    choose(dialog.vary, "period", "2026")
    choose(dialog.target, "kind", "breakeven")
    choose(dialog.target, "year", "2031")
    dialog.run()
    assert dialog.solution is not None and dialog.solution.status == "solved"
    assert dialog.solution.search_range[0] == pytest.approx(-0.5)
    assert "% a period" in dialog.answer.headline.text()


def test_the_chance_target_needs_the_projects_ranges(window: MainWindow, qtbot: QtBot) -> None:
    window.document.replace_project(
        window.document.project.model_copy(update={"uncertainty": [], "correlations": []}),
        unsaved=False,
    )
    dialog = open_dialog(window, qtbot)
    kind = dialog.target.kind
    entry = kind.model().item(kind.findData("chance"))
    assert not entry.isEnabled()


def test_a_series_target_reads_its_value(window: MainWindow, qtbot: QtBot) -> None:
    dialog = open_dialog(window, qtbot, "Leaked plan")
    target = dialog.target
    choose(target, "kind", "series")
    choose(target, "series", "cash")
    choose(target, "period", "2030")
    choose(target, "comparison", ">=")
    target.amount.setText("250")
    assert target.target().spec == "series:cash:2030>=250"
    target.amount.setText("")
    dialog.run()
    assert dialog.problem.text().startswith("The value:")
