"""What the window shows right after an edit, an undo or a refusal."""

from __future__ import annotations

from PySide6.QtGui import QKeySequence
from pytestqt.qtbot import QtBot

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
