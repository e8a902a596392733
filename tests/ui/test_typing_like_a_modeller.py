"""The tables take numbers as a modeller types them: growth, fills, Enter and Tab, units."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QItemSelection, QItemSelectionModel, QModelIndex, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLineEdit
from pytestqt.qtbot import QtBot

from planner.io.project_file import project_json
from tests.planner.helpers import make_project
from ui.help import window_shortcuts
from ui.item_model import FIRST_PERIOD_COLUMN, ItemTableModel
from ui.main_window import MainWindow
from ui.sheet_view import SheetView
from ui.tables import GROUP_TITLES

Select = QItemSelectionModel.SelectionFlag


@pytest.fixture
def shown(window: MainWindow, qtbot: QtBot) -> MainWindow:
    window.show()
    qtbot.waitExposed(window)
    return window


def sheet(window: MainWindow, group: str) -> tuple[SheetView, ItemTableModel]:
    tables = window.tables
    title = GROUP_TITLES.get(group, group.capitalize())
    tables.setCurrentIndex(next(n for n in range(tables.count()) if tables.tabText(n) == title))
    view = tables.item_view(group)
    QTest.qWaitForWindowExposed(window)
    QTest.qWait(0)  # a tab's table shows once the event loop has turned
    model = view.model()
    assert isinstance(model, ItemTableModel)
    return view, model


def at(model: ItemTableModel, item_id: str, period: str) -> QModelIndex:
    row = next(r for r in range(model.rowCount()) if model.item_at(r).id == item_id)
    column = FIRST_PERIOD_COLUMN + model.document.project.periods.index(period)
    return model.index(row, column)


def select(view: SheetView, first: QModelIndex, last: QModelIndex | None = None) -> None:
    view.setFocus()
    view.selectionModel().setCurrentIndex(first, Select.ClearAndSelect)
    if last is not None:
        view.selectionModel().select(QItemSelection(first, last), Select.ClearAndSelect)


def type_into(view: SheetView, qtbot: QtBot, text: str, end: Qt.Key = Qt.Key.Key_Return) -> None:
    """Type ``text`` over the current cell as a user does, and end the edit with ``end``."""
    qtbot.keyClick(view, text[0])
    editor = view.indexWidget(view.currentIndex())
    assert isinstance(editor, QLineEdit) and editor.isVisible()
    qtbot.keyClicks(editor, text[1:])
    qtbot.keyClick(editor, end)
    qtbot.waitUntil(lambda: view.state() != view.State.EditingState)
    QApplication.processEvents()


def inputs(window: MainWindow, item_id: str) -> list[float]:
    values = window.document.project.item(item_id).inputs
    assert values is not None
    return values


def test_typing_plus_8_percent_grows_the_previous_period(shown: MainWindow, qtbot: QtBot) -> None:
    view, model = sheet(shown, "revenue")
    before = inputs(shown, "enterprise_api")[3]
    select(view, at(model, "enterprise_api", "2027"))
    type_into(view, qtbot, "+8%")
    qtbot.waitUntil(lambda: inputs(shown, "enterprise_api")[4] == pytest.approx(before * 1.08))
    assert shown.document.undo_stack.count() == 1


def test_growth_over_a_selected_range_is_one_undo_step(shown: MainWindow, qtbot: QtBot) -> None:
    view, model = sheet(shown, "drivers")
    before = project_json(shown.document.project)
    users, price = inputs(shown, "chatgpt_users")[4], inputs(shown, "subscription_price")[4]
    select(view, at(model, "chatgpt_users", "2028"), at(model, "subscription_price", "2030"))
    type_into(view, qtbot, "-3 %")
    qtbot.waitUntil(lambda: shown.document.undo_stack.count() == 1)
    assert inputs(shown, "chatgpt_users")[5:8] == pytest.approx(
        [users * 0.97, users * 0.97**2, users * 0.97**3]
    )
    assert inputs(shown, "subscription_price")[5:8] == pytest.approx(
        [price * 0.97, price * 0.97**2, price * 0.97**3]
    )
    shown.document.undo_stack.undo()
    assert project_json(shown.document.project) == before


def test_growth_in_the_first_period_is_refused_with_a_message(
    shown: MainWindow, qtbot: QtBot
) -> None:
    _, model = sheet(shown, "revenue")
    index = at(model, "enterprise_api", "2023")
    with qtbot.waitSignal(shown.document.message, timeout=1000) as message:
        assert not model.setData(index, "+8%")
    assert "the first period: there is no previous value to grow" in message.args[0]
    assert shown.document.undo_stack.count() == 0


def test_a_percentage_in_a_billions_row_is_refused_and_12b_is_12(shown: MainWindow) -> None:
    _, model = sheet(shown, "revenue")
    index = at(model, "enterprise_api", "2026")
    old = inputs(shown, "enterprise_api")[3]
    assert not model.setData(index, "12%")
    assert "'12%' is a percentage, but this row is in $B" in shown.statusBar().currentMessage()
    assert inputs(shown, "enterprise_api")[3] == old
    assert model.setData(index, "$12B")
    assert inputs(shown, "enterprise_api")[3] == 12
    assert model.setData(index, "$12,500M")
    assert inputs(shown, "enterprise_api")[3] == 12.5


def test_a_pasted_block_with_a_unit_mismatch_is_refused_naming_the_first_cell(
    shown: MainWindow, qtbot: QtBot
) -> None:
    view, model = sheet(shown, "drivers")
    before = project_json(shown.document.project)
    select(view, at(model, "chatgpt_users", "2026"))
    with qtbot.waitSignal(shown.document.message, timeout=1000) as message:
        view.paste_text("1,100\t1,200\n5%\t6%\n$21\t€22\n")
    label = shown.document.project.item("subscription_price").label
    assert message.args[0] == (
        f"Nothing pasted: {label}, 2027: '€22' is in €, but this row is in $/month"
    )
    assert project_json(shown.document.project) == before
    assert shown.document.undo_stack.count() == 0


def test_fill_down_and_fill_right_with_their_keys(shown: MainWindow, qtbot: QtBot) -> None:
    view, model = sheet(shown, "drivers")
    assert view.fill_down_action.shortcut() == QKeySequence("Ctrl+D")
    assert view.fill_right_action.shortcut() == QKeySequence("Ctrl+R")
    source = inputs(shown, "commerce_volume")[3]
    select(view, at(model, "commerce_volume", "2026"), at(model, "commerce_volume", "2029"))
    qtbot.keyClick(view, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    assert inputs(shown, "commerce_volume")[3:7] == [source] * 4
    share = inputs(shown, "paying_share")[4]
    select(view, at(model, "paying_share", "2028"))
    # One cell: fill down copies the cell above, here a row of another unit.
    with qtbot.waitSignal(shown.document.message, timeout=1000) as message:
        qtbot.keyClick(view, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    assert message.args[0].startswith("Not filled:") and "the units differ" in message.args[0]
    assert inputs(shown, "paying_share")[4] == share
    assert shown.document.undo_stack.count() == 1
    assert shown.document.undo_stack.undoText() == "Fill right"


def test_fill_down_copies_the_top_row_into_rows_of_its_unit(
    shown: MainWindow, qtbot: QtBot
) -> None:
    # As many periods as the built-in project, so that the charts keep their axis.
    three_rows = make_project(
        [
            {"id": "a", "inputs": [1.0, 2.0, 3.0, 4.0] + [0.0] * 9},
            {"id": "b", "inputs": [0.0] * 13},
            {"id": "c", "inputs": [9.0] * 13},
        ],
        periods=13,
    )
    shown.document.replace_project(three_rows, unsaved=False)
    view, model = sheet(shown, "g")
    select(view, at(model, "a", "2024"), at(model, "c", "2025"))
    qtbot.keyClick(view, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    assert inputs(shown, "b")[:4] == [0.0, 2.0, 3.0, 0.0]
    assert inputs(shown, "c")[:4] == [9.0, 2.0, 3.0, 9.0]
    assert shown.document.undo_stack.count() == 1
    assert shown.document.undo_stack.undoText() == "Fill down"


def test_reset_moved_to_its_own_shortcut_and_the_guide_lists_the_keys(shown: MainWindow) -> None:
    sheet(shown, "drivers")
    keys = dict(window_shortcuts(shown))
    native = QKeySequence.SequenceFormat.NativeText
    assert keys["Fill down"] == QKeySequence("Ctrl+D").toString(native)
    assert keys["Fill right"] == QKeySequence("Ctrl+R").toString(native)
    assert keys["Reset to base value"] == QKeySequence("Ctrl+Shift+B").toString(native)


def test_enter_moves_down_and_tab_moves_right(shown: MainWindow, qtbot: QtBot) -> None:
    view, model = sheet(shown, "drivers")
    start = at(model, "chatgpt_users", "2026")
    select(view, start)
    qtbot.keyClick(view, Qt.Key.Key_Return)
    assert view.currentIndex() == start.siblingAtRow(start.row() + 1)
    qtbot.keyClick(view, Qt.Key.Key_Tab)
    assert view.currentIndex() == start.sibling(start.row() + 1, start.column() + 1)
    assert view.state() != view.State.EditingState
    # After an edit as well: the value goes in, the cursor moves, no editor opens.
    select(view, start)
    type_into(view, qtbot, "1500", Qt.Key.Key_Tab)
    assert inputs(shown, "chatgpt_users")[3] == 1500
    assert view.currentIndex() == start.siblingAtColumn(start.column() + 1)
    assert view.state() != view.State.EditingState
    type_into(view, qtbot, "1600")
    assert inputs(shown, "chatgpt_users")[4] == 1600
    assert view.currentIndex() == start.sibling(start.row() + 1, start.column() + 1)


def test_the_status_bar_shows_sum_average_and_count(shown: MainWindow, qtbot: QtBot) -> None:
    view, model = sheet(shown, "revenue")
    api = inputs(shown, "enterprise_api")
    select(view, at(model, "enterprise_api", "2023"), at(model, "enterprise_api", "2025"))
    total = api[0] + api[1] + api[2]
    assert shown.selection_summary.text() == (
        f"Sum: {total:.2f} $B    Average: {total / 3:.2f} $B    Count: 3"
    )
    assert model.setData(at(model, "enterprise_api", "2024"), "2")
    qtbot.waitUntil(lambda: "Sum: 7.05 $B" in shown.selection_summary.text())
    view.clearSelection()
    assert shown.selection_summary.text() == ""


def test_a_single_value_is_one_cell(shown: MainWindow, qtbot: QtBot) -> None:
    view, model = sheet(shown, "cash")
    first, later = at(model, "opening_cash", "2023"), at(model, "opening_cash", "2026")
    assert model.data(first) == "2" and model.data(later) == ""
    assert model.flags(first) & Qt.ItemFlag.ItemIsEditable
    assert not model.flags(later) & Qt.ItemFlag.ItemIsEditable
    assert "single value for the whole plan, in the 2023 column" in model.data(
        later, Qt.ItemDataRole.ToolTipRole
    )
    row_end = at(model, "opening_cash", "2025")
    select(view, first, row_end)
    assert view.selection_tsv() == "2\t\t\n"
    assert shown.selection_summary.text().endswith("Count: 1")
    select(view, first, at(model, "cash", "2024"))  # the single value, then a row below it
    assert shown.selection_summary.text().endswith("Count: 3")
    # The copied row pastes back onto itself; a number over a blank period is refused.
    select(view, first)
    view.paste_text("3\t\t\n")
    assert shown.document.project.item("opening_cash").value == 3
    with qtbot.waitSignal(shown.document.message, timeout=1000) as message:
        view.paste_text("4\t4\n")
    assert "single value, kept in the 2023 column" in message.args[0]
    assert not model.setData(later, "5")
    select(view, first, row_end)
    qtbot.keyClick(view, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    assert "is a single value, kept in the 2023 column" in shown.statusBar().currentMessage()
    shown.document.set_scenario("Bear case")
    assert model.setData(first, "1")
    assert model.data(first, Qt.ItemDataRole.FontRole).bold()
    assert model.data(later, Qt.ItemDataRole.FontRole) is None
    select(view, first, row_end)
    view.reset_action.trigger()
    assert "opening_cash" not in shown.document.project.scenarios[1].values


def test_the_comparison_chart_offers_no_single_value_as_a_line(window: MainWindow) -> None:
    comparison = window.charts[3]
    offered = {comparison.series_box.itemData(n) for n in range(comparison.series_box.count())}
    assert "cash" in offered and "burn" in offered
    assert "opening_cash" not in offered and "custom_chip_discount" not in offered
