"""Every table model passes Qt's model checks, in the base and in a scenario."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QAbstractItemModel, Qt
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from planner.commands import check_formula
from planner.formula import FormulaError
from ui import formula_editor
from ui.main_window import MainWindow


def model_named(window: MainWindow, name: str) -> QAbstractItemModel:
    if name.startswith("group:"):
        return window.tables.item_views[name.removeprefix("group:")].model()
    models: dict[str, QAbstractItemModel] = {
        "funding": window.tables.funding_tab.model,
        "contracts": window.tables.contracts_tab.model,
        "formulas": window.tables.formula_tab.model,
        "scenarios": window.scenarios.model,
    }
    return models[name]


MODELS = [
    *(f"group:{g}" for g in ("drivers", "revenue", "costs", "compute", "funding", "cash")),
    "funding",
    "contracts",
    "formulas",
    "scenarios",
]


@pytest.mark.parametrize("name", MODELS)
def test_every_table_model_passes_the_model_tester(
    window: MainWindow, qtmodeltester: ModelTester, name: str
) -> None:
    model = model_named(window, name)
    qtmodeltester.check(model)
    # The tester stays connected: edits, scenario switches and row changes are checked too.
    window.scenarios.duplicate_scenario()
    window.document.set_scenario("Bear case")
    window.document.flush()
    drivers = window.tables.item_views["drivers"].model()
    assert drivers.setData(drivers.index(0, 4), "700")
    window.tables.funding_tab.model.add_row()
    window.tables.contracts_tab.model.remove_rows([0])
    window.document.flush()
    window.document.undo_stack.undo()
    window.document.undo_stack.undo()
    window.document.flush()
    qtmodeltester.check(model)


def test_event_rows_in_a_scenario_are_overrides(window: MainWindow) -> None:
    document = window.document
    document.set_scenario("Bear case")
    document.flush()
    model = window.tables.funding_tab.model
    rows = [model.row_at(r).id for r in range(model.rowCount())]
    removed = rows.index("r2027_ipo")  # removed by the scenario: shown struck out, read-only
    assert model.is_removed(removed)
    assert model.data(model.index(removed, 1), Qt.ItemDataRole.FontRole).strikeOut()
    assert not model.flags(model.index(removed, 2)) & Qt.ItemFlag.ItemIsEditable
    row = rows.index("r2024_oct")
    assert model.setData(model.index(row, 2), "7.5")
    assert document.project.scenario("Bear case").funding_rounds["r2024_oct"].amount == 7.5  # type: ignore[union-attr]
    base = next(r for r in document.project.funding_rounds if r.id == "r2024_oct")
    assert base.amount == 6.6
    assert model.data(model.index(row, 2), Qt.ItemDataRole.BackgroundRole) is not None
    assert not model.setData(model.index(row, 2), "-3")  # below zero: refused by the schema
    assert not model.setData(model.index(row, 0), "1999")  # not a period of the project


def test_the_formula_editor_shows_errors_at_once_and_applies_only_valid_text(
    window: MainWindow,
) -> None:
    editor = window.tables.formula_tab
    editor.view.setCurrentIndex(editor.model.index(editor.model.row_of("burn"), 5))
    assert editor.editor.text() == "total_costs - revenue"
    editor.editor.setText("total_costs - revenu")
    assert "revenu" in editor.status.text() and not editor.apply_button.isEnabled()
    editor.apply()
    assert window.document.project.item("burn").formula == "total_costs - revenue"
    editor.editor.setText("total_costs - revenue + 1")
    assert "valid" in editor.status.text() and editor.apply_button.isEnabled()
    editor.apply()
    assert window.document.project.item("burn").formula == "total_costs - revenue + 1"
    with pytest.raises(FormulaError):
        check_formula(window.document.project, None, "burn", "burn + 1")


def test_a_changed_event_row_resets_to_the_base(window: MainWindow) -> None:
    document = window.document
    document.set_scenario("Bear case")
    document.flush()
    tab = window.tables.funding_tab
    rows = [tab.model.row_at(r).id for r in range(tab.model.rowCount())]
    changed = rows.index("r2026_round")
    assert tab.model.data(tab.model.index(changed, 2), Qt.ItemDataRole.BackgroundRole)
    selection = tab.view.selectionModel()
    selection.select(tab.model.index(changed, 1), selection.SelectionFlag.ClearAndSelect)
    tab.view.reset_selection()
    document.flush()
    scenario = document.project.scenario("Bear case")
    assert scenario is not None and "r2026_round" not in scenario.funding_rounds
    base = next(r for r in document.project.funding_rounds if r.id == "r2026_round")
    row = [tab.model.row_at(r).id for r in range(tab.model.rowCount())].index("r2026_round")
    assert tab.model.row_at(row).amount == base.amount
    document.undo_stack.undo()
    assert "r2026_round" in scenario.funding_rounds


def test_a_removed_event_row_comes_back_with_reset(window: MainWindow) -> None:
    document = window.document
    document.set_scenario("Bear case")
    document.flush()
    cash_before = document.result.series("cash").copy()
    tab = window.tables.funding_tab
    rows = [tab.model.row_at(r).id for r in range(tab.model.rowCount())]
    selection = tab.view.selectionModel()
    selection.select(
        tab.model.index(rows.index("r2027_ipo"), 1), selection.SelectionFlag.ClearAndSelect
    )
    tab.view.reset_selection()
    document.flush()
    assert not tab.model.is_removed(
        [tab.model.row_at(r).id for r in range(tab.model.rowCount())].index("r2027_ipo")
    )
    assert document.result.series("cash")[-1] > cash_before[-1]


def test_the_formula_editor_refuses_a_huge_number_with_a_message(window: MainWindow) -> None:
    editor = window.tables.formula_tab
    editor.view.setCurrentIndex(editor.model.index(editor.model.row_of("burn"), 5))
    editor.editor.setText("total_costs - " + "9" * 400)
    assert "is too large" in editor.status.text() and not editor.apply_button.isEnabled()


def test_the_formula_editor_shows_any_failure_in_checking_as_a_message(
    window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object) -> None:
        raise RuntimeError("<b>unexpected</b>")

    monkeypatch.setattr(formula_editor, "check_formula", broken)
    editor = window.tables.formula_tab
    editor.view.setCurrentIndex(editor.model.index(editor.model.row_of("burn"), 5))
    editor.editor.setText("total_costs - revenue + 2")
    assert "cannot be checked" in editor.status.text()
    assert "&lt;b&gt;unexpected" in editor.status.text()
    assert not editor.apply_button.isEnabled()


def test_a_flushed_edit_redraws_once(window: MainWindow, qtbot: QtBot) -> None:
    emitted: list[None] = []
    window.document.resultsChanged.connect(lambda: emitted.append(None))
    drivers = window.tables.item_views["drivers"].model()
    assert drivers.setData(drivers.index(0, 4), "700")
    window.document.flush()
    assert len(emitted) == 1
    qtbot.wait(50)
    assert len(emitted) == 1  # the timer scheduled by the edit finds nothing left to do
    assert drivers.setData(drivers.index(0, 4), "710")
    qtbot.waitUntil(lambda: len(emitted) == 2)
    qtbot.wait(50)
    assert len(emitted) == 2
