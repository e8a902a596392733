"""Editing in the tables: charts and cards follow, bad input is refused, undo restores."""

from __future__ import annotations

import numpy as np
from pytestqt.qtbot import QtBot

from planner.io.project_file import project_json
from planner.numbers import format_value, row_decimals
from ui.item_model import FIRST_PERIOD_COLUMN, ItemTableModel
from ui.main_window import MainWindow


def table(window: MainWindow, group: str) -> ItemTableModel:
    model = window.tables.item_views[group].model()
    assert isinstance(model, ItemTableModel)
    return model


def cell(model: ItemTableModel, item_id: str, period: str):  # type: ignore[no-untyped-def]
    row = next(r for r in range(model.rowCount()) if model.item_at(r).id == item_id)
    column = FIRST_PERIOD_COLUMN + model.document.project.periods.index(period)
    return model.index(row, column)


def test_an_edit_changes_chart_curves_and_kpi_text(window: MainWindow, qtbot: QtBot) -> None:
    revenue_chart, cash_chart = window.charts[0], window.charts[1]
    top_of_stack = revenue_chart.stack[-1]  # type: ignore[attr-defined]
    before_curve = np.array(top_of_stack.yData, copy=True)
    before_cash = np.array(cash_chart.cash.yData, copy=True)  # type: ignore[attr-defined]
    before_burn = window.kpis.cards["cumulative_burn"].value.text()
    model = table(window, "revenue")
    index = cell(model, "enterprise_api", "2030")
    with qtbot.waitSignal(window.redrawn, timeout=2000):
        assert model.setData(index, "500")
    period = window.document.project.periods.index("2030")
    assert top_of_stack.yData[period] > before_curve[period] + 100
    assert cash_chart.cash.yData[-1] > before_cash[-1]  # type: ignore[attr-defined]
    assert window.kpis.cards["cumulative_burn"].value.text() != before_burn
    assert model.data(index).startswith("500")


def test_a_refused_value_keeps_the_old_one(window: MainWindow, qtbot: QtBot) -> None:
    model = table(window, "drivers")
    index = cell(model, "chatgpt_users", "2026")
    old = model.data(index)
    for bad in ("abc", "nan", "inf", "", "1,2,3", "12abc"):
        with qtbot.waitSignal(window.document.message, timeout=1000) as message:
            assert not model.setData(index, bad)
        assert "not" in message.args[0] or "empty" in message.args[0]
    assert model.data(index) == old
    assert window.document.undo_stack.count() == 0
    assert "not a number" in window.statusBar().currentMessage()


def test_a_scenario_name_or_description_with_a_control_character_is_refused(
    window: MainWindow, qtbot: QtBot
) -> None:
    scenarios = window.scenarios
    index = scenarios.model.index(1)
    old_name = scenarios.model.data(index)
    with qtbot.waitSignal(window.document.message, timeout=1000) as message:
        assert not scenarios.model.setData(index, "Bear \x1b[31mcase")
    assert "the scenario name contains the character U+001B" in message.args[0]
    assert scenarios.model.data(index) == old_name
    assert "U+001B" in window.statusBar().currentMessage()
    old_description = scenarios.model.description_of(window.document.scenario)
    with qtbot.waitSignal(window.document.message, timeout=1000) as message:
        scenarios.description.setText("a bell \x07 rings")
        scenarios.description.editingFinished.emit()
    assert "the description contains the character U+0007" in message.args[0]
    assert scenarios.model.description_of(window.document.scenario) == old_description
    assert window.document.undo_stack.count() == 0


def test_an_investor_with_a_control_character_is_refused_in_words(
    window: MainWindow, qtbot: QtBot
) -> None:
    model = window.tables.funding_tab.model
    index = model.index(0, 1)
    old = model.data(index)
    with qtbot.waitSignal(window.document.message, timeout=1000) as message:
        assert not model.setData(index, "SoftBank \x1b[2J")
    assert "contains the character U+001B" in message.args[0]
    assert "Value error" not in message.args[0]
    assert model.data(index) == old


def test_what_people_type_is_understood(window: MainWindow) -> None:
    model = table(window, "drivers")
    users = cell(model, "chatgpt_users", "2026")
    share = cell(model, "paying_share", "2026")
    item = window.document.project.item
    assert model.setData(users, "1,234.5")
    assert item("chatgpt_users").inputs[3] == 1234.5  # type: ignore[index]
    assert model.setData(users, "(5)")
    assert item("chatgpt_users").inputs[3] == -5  # type: ignore[index]
    assert model.setData(users, "\u22127")
    assert item("chatgpt_users").inputs[3] == -7  # type: ignore[index]
    assert model.setData(share, "12%")
    assert item("paying_share").inputs[3] == 0.12  # type: ignore[index]
    assert model.setData(share, "6")  # a percent cell takes plain numbers as percent
    assert item("paying_share").inputs[3] == 0.06  # type: ignore[index]
    assert model.data(share).startswith("6.0")
    assert model.data(share).endswith("%")


def test_typing_in_one_cell_merges_into_one_undo_step(window: MainWindow) -> None:
    model = table(window, "drivers")
    index = cell(model, "chatgpt_users", "2027")
    original = window.document.project.item("chatgpt_users").inputs[4]  # type: ignore[index]
    for text in ("1", "12", "123"):
        assert model.setData(index, text)
    assert window.document.undo_stack.count() == 1
    assert model.setData(cell(model, "chatgpt_users", "2028"), "9")
    assert window.document.undo_stack.count() == 2
    window.document.undo_stack.undo()
    window.document.undo_stack.undo()
    assert window.document.project.item("chatgpt_users").inputs[4] == original  # type: ignore[index]


def test_paste_applies_good_cells_lists_bad_ones_in_one_undo_step(
    window: MainWindow, qtbot: QtBot
) -> None:
    view = window.tables.item_views["drivers"]
    model = table(window, "drivers")
    before = project_json(window.document.project)
    start = cell(model, "chatgpt_users", "2026")
    view.setCurrentIndex(start)
    view.selectionModel().select(start, view.selectionModel().SelectionFlag.ClearAndSelect)
    text = '1,100\tabc\t"1,300"\r\n4%\t\tNaN\r\n"$7.5"\t(8)'
    with qtbot.waitSignal(window.document.message, timeout=1000) as message:
        view.paste_text(text)
    report = message.args[0]
    assert report.startswith("Pasted 5 cells; refused 3")
    assert "'abc' is not a number" in report and "'NaN' is not a number" in report
    assert "empty" in report
    project = window.document.project
    users = project.item("chatgpt_users").inputs
    assert users is not None and users[3] == 1100 and users[5] == 1300
    assert users[4] == 1250  # "abc" was refused, the old value stays
    share = project.item("paying_share").inputs
    assert share is not None and share[3] == 0.04
    price = project.item("subscription_price").inputs
    assert price is not None and price[3] == 7.5 and price[4] == -8
    assert window.document.undo_stack.count() == 1
    window.document.undo_stack.undo()
    assert project_json(window.document.project) == before


def test_copy_gives_tab_separated_full_precision(window: MainWindow) -> None:
    view = window.tables.item_views["drivers"]
    model = table(window, "drivers")
    selection = view.selectionModel()
    for period in ("2025", "2026"):
        for item_id in ("chatgpt_users", "paying_share"):
            selection.select(cell(model, item_id, period), selection.SelectionFlag.Select)
    assert view.selection_tsv() == "650\t1000\n5%\t5%\n"


def test_undo_and_redo_restore_every_value(window: MainWindow) -> None:
    document = window.document
    states = [project_json(document.project)]
    drivers = table(window, "drivers")
    scenarios = window.scenarios
    steps = [
        lambda: drivers.setData(cell(drivers, "chatgpt_users", "2030"), "2500"),
        lambda: scenarios.add_scenario(),
        lambda: drivers.setData(cell(drivers, "paying_share", "2031"), "9%"),
        lambda: window.tables.funding_tab.model.setData(
            window.tables.funding_tab.model.index(0, 2), "12"
        ),
        lambda: window.tables.contracts_tab.model.add_row() is not None,
        lambda: window.tables.formula_tab.model.setData(
            window.tables.formula_tab.model.index(
                window.tables.formula_tab.model.row_of("burn"), 6
            ),
            "a new note",
        ),
        lambda: scenarios.model.setData(scenarios.model.index(4), "Renamed"),
    ]
    for step in steps:
        assert step()
        states.append(project_json(document.project))
    assert len(set(states)) == len(states)
    results = {name: r.values["cash"].copy() for name, r in document.results.items()}
    for state in reversed(states[:-1]):
        document.undo_stack.undo()
        assert project_json(document.project) == state
    assert not document.is_modified
    for state in states[1:]:
        document.undo_stack.redo()
        assert project_json(document.project) == state
    for name, cash in results.items():
        assert np.array_equal(document.results[name].values["cash"], cash)


def test_scenario_overrides_look_different_and_reset_to_base(window: MainWindow) -> None:
    document = window.document
    document.set_scenario("Bull case")
    document.flush()
    base_figure = window.kpis.cards["breakeven_year"].caption.text()
    assert base_figure == f"Leaked plan: {document.kpis('Leaked plan')['breakeven_year']}"
    model = table(window, "revenue")
    overridden = cell(model, "enterprise_api", "2027")
    plain = cell(model, "ad_revenue", "2027")
    from PySide6.QtCore import Qt

    assert model.data(overridden, Qt.ItemDataRole.BackgroundRole) is not None
    assert model.data(overridden, Qt.ItemDataRole.FontRole).bold()
    assert model.data(plain, Qt.ItemDataRole.FontRole) is None
    base_value = document.project.item("enterprise_api").inputs[4]  # type: ignore[index]
    view = window.tables.item_views["revenue"]
    view.selectionModel().select(overridden, view.selectionModel().SelectionFlag.ClearAndSelect)
    view.reset_selection()
    assert document.result.series("enterprise_api")[4] == base_value
    assert model.data(overridden, Qt.ItemDataRole.FontRole) is None
    document.undo_stack.undo()
    assert model.data(overridden, Qt.ItemDataRole.FontRole).bold()


def test_the_title_marks_unsaved_changes(window: MainWindow) -> None:
    assert not window.isWindowModified()
    model = table(window, "drivers")
    assert model.setData(cell(model, "chatgpt_users", "2030"), "2500")
    assert window.isWindowModified()
    window.document.undo_stack.undo()
    assert not window.isWindowModified()


def test_hovering_a_chart_reads_out_the_values_under_the_cursor(window: MainWindow) -> None:
    from PySide6.QtCore import QPointF

    from ui.chart_base import money

    window.show()
    window.document.flush()
    cash = window.charts[1]
    box = cash.plot.getViewBox()
    cash._hover(box.mapViewToScene(QPointF(2027.2, 0)))
    value = window.document.result.series("cash")[4]
    assert cash.readout.text().startswith("2027: cash ")
    assert money(value) in cash.readout.text()
    assert cash.cursor.isVisible() and cash.cursor.value() == 2027
    comparison = window.charts[3]
    comparison._hover(comparison.plot.getViewBox().mapViewToScene(QPointF(2030, 0)))
    assert all(name in comparison.readout.text() for name in window.document.project.scenario_names)


def test_a_decimal_comma_locale_types_and_shows_commas(window: MainWindow) -> None:
    from PySide6.QtCore import QLocale, Qt

    previous = QLocale()
    QLocale.setDefault(QLocale(QLocale.Language.German, QLocale.Country.Germany))
    try:
        model = table(window, "drivers")
        index = cell(model, "chatgpt_users", "2026")
        assert model.setData(index, "1.234,5")
        assert window.document.project.item("chatgpt_users").inputs[3] == 1234.5  # type: ignore[index]
        shown = model.data(index, Qt.ItemDataRole.EditRole)
        assert shown == "1234,5"
        assert model.setData(index, shown)  # what the editor shows is accepted back
        assert not model.setData(index, "1234.5")
    finally:
        QLocale.setDefault(previous)


def test_a_tab_gets_its_table_when_first_shown_with_current_values(
    window: MainWindow, qtbot: QtBot
) -> None:
    tables = window.tables
    pages = [tables.widget(n) for n in range(tables.count())]
    built = [page for page in pages if getattr(page, "content", None) is not None]
    assert built == [tables.currentWidget()]  # only the tab on screen has a table
    period = window.document.project.periods.index("2030")
    before = window.document.result.series("revenue")[period]
    drivers = table(window, "drivers")
    with qtbot.waitSignal(window.redrawn, timeout=2000):
        assert drivers.setData(cell(drivers, "chatgpt_users", "2030"), "2,600")
    after = window.document.result.series("revenue")[period]
    assert after != before  # the edit reached the revenue tab's numbers before it existed
    tab = next(n for n in range(tables.count()) if tables.tabText(n) == "Revenue")
    tables.setCurrentIndex(tab)
    view = tables.currentWidget().content  # type: ignore[attr-defined]
    assert view is tables.item_views["revenue"]
    decimals = row_decimals(window.document.result.series("revenue"), "$B")
    shown = format_value(after, "$B", decimals)
    assert view.model().data(cell(view.model(), "revenue", "2030")) == shown
