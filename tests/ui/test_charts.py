"""Chart legends fit the plot and never cover the data, at the window sizes people use."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPointF
from pytestqt.qtbot import QtBot

from ui.chart_base import ChartPanel
from ui.main_window import MainWindow


def data_top_in_scene(chart: ChartPanel) -> float:
    """The scene y of the highest point any item of the chart draws (smaller is higher)."""
    tops = []
    for item in chart.plot.listDataItems():
        y = np.asarray(item.getData()[1], dtype=float)
        if y.size:
            tops.append(chart.plot.getViewBox().mapViewToScene(QPointF(0, np.nanmax(y))).y())
    spend_box = getattr(chart, "spend_box", None)
    if spend_box is not None:  # the bars on the compute chart's right-hand axis
        heights = chart.spend.opts["height"]  # type: ignore[attr-defined]
        tops.append(spend_box.mapViewToScene(QPointF(0, float(np.max(heights)))).y())
    return min(tops)


@pytest.mark.parametrize("size", [(1024, 700), (1366, 730), (1400, 900), (1920, 1050)])
def test_legends_fit_and_stay_clear_of_the_data(
    window: MainWindow, qtbot: QtBot, size: tuple[int, int]
) -> None:
    window.resize(*size)
    window.show()
    qtbot.waitExposed(window)
    window.document.flush()
    for chart in window.charts:
        legend = chart.legend
        assert legend.isVisible(), chart.title
        area = chart.plot.getViewBox().sceneBoundingRect()
        box = legend.sceneBoundingRect()
        assert box.right() <= area.right(), f"{chart.title}: legend wider than the plot"
        assert box.bottom() < data_top_in_scene(chart), f"{chart.title}: legend covers data"


def test_a_plot_too_small_for_its_legend_hides_it_and_shows_it_again(
    window: MainWindow, qtbot: QtBot
) -> None:
    revenue = window.charts[0]
    window.resize(900, 560)
    window.show()
    qtbot.waitUntil(lambda: not revenue.legend.isVisible())
    window.resize(1400, 900)
    qtbot.waitUntil(lambda: revenue.legend.isVisible())
    assert revenue.legend.sceneBoundingRect().bottom() < data_top_in_scene(revenue)
