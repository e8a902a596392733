"""Undo and redo of structure edits leave the Model tab's formula box on the same line item."""

from __future__ import annotations

import pytest

from tests.ui.test_structure_editing import actions_of, answer_text
from ui.main_window import MainWindow


def test_the_formula_box_follows_an_id_change_through_undo_and_redo(
    window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    editor = window.tables.formula_tab
    editor.view.setCurrentIndex(editor.model.index(editor.model.row_of("inference_cost"), 2))
    formula = window.document.project.item("inference_cost").formula
    answer_text(monkeypatch, "serving_cost")
    actions_of(editor.view).change_id.trigger()
    window.document.undo_stack.undo()
    assert editor.editor.isEnabled()
    assert editor.editor.text() == formula
    assert "Inference" in editor.heading.text()
    window.document.undo_stack.redo()
    assert editor.editor.isEnabled()
    assert editor.editor.text() == window.document.project.item("serving_cost").formula


def test_the_formula_box_follows_an_undone_edit_of_label_and_id_together(
    window: MainWindow,
) -> None:
    from planner.commands import Macro
    from planner.structure import ChangeItemId, SetItemText

    editor = window.tables.formula_tab
    editor.view.setCurrentIndex(editor.model.index(editor.model.row_of("inference_cost"), 2))
    formula = window.document.project.item("inference_cost").formula
    edit = Macro(
        (
            SetItemText("inference_cost", "label", "Serving"),
            ChangeItemId("inference_cost", "serving_cost"),
        ),
        "Edit line item Serving",
    )
    assert window.document.push(edit)
    window.document.undo_stack.undo()
    assert editor.editor.isEnabled()
    assert editor.editor.text() == formula
