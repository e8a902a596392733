"""In a quarterly project the charts speak of quarters and place the cash-zero month right."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from planner.commands import SetConstant, SetInput
from planner.templates import blank
from ui.charts import CashChart, ComputeChart, RevenueChart
from ui.main_window import MainWindow


def legend_texts(chart: object) -> list[str]:
    return [label.text for _sample, label in chart.legend.items]  # type: ignore[attr-defined]


def test_a_quarterly_project_labels_its_charts_by_the_quarter(
    window: MainWindow, qtbot: QtBot
) -> None:
    window.replace_project(blank(2026, 2028, quarterly=True))
    document = window.document
    periods = document.project.periods
    assert document.push(SetConstant(None, "opening_cash", 3.0))
    for period in periods:
        assert document.push(SetInput(None, "other_costs", period, 1.0))
    window.show()
    qtbot.waitExposed(window)
    document.flush()
    charts = {type(chart): chart for chart in window.charts}
    texts = " ".join(
        [
            charts[RevenueChart].plot.getAxis("left").labelText,
            charts[ComputeChart].plot.getAxis("right").labelText,
            *legend_texts(charts[CashChart]),
            *legend_texts(charts[ComputeChart]),
        ]
    )
    assert "year" not in texts
    assert "per quarter" in texts and "Cash at quarter end" in texts
    # $3B at $1B a quarter: zero at the end of September, below it in October.
    assert document.kpis()["cash_zero"] == "2026-10"
    cash = charts[CashChart]
    q3 = cash.x[periods.index("2026-Q3")]  # the third quarter's point: its closing balance
    assert cash.zero_date.value() == q3 + 1 / 12


def test_cash_running_out_early_is_labelled_inside_the_plot(
    window: MainWindow, qtbot: QtBot
) -> None:
    window.replace_project(blank(2026, 2032))
    document = window.document
    assert document.push(SetConstant(None, "opening_cash", 1.0))
    for period in document.project.periods:
        assert document.push(SetInput(None, "other_costs", period, 2.0))
    window.resize(1024, 700)
    window.show()
    qtbot.waitExposed(window)
    document.flush()
    assert document.kpis()["cash_zero"] == "2026-07"
    cash = next(chart for chart in window.charts if isinstance(chart, CashChart))
    label = cash.zero_date.label
    plot_area = cash.plot.getViewBox().sceneBoundingRect()
    assert label.isVisible()
    assert label.sceneBoundingRect().left() >= plot_area.left()
