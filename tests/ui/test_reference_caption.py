"""The commitments card names the year its revenue comes from, not a single quarter."""

from __future__ import annotations

from planner.templates import blank
from tests.planner.test_reference_year import quarterly_project
from ui.main_window import MainWindow


def test_a_quarterly_projects_card_divides_by_the_years_revenue(window: MainWindow) -> None:
    window.replace_project(quarterly_project("2027-Q3"))
    window.document.flush()
    card = window.kpis.cards["commitments_to_revenue"]
    assert card.caption.text() == "contracts ÷ 2027 revenue"
    assert card.value.text() == "2.5x"  # 50 / (5 + 5 + 5 + 5)


def test_a_yearly_projects_card_names_its_first_year(window: MainWindow) -> None:
    window.replace_project(blank(2026, 2030))
    window.document.flush()
    assert window.kpis.cards["commitments_to_revenue"].caption.text() == "contracts ÷ 2026 revenue"
