"""A compute contract added or re-timed in the window."""

from __future__ import annotations

from ui.event_model import EventTableModel
from ui.main_window import MainWindow


def year_column(model: EventTableModel, field: str) -> int:
    return [c.field for c in model.columns].index(field)


def test_a_new_contract_delivers_from_the_first_forecast_year_for_five_years(
    window: MainWindow,
) -> None:
    tab = window.tables.contracts_tab
    tab.add_row()
    added = tab.model.row_at(tab.model.rowCount() - 1)
    assert (added.first_year, added.last_year) == (2026, 2030)  # type: ignore[union-attr]


def test_the_first_year_can_be_moved_past_the_last_and_the_last_follows(
    window: MainWindow,
) -> None:
    tab = window.tables.contracts_tab
    tab.add_row()
    model = tab.model
    row = model.rowCount() - 1
    assert model.setData(model.index(row, year_column(model, "first_year")), "2033")
    window.document.flush()
    moved = model.row_at(row)
    assert (moved.first_year, moved.last_year) == (2033, 2037)  # type: ignore[union-attr]
    assert model.setData(model.index(row, year_column(model, "last_year")), "2029")
    window.document.flush()
    moved = model.row_at(row)
    assert (moved.first_year, moved.last_year) == (2025, 2029)  # type: ignore[union-attr]
    assert model.setData(model.index(row, year_column(model, "first_year")), "2027")
    window.document.flush()
    moved = model.row_at(row)
    assert (moved.first_year, moved.last_year) == (2027, 2029)  # type: ignore[union-attr]
