"""What the window shows right after an edit, an undo or a refusal."""

from __future__ import annotations

from PySide6.QtGui import QKeySequence
from pytestqt.qtbot import QtBot

from tests.ui.test_editing import cell, table
from ui.main_window import MainWindow


def _pick_burn(window: MainWindow):  # type: ignore[no-untyped-def]
    editor = window.tables.formula_tab
    editor.view.setCurrentIndex(editor.model.index(editor.model.row_of("burn"), 5))
    return editor


def test_undo_from_the_edit_menu_puts_the_old_formula_back_in_the_editor(
    window: MainWindow,
) -> None:
    editor = _pick_burn(window)
    editor.editor.setText("total_costs - revenue + 1")
    editor.apply()
    window.document.undo_stack.undo()
    assert window.document.project.item("burn").formula == "total_costs - revenue"
    assert editor.editor.text() == "total_costs - revenue"
    assert not editor.apply_button.isEnabled()
    window.document.undo_stack.redo()
    assert editor.editor.text() == "total_costs - revenue + 1"


def test_ctrl_z_in_the_formula_box_undoes_typing_then_the_applied_formula(
    window: MainWindow, qtbot: QtBot
) -> None:
    editor = _pick_burn(window)
    editor.editor.setText("total_costs - revenue + 1")
    editor.apply()
    editor.editor.setFocus()
    qtbot.keyClicks(editor.editor, " + 2")
    undo = QKeySequence(QKeySequence.StandardKey.Undo)[0]
    qtbot.keyClick(editor.editor, undo.key(), undo.keyboardModifiers())
    assert editor.editor.text() == "total_costs - revenue + 1"  # the typing went first
    assert window.document.project.item("burn").formula == "total_costs - revenue + 1"
    qtbot.keyClick(editor.editor, undo.key(), undo.keyboardModifiers())
    assert window.document.project.item("burn").formula == "total_costs - revenue"
    assert editor.editor.text() == "total_costs - revenue"


def test_a_successful_edit_clears_the_previous_refusal_from_the_status_bar(
    window: MainWindow,
) -> None:
    editor = _pick_burn(window)
    model = editor.model
    index = model.index(model.row_of("burn"), 5)
    assert not model.setData(index, "total_costs - revenu")
    assert "revenu" in window.statusBar().currentMessage()
    assert model.setData(index, "total_costs - revenue + 1")
    assert window.statusBar().currentMessage() == ""
    assert not model.setData(index, "total_costs - revenu")
    window.document.undo_stack.undo()
    assert window.statusBar().currentMessage() == ""


def test_the_undo_menu_and_row_messages_name_labels_not_ids(window: MainWindow) -> None:
    drivers = table(window, "drivers")
    assert drivers.setData(cell(drivers, "paying_share", "2026"), "6%")
    assert window.document.undo_stack.undoText() == "Edit Share of users paying 2026"
    contracts = window.tables.contracts_tab.model
    aws = next(r for r in range(contracts.rowCount()) if contracts.row_at(r).id == "c_aws")
    first_year = [c.field for c in contracts.columns].index("first_year")
    assert not contracts.setData(contracts.index(aws, first_year), "soon")
    message = window.statusBar().currentMessage()
    assert "Amazon Web Services" in message and "c_aws" not in message
    assert contracts.setData(contracts.index(aws, first_year), "2027")
    assert window.document.undo_stack.undoText() == "Edit Amazon Web Services contract 2027-2032"


def test_the_scenario_heading_follows_a_description_edit_and_its_undo(window: MainWindow) -> None:
    window.document.set_scenario("Bull case")
    drivers = table(window, "drivers")
    assert drivers.setData(cell(drivers, "paying_share", "2026"), "6%")  # already modified
    old = window.scenarios.model.description_of("Bull case")
    window.scenarios.description.setText("Subscriptions double by 2030")
    window.scenarios.description.editingFinished.emit()
    assert "Subscriptions double by 2030" in window.scenario_label.text()
    window.document.undo_stack.undo()
    assert old in window.scenario_label.text()
    assert "Subscriptions double" not in window.scenario_label.text()


def test_the_scenario_heading_shows_markup_in_a_description_as_text(window: MainWindow) -> None:
    window.scenarios.description.setText("Revenue <b>doubles</b>")
    window.scenarios.description.editingFinished.emit()
    assert "Revenue &lt;b&gt;doubles&lt;/b&gt;" in window.scenario_label.text()
