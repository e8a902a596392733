"""Scenarios side by side in the window: the comparison, the overrides list, colours, and
the questions asked when a scenario is added, duplicated or deleted."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QColor, QIcon
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from planner.builtin import builtin_project
from planner.commands import SetInput, scenario_name_problem
from planner.io.project_file import project_json
from planner.overrides import override_count
from planner.scenario_colours import scenario_colours
from tests.ui.conftest import DialogLog
from ui.charts import ComparisonChart
from ui.formula_model import FORMULA_COLUMN
from ui.item_model import FIRST_PERIOD_COLUMN
from ui.main_window import MainWindow
from ui.scenario_comparison import ComparisonWindow, OverridesTab, show_overrides
from ui.scenario_dialogs import ScenarioNameDialog


def _comparison(window: MainWindow) -> ComparisonWindow:
    window.show_comparison()
    found = window.findChild(ComparisonWindow)
    assert isinstance(found, ComparisonWindow)
    return found


def _text(window: ComparisonWindow, kpi_label: str, header: str, nth: int = 0) -> str:
    """The cell of the row ``kpi_label`` under the ``nth`` column headed ``header``."""
    model = window.table.comparison
    rows = [r for r in range(model.rowCount()) if model.index(r, 0).data() == kpi_label]
    columns = [
        c
        for c in range(model.columnCount())
        if model.headerData(c, Qt.Orientation.Horizontal) == header
    ]
    return str(model.index(rows[0], columns[nth]).data())


def _chart(window: MainWindow) -> ComparisonChart:
    chart = next(c for c in window.charts if isinstance(c, ComparisonChart))
    return chart


def _pen_colours(window: MainWindow) -> dict[str, str]:
    window.document.flush()
    return {name: curve.opts["pen"].color().name() for name, curve in _chart(window).curves.items()}


def test_comparison_shows_every_scenario_and_its_difference_from_the_base(
    window: MainWindow,
) -> None:
    compared = _comparison(window)
    model = compared.table.comparison
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert headers == [
        "Key figure",
        "Leaked plan",
        "Bull case",
        "vs base",
        "Bear case",
        "vs base",
        "Custom silicon",
        "vs base",
    ]
    assert model.rowCount() == 8
    assert _text(compared, "Cash runs out", "Bear case") == "2028-12"
    assert _text(compared, "Cash runs out", "vs base", 1) == "runs out"
    assert _text(compared, "Break-even year", "vs base", 0) == "5 years earlier"
    peak = _text(compared, "Peak funding need", "vs base", 1)
    assert peak.startswith("+$") and peak.endswith("B")
    # Every row shows without scrolling.
    assert compared.table.height() >= compared.table.sizeHint().height()


def test_comparison_follows_an_edit_and_its_undo(window: MainWindow) -> None:
    compared = _comparison(window)
    before = _text(compared, "Total raised", "Bull case")
    round_2026 = next(r for r in window.document.project.funding_rounds if r.period == "2026")
    edited = round_2026.model_copy(update={"amount": round_2026.amount + 50})
    from planner.commands import PutRow

    assert window.document.push(PutRow("Bull case", edited))
    window.document.flush()
    assert _text(compared, "Total raised", "Bull case") != before
    assert _text(compared, "Total raised", "vs base", 0) == "+$50.0B"
    window.document.undo_stack.undo()
    window.document.flush()
    assert _text(compared, "Total raised", "Bull case") == before
    assert _text(compared, "Total raised", "vs base", 0) == "same"


def test_differences_are_coloured_better_or_worse(window: MainWindow) -> None:
    compared = _comparison(window)
    model = compared.table.comparison
    row = next(
        r for r in range(model.rowCount()) if model.index(r, 0).data() == "Peak funding need"
    )
    bull, bear = 3, 5  # the "vs base" columns of the bull and bear cases
    better = model.index(row, bull).data(Qt.ItemDataRole.ForegroundRole)
    worse = model.index(row, bear).data(Qt.ItemDataRole.ForegroundRole)
    assert isinstance(better, QColor) and isinstance(worse, QColor)
    assert better.green() > better.red() and worse.red() > worse.green()


def test_a_click_on_a_scenario_heading_shows_that_scenario(window: MainWindow) -> None:
    compared = _comparison(window)
    header = compared.table.horizontalHeader()
    header.sectionClicked.emit(4)  # "Bear case"
    assert window.document.scenario == "Bear case"
    assert compared.table.comparison.headerData(
        4, Qt.Orientation.Horizontal, Qt.ItemDataRole.FontRole
    ).bold()


def test_one_comparison_window_however_often_it_is_asked_for(window: MainWindow) -> None:
    first = _comparison(window)
    window.scenarios.compareRequested.emit()
    assert window.findChildren(ComparisonWindow) == [first]
    assert first.isVisible()


@pytest.mark.parametrize("which", ["comparison", "overrides"])
def test_comparison_models_pass_the_model_tester(
    window: MainWindow, qtmodeltester: ModelTester, which: str
) -> None:
    compared = _comparison(window)
    overrides = show_overrides(window.tables)
    model = compared.table.comparison if which == "comparison" else overrides.model
    qtmodeltester.check(model)
    # The tester stays connected: a scenario switch, an added one and its undo are checked.
    window.document.set_scenario("Bear case")
    window.document.flush()
    window.scenarios.add_scenario()
    window.document.flush()
    window.document.undo_stack.undo()
    window.document.flush()
    qtmodeltester.check(model)


# --- the overrides of the scenario on screen ------------------------------------------------


def _overrides(window: MainWindow, scenario: str) -> OverridesTab:
    window.document.set_scenario(scenario)
    window.document.flush()
    window.show_overrides()
    return show_overrides(window.tables)


def _row_of(tab: OverridesTab, label: str, period: str = "") -> QModelIndex:
    model = tab.model
    row = next(
        r
        for r in range(model.rowCount())
        if model.override_at(r).label == label and model.override_at(r).period == period
    )
    return model.index(row, 0)


def test_overrides_list_base_and_scenario_values(window: MainWindow) -> None:
    tab = _overrides(window, "Bear case")
    model = tab.model
    assert model.rowCount() == override_count(window.document.project, "Bear case")
    index = _row_of(tab, "Enterprise and API", "2026")
    values = [model.index(index.row(), c).data() for c in range(4)]
    assert values == ["Enterprise and API", "2026", "$14B", "$9B"]
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(4)]
    assert headers[2:] == ["Leaked plan (base)", "Bear case"]
    assert "overrides" in tab.heading.text()


def test_the_base_lists_nothing_and_says_why(window: MainWindow) -> None:
    tab = _overrides(window, window.document.project.base_name)
    assert tab.model.rowCount() == 0
    assert "is the base" in tab.heading.text()


def test_the_list_follows_a_new_override(window: MainWindow) -> None:
    tab = _overrides(window, "Custom silicon")
    count = tab.model.rowCount()
    assert window.document.push(SetInput("Custom silicon", "chatgpt_users", "2030", 1.0))
    window.document.flush()
    assert tab.model.rowCount() == count + 1


def test_a_click_goes_to_the_input_cell(window: MainWindow, qtbot: QtBot) -> None:
    tab = _overrides(window, "Bear case")
    index = _row_of(tab, "Enterprise and API", "2028")
    rect = tab.view.visualRect(index)
    qtbot.mouseClick(tab.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    view = window.tables.item_view("revenue")
    assert window.tables.currentWidget().isAncestorOf(view)
    current = view.currentIndex()
    model = view.model()
    assert model.item_at(current.row()).id == "enterprise_api"  # type: ignore[attr-defined]
    assert current.column() == FIRST_PERIOD_COLUMN + window.document.project.periods.index("2028")


def test_enter_goes_to_the_event_row(window: MainWindow, qtbot: QtBot) -> None:
    tab = _overrides(window, "Bear case")
    index = _row_of(tab, "Stock market listing round of 2027")
    tab.view.setFocus()
    tab.view.setCurrentIndex(index)
    qtbot.keyClick(tab.view, Qt.Key.Key_Return)
    funding = window.tables.funding_tab
    assert window.tables.currentWidget().isAncestorOf(funding)
    assert funding.model.row_at(funding.view.currentIndex().row()).id == "r2027_ipo"


def test_a_formula_override_goes_to_the_model_tab(window: MainWindow) -> None:
    from planner.commands import SetFormula

    assert window.document.push(SetFormula("Bull case", "burn", "total_costs - revenue * 1.1"))
    tab = _overrides(window, "Bull case")
    index = _row_of(tab, window.document.project.item("burn").label)
    tab.view.activated.emit(index)
    editor = window.tables.formula_tab
    assert window.tables.currentWidget().isAncestorOf(editor)
    current = editor.view.currentIndex()
    assert editor.model.item_at(current.row()).id == "burn"
    assert current.column() == FORMULA_COLUMN


def test_the_panel_link_opens_the_list(window: MainWindow) -> None:
    window.document.set_scenario("Bear case")
    assert "List them" in window.scenarios.summary.text()
    window.scenarios.summary.linkActivated.emit("#overrides")
    assert isinstance(window.tables.currentWidget().findChild(OverridesTab), OverridesTab)


# --- colours ------------------------------------------------------------------------------


def test_adding_a_scenario_recolours_no_other(window: MainWindow) -> None:
    before = _pen_colours(window)
    assert len(set(before.values())) == len(before)
    assert window.scenarios.add_scenario()
    after = _pen_colours(window)
    assert {name: after[name] for name in before} == before
    assert after["New scenario"] not in before.values()
    # The scenario before the others goes; they keep their colours too.
    window.document.set_scenario("Bull case")
    assert window.scenarios.delete_scenario()
    remaining = _pen_colours(window)
    assert all(remaining[name] == before[name] for name in remaining if name in before)


def test_the_list_shows_each_scenarios_colour(window: MainWindow) -> None:
    model = window.scenarios.model
    colours = scenario_colours(window.document.project)
    for row in range(model.rowCount()):
        icon = model.index(row).data(Qt.ItemDataRole.DecorationRole)
        assert isinstance(icon, QIcon)
        pixel = icon.pixmap(12, 12).toImage().pixelColor(6, 6)
        assert pixel.name() == colours[model.name_at(row)]


def test_changing_a_colour_redraws_and_is_undoable(
    window: MainWindow, dialog_log: DialogLog
) -> None:
    before = _pen_colours(window)
    window.document.set_scenario("Bear case")
    dialog_log.colour_answer = "#112233"
    assert window.scenarios.change_colour()
    assert _pen_colours(window)["Bear case"] == "#112233"
    assert window.document.project.scenario("Bear case").colour == "#112233"  # type: ignore[union-attr]
    assert window.document.is_modified
    window.document.undo_stack.undo()
    assert _pen_colours(window) == before


def test_the_colour_is_picked_from_the_scenario_lists_menu(
    window: MainWindow, dialog_log: DialogLog
) -> None:
    window.document.set_scenario("Custom silicon")
    menu = window.scenarios.context_menu()
    colour = next(a for a in menu.actions() if a.text().startswith("Colour"))
    dialog_log.colour_answer = "#445566"
    colour.trigger()
    assert scenario_colours(window.document.project)["Custom silicon"] == "#445566"
    window.document.set_scenario(window.document.project.base_name)
    menu = window.scenarios.context_menu()
    colour = next(a for a in menu.actions() if a.text().startswith("Colour"))
    assert not colour.isEnabled()


def test_the_base_colour_cannot_be_changed(window: MainWindow, dialog_log: DialogLog) -> None:
    dialog_log.colour_answer = "#112233"
    assert not window.scenarios.change_colour()
    assert window.document.undo_stack.count() == 0


def test_an_older_file_gets_stable_colours_and_is_not_modified(
    window: MainWindow, tmp_path: Path
) -> None:
    path = tmp_path / "old.burnrate"
    path.write_text(project_json(builtin_project()), encoding="utf-8")
    assert '"colour": null' in path.read_text(encoding="utf-8")
    assert window.files.open_path(path, ask=False)
    first = _pen_colours(window)
    assert not window.document.is_modified
    assert not window.isWindowModified()
    assert window.files.open_path(path, ask=False)
    assert _pen_colours(window) == first


# --- the questions ------------------------------------------------------------------------


def test_a_new_scenario_asks_for_a_name_offering_a_free_one(
    window: MainWindow, dialog_log: DialogLog
) -> None:
    dialog_log.typed_names = ["Bull case", "Upside"]
    assert window.scenarios.add_scenario()
    assert dialog_log.name_prompts == [("New scenario", "New scenario")]
    assert dialog_log.name_refusals == ["there is already a scenario named 'Bull case'"]
    assert window.document.scenario == "Upside"
    window.document.undo_stack.undo()
    assert "Upside" not in window.document.project.scenario_names


def test_cancelling_the_name_adds_nothing(window: MainWindow, dialog_log: DialogLog) -> None:
    dialog_log.typed_names = ["   "]  # refused: a scenario needs a name; then Cancel
    names = list(window.document.project.scenario_names)
    assert not window.scenarios.add_scenario()
    assert dialog_log.name_refusals == ["a scenario needs a name"]
    assert window.document.project.scenario_names == names


def test_duplicate_asks_too(window: MainWindow, dialog_log: DialogLog) -> None:
    window.document.set_scenario("Bear case")
    dialog_log.typed_names = ["Bear, harder"]
    assert window.scenarios.duplicate_scenario()
    assert dialog_log.name_prompts == [("Duplicate scenario", "Bear case copy")]
    project = window.document.project
    assert override_count(project, "Bear, harder") == override_count(project, "Bear case")


def test_the_name_dialog_stays_open_with_plannners_message(qtbot: QtBot) -> None:
    project = builtin_project()
    dialog = ScenarioNameDialog(
        None, "New scenario", "Name:", "Bear case", lambda n: scenario_name_problem(project, n)
    )
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.accept()
    assert dialog.isVisible()
    assert not dialog.problem.isHidden()
    assert dialog.problem.text() == "There is already a scenario named 'Bear case'."
    dialog.editor.setText("Bear case\tagain")
    dialog.accept()
    assert dialog.isVisible() and "tab" in dialog.problem.text()
    dialog.editor.setText("Bear case again")
    dialog.accept()
    assert not dialog.isVisible()
    assert dialog.result() == ScenarioNameDialog.DialogCode.Accepted
    assert dialog.name == "Bear case again"


@pytest.mark.parametrize("answer", [False, True])
def test_delete_asks_first_naming_the_overrides(
    window: MainWindow, dialog_log: DialogLog, answer: bool
) -> None:
    project = window.document.project
    window.document.set_scenario("Bear case")
    count = override_count(project, "Bear case")
    dialog_log.delete_answer = answer
    assert window.scenarios.delete_scenario() is answer
    assert dialog_log.delete_questions == [
        f"Delete scenario 'Bear case' and its {count} overrides?"
    ]
    assert ("Bear case" in project.scenario_names) is not answer
    if answer:
        window.document.undo_stack.undo()
        assert "Bear case" in project.scenario_names
        assert override_count(project, "Bear case") == count


def test_deleting_a_scenario_without_overrides_says_so(
    window: MainWindow, dialog_log: DialogLog
) -> None:
    assert window.scenarios.add_scenario()
    assert window.scenarios.delete_scenario()
    assert dialog_log.delete_questions == ["Delete scenario 'New scenario'? It overrides nothing."]
