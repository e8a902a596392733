"""The Uncertainty tab: adding, editing and removing ranges and correlations, each undoable."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from pytestqt.modeltest import ModelTester

from ui.main_window import MainWindow
from ui.risk import uncertainty_tab
from ui.risk.range_models import CorrelationTableModel, RangeTableModel
from ui.style import OVERRIDE_BG

LOW, HIGH = RangeTableModel.LOW, RangeTableModel.HIGH


@pytest.fixture
def tab(window: MainWindow) -> uncertainty_tab.UncertaintyTab:
    page = window.tables.uncertainty_tab
    assert isinstance(page, uncertainty_tab.UncertaintyTab)
    return page


def cell(model: RangeTableModel, item_id: str, column: int) -> object:
    row = model.row_of(item_id)
    assert row is not None
    return model.data(model.index(row, column), Qt.ItemDataRole.EditRole)


def edit(model: RangeTableModel, item_id: str, column: int, text: str) -> bool:
    row = model.row_of(item_id)
    assert row is not None
    return model.setData(model.index(row, column), text)


def base_range(window: MainWindow, item_id: str) -> tuple[str, float, float]:
    spec = next(r for r in window.document.project.uncertainty if r.item == item_id)
    return spec.distribution, spec.low, spec.high


def test_typing_a_range_in_a_bound_sets_low_and_high_as_one_undoable_step(
    window: MainWindow, tab: uncertainty_tab.UncertaintyTab
) -> None:
    ranges = tab.ranges
    before = base_range(window, "enterprise_api")
    assert edit(ranges, "enterprise_api", HIGH, "0.6 to 1.4")
    assert base_range(window, "enterprise_api") == ("triangular", 0.6, 1.4)
    assert edit(ranges, "enterprise_api", LOW, "0.5")  # one number sets that bound alone
    assert base_range(window, "enterprise_api") == ("triangular", 0.5, 1.4)
    assert edit(ranges, "enterprise_api", RangeTableModel.DISTRIBUTION, "PERT")
    assert base_range(window, "enterprise_api") == ("pert", 0.5, 1.4)
    stack = window.document.undo_stack
    assert stack.undoText() == "Edit range of Enterprise and API"
    for _ in range(3):
        stack.undo()
    assert base_range(window, "enterprise_api") == before


@pytest.mark.parametrize(
    ("column", "text", "problem"),
    [
        (LOW, "1.5", "low is 1.5"),
        (HIGH, "0.5", "high is 0.5"),
        (LOW, "0 to 2", "low is 0"),
        (HIGH, "a lot", "is not a number"),
        (RangeTableModel.DISTRIBUTION, "normal", "is not a distribution"),
    ],
)
def test_a_bad_range_is_refused_with_the_files_own_message(
    window: MainWindow, tab: uncertainty_tab.UncertaintyTab, column: int, text: str, problem: str
) -> None:
    messages: list[str] = []
    window.document.message.connect(messages.append)
    before = base_range(window, "paying_share")
    depth = window.document.undo_stack.count()
    assert not edit(tab.ranges, "paying_share", column, text)
    assert base_range(window, "paying_share") == before
    assert window.document.undo_stack.count() == depth
    assert messages and problem in messages[-1]


def test_a_scenario_overrides_a_range_like_a_cell_and_resets_to_the_base(
    window: MainWindow, tab: uncertainty_tab.UncertaintyTab
) -> None:
    ranges = tab.ranges
    window.document.set_scenario("Bull case")
    before = base_range(window, "other_costs")
    assert edit(ranges, "other_costs", LOW, "0.7 to 1.5")
    row = ranges.row_of("other_costs")
    assert row is not None and ranges.is_overridden(row)
    assert ranges.data(ranges.index(row, LOW), Qt.ItemDataRole.BackgroundRole) == OVERRIDE_BG
    assert base_range(window, "other_costs") == before  # the base keeps its own
    scenario = window.document.project.scenario("Bull case")
    assert scenario is not None and [r.item for r in scenario.uncertainty] == ["other_costs"]
    assert ranges.remove_rows([row])  # in a scenario: back to the base's range
    assert not ranges.is_overridden(row) and cell(ranges, "other_costs", LOW) == f"{before[1]:g}"
    assert not scenario.uncertainty
    inherited = ranges.row_of("paying_share")
    assert inherited is not None and not ranges.remove_rows([inherited])
    assert ranges.row_of("paying_share") is not None


def test_adding_and_removing_a_range_by_picking_an_item(
    window: MainWindow, tab: uncertainty_tab.UncertaintyTab, monkeypatch: pytest.MonkeyPatch
) -> None:
    ranges = tab.ranges
    choices = dict(ranges.candidates())
    assert "commerce_volume" in choices
    assert "revenue" not in choices  # calculated by a formula: a factor would be ignored
    assert "enterprise_api" not in choices  # it has a range already
    monkeypatch.setattr(uncertainty_tab, "ask_item", lambda *_: "commerce_volume")
    count = ranges.rowCount()
    tab.add_range()
    assert ranges.rowCount() == count + 1
    row = ranges.row_of("commerce_volume")
    assert row is not None and tab.range_view.currentIndex().row() == row
    assert base_range(window, "commerce_volume") == ("triangular", 0.8, 1.2)
    assert window.document.undo_stack.undoText() == "Add range of Sales through the chatbot"
    tab.range_view.selectRow(row)
    tab.remove_ranges()
    assert ranges.row_of("commerce_volume") is None
    window.document.undo_stack.undo()
    assert ranges.row_of("commerce_volume") == row


def test_rows_whose_input_has_a_range_carry_a_mark_and_show_the_range(
    window: MainWindow, tab: uncertainty_tab.UncertaintyTab
) -> None:
    model = window.tables.item_view("drivers").model()
    rows = {model.item_at(r).id: r for r in range(model.rowCount())}

    def mark(item_id: str) -> tuple[object, str]:
        index = model.index(rows[item_id], 0)
        tip = model.data(index, Qt.ItemDataRole.ToolTipRole) or ""
        return model.data(index, Qt.ItemDataRole.DecorationRole), tip

    icon, tip = mark("chatgpt_users")
    assert icon is not None and "triangular factor 0.8 to 1.15" in tip
    assert mark("commerce_volume")[0] is None
    assert tab.ranges.add_range("commerce_volume") is not None
    icon, tip = mark("commerce_volume")
    assert icon is not None and "0.8 to 1.2" in tip
    window.document.set_scenario("Bear case")
    assert edit(tab.ranges, "chatgpt_users", LOW, "0.5 to 1.1")
    assert "0.5 to 1.1 (set in 'Bear case')" in mark("chatgpt_users")[1]


def test_correlations_are_added_edited_and_removed_as_undoable_steps(
    window: MainWindow, tab: uncertainty_tab.UncertaintyTab, monkeypatch: pytest.MonkeyPatch
) -> None:
    model = tab.correlations
    window.document.project.correlations = []
    model._refresh()
    monkeypatch.setattr(
        uncertainty_tab,
        "ask_correlation",
        lambda *_: ("chatgpt_users", "ad_revenue_per_user", 0.6, "assumption: a test"),
    )
    tab.add_correlation()
    assert model.rowCount() == 1
    assert model.data(model.index(0, CorrelationTableModel.RANK)) == "+0.60"
    assert window.document.undo_stack.undoText().startswith("Add correlation of ChatGPT")
    assert model.setData(model.index(0, CorrelationTableModel.RANK), "0.4")
    assert window.document.project.correlations[0].rank == 0.4
    messages: list[str] = []
    window.document.message.connect(messages.append)
    assert not model.setData(model.index(0, CorrelationTableModel.RANK), "1.5")
    assert window.document.project.correlations[0].rank == 0.4 and messages
    tab.correlation_view.selectRow(0)
    tab.remove_correlations()
    assert model.rowCount() == 0
    window.document.undo_stack.undo()
    assert model.rowCount() == 1


def test_a_set_of_correlations_that_cannot_hold_is_refused_naming_the_pairs(
    window: MainWindow, tab: uncertainty_tab.UncertaintyTab
) -> None:
    model = tab.correlations
    window.document.project.correlations = []
    model._refresh()
    messages: list[str] = []
    window.document.message.connect(messages.append)
    assert model.add_correlation("chatgpt_users", "paying_share", 0.6)
    assert model.add_correlation("paying_share", "enterprise_api", 0.6)
    assert not model.add_correlation("chatgpt_users", "enterprise_api", -0.9)
    assert model.rowCount() == 2
    assert "cannot all hold at once" in messages[-1] and "'chatgpt_users'" in messages[-1]
    assert not model.add_correlation("chatgpt_users", "commerce_volume", 0.3)
    assert "no range" in messages[-1]


def test_the_range_and_correlation_tables_are_sound_models(
    window: MainWindow, tab: uncertainty_tab.UncertaintyTab, qtmodeltester: ModelTester
) -> None:
    window.document.set_scenario("Bear case")
    assert edit(tab.ranges, "chatgpt_users", LOW, "0.6 to 1.2")
    qtmodeltester.check(tab.ranges, force_py=True)
    qtmodeltester.check(tab.correlations, force_py=True)
