"""A new user's whole path: a new project, its structure, numbers, timeline and scenarios,
saved, reopened and summarised; then every step undone back to the start."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QItemSelection, QItemSelectionModel, Qt
from PySide6.QtWidgets import QApplication, QLineEdit
from pytestqt.qtbot import QtBot

from planner.io.project_file import project_json
from planner.templates import build_template
from planner.timeline import SetTimeline
from tests.ui.conftest import DialogLog
from tests.ui.test_new_project import choose
from tests.ui.test_structure_editing import actions_of, answer_text, fill_dialog, row_of
from ui import timeline_dialog
from ui.item_dialog import ItemDialog
from ui.item_model import FIRST_PERIOD_COLUMN, ItemTableModel
from ui.main_window import MainWindow
from ui.scenario_comparison import show_comparison, show_overrides
from ui.sheet_view import SheetView


def type_over(view: SheetView, qtbot: QtBot, row: int, column: int, text: str) -> None:
    """Select a cell and type ``text`` into it, ending with Enter, as a user does."""
    view.setFocus()
    index = view.model().index(row, column)
    view.selectionModel().setCurrentIndex(index, QItemSelectionModel.SelectionFlag.ClearAndSelect)
    qtbot.keyClick(view, text[0])
    editor = view.indexWidget(view.currentIndex())
    assert isinstance(editor, QLineEdit)
    qtbot.keyClicks(editor, text[1:])
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: view.state() != view.State.EditingState)
    QApplication.processEvents()


def select_block(view: SheetView, top: int, left: int, bottom: int, right: int) -> None:
    model = view.model()
    first, last = model.index(top, left), model.index(bottom, right)
    view.selectionModel().setCurrentIndex(first, QItemSelectionModel.SelectionFlag.ClearAndSelect)
    view.selectionModel().select(
        QItemSelection(first, last), QItemSelectionModel.SelectionFlag.ClearAndSelect
    )


@pytest.mark.parametrize(
    ("template", "quarterly"), [("blank", False), ("blank", True), ("ai-lab", False)]
)
def test_a_new_model_built_in_the_window_saves_reopens_and_undoes_to_the_start(
    window: MainWindow,
    qtbot: QtBot,
    monkeypatch: pytest.MonkeyPatch,
    dialog_log: DialogLog,
    tmp_path: Path,
    template: str,
    quarterly: bool,
) -> None:
    window.resize(1024, 700)
    window.show()
    qtbot.waitExposed(window)
    choose(monkeypatch, build_template(template, 2026, 2028, quarterly))
    window.files.new_action.trigger()
    document = window.document
    stack = document.undo_stack
    states = [project_json(document.project)]  # the project after each undo step

    def step() -> None:
        assert stack.count() == len(states), stack.undoText()
        states.append(project_json(document.project))

    # A group, then an input row in it and a formula, from the context menu's actions.
    view = window.tables.item_view("revenue")
    window.tables.show_page("revenue")
    actions = actions_of(view)
    view.setCurrentIndex(view.model().index(0, 0))
    answer_text(monkeypatch, "Grants")
    actions.add_group.trigger()
    step()
    assert "grants" in document.project.group_order()
    window.tables.show_page("grants")
    grants = window.tables.item_view("grants")
    model = grants.model()
    assert isinstance(model, ItemTableModel)

    def research(dialog: ItemDialog) -> None:
        dialog.label_edit.setText("Research grants")
        dialog.unit_combo.setCurrentText("$B")

    fill_dialog(monkeypatch, research)
    actions_of(grants).add_item.trigger()
    step()

    def kept(dialog: ItemDialog) -> None:
        dialog.label_edit.setText("Grants kept")
        dialog.unit_combo.setCurrentText("$B")
        dialog.kind_combo.setCurrentIndex(dialog.kind_combo.findData("formula"))
        dialog.formula_edit.setText("research_grants * 0.5")

    grants.setCurrentIndex(model.index(0, 0))
    fill_dialog(monkeypatch, kept)
    actions_of(grants).add_item.trigger()
    step()
    row = row_of(model, "research_grants")
    first = FIRST_PERIOD_COLUMN

    # Numbers as a modeller types them: with units, growth, a refused percentage, fills.
    type_over(grants, qtbot, row, first, "$2B")
    step()
    type_over(grants, qtbot, row, first + 1, "+50%")
    step()
    type_over(grants, qtbot, row, first + 2, "12%")
    assert stack.count() == len(states) - 1  # refused: nothing changed
    assert "%" in window.statusBar().currentMessage()
    select_block(grants, row, first + 1, row, model.columnCount() - 1)
    grants.fill_right_action.trigger()
    step()
    values = document.project.item("research_grants").inputs
    assert values is not None and values[:2] == [2.0, 3.0] and set(values[2:]) == {3.0}
    kept_row = row_of(model, "grants_kept")
    assert model.data(model.index(kept_row, first + 1)) == "1.5"
    actions_of(grants).move_to_group("grants_kept", "revenue")  # now part of the revenue
    step()
    assert document.project.item("grants_kept").group == "revenue"

    # A longer timeline whose new periods grow by 10% a year.
    monkeypatch.setattr(
        timeline_dialog, "ask_timeline", lambda parent, project: SetTimeline(2026, 2029, 0.1)
    )
    window.model_menu.actions()[0].trigger()
    step()
    periods = document.project.periods
    assert periods[-1].startswith("2029")
    grown = document.project.item("research_grants").inputs
    assert grown is not None and grown[-1] == pytest.approx(3.0 * 1.1)

    # A scenario, named when asked, that overrides one cell; the comparison and the list.
    dialog_log.typed_names = ["Grants doubled"]
    assert window.scenarios.add_scenario()
    step()
    assert document.scenario == "Grants doubled"
    type_over(grants, qtbot, row_of(model, "research_grants"), first + 1, "6")
    step()
    comparison = show_comparison(window, document, window.tables)
    assert comparison.isVisible()
    table = comparison.table.model()
    headers = [table.headerData(c, Qt.Orientation.Horizontal) for c in range(table.columnCount())]
    assert any("Grants doubled" in str(h) for h in headers), headers
    comparison.close()
    overrides = show_overrides(window.tables)
    assert overrides.model.rowCount() == 1
    overrides.view.clicked.emit(overrides.model.index(0, 0))
    assert window.tables.currentWidget() is window.tables._pages["grants"]
    assert grants.currentIndex().row() == row_of(model, "research_grants")
    assert grants.currentIndex().column() == first + 1

    # Saved, summarised from the command line, and reopened the same.
    path = tmp_path / "walk.burnrate"
    assert window.files.save_to(path)
    out = subprocess.run(
        [sys.executable, "-m", "planner", "summary", str(path), "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    scenarios = {s["name"]: s for s in json.loads(out.stdout)["scenarios"]}
    base_revenue = scenarios[document.project.base_name]["series"]["revenue"]
    doubled_revenue = scenarios["Grants doubled"]["series"]["revenue"]
    # Sales are zero: the grants kept are all the revenue.
    assert base_revenue[1] == pytest.approx(1.5)
    assert doubled_revenue[1] == pytest.approx(3.0)
    saved = project_json(document.project)

    # Every step undone in turn gives back the project as it was before that step.
    while stack.canUndo():
        stack.undo()
        document.flush()
        assert project_json(document.project) == states[stack.index()], stack.undoText()
        assert not document.result.broken
    assert stack.index() == 0

    assert window.files.open_path(path)
    assert project_json(window.document.project) == saved
