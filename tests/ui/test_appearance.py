"""Icon and dark mode: the palette and the charts follow the system's colour scheme."""

from __future__ import annotations

from collections.abc import Iterator

import pyqtgraph as pg
import pytest
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot
from shiboken6 import isValid

from ui import style
from ui.appearance import (
    DARK_CHARTS,
    LIGHT_CHARTS,
    SCHEME_VARIABLE,
    Appearance,
    app_icon,
    palette_is_dark,
    system_is_dark,
)
from ui.main_window import MainWindow


@pytest.fixture
def appearance(qapp: QApplication) -> Iterator[Appearance]:
    look = Appearance(qapp)
    yield look
    look.apply(False)
    pg.setConfigOptions(background=LIGHT_CHARTS.background, foreground=LIGHT_CHARTS.foreground)


def window_with_chart(qtbot: QtBot) -> tuple[QWidget, pg.PlotWidget]:
    window = QWidget()
    qtbot.addWidget(window)
    chart = pg.PlotWidget()
    chart.getPlotItem().addLegend()
    QVBoxLayout(window).addWidget(chart)
    return window, chart


def test_icon_is_sharp_from_16_to_512_pixels(qapp: QApplication) -> None:
    icon = app_icon()
    assert not icon.isNull()
    sizes = {s.width() for s in icon.availableSizes()}
    assert {16, 32, 48, 256, 512} <= sizes
    # a 2x screen asks for twice the pixels; the SVG and big PNGs give them
    pixmap = icon.pixmap(QSize(64, 64), 2.0)
    assert pixmap.width() == 128 and pixmap.devicePixelRatio() == 2.0


def test_dark_mode_darkens_palette_and_charts(appearance: Appearance, qtbot: QtBot) -> None:
    window, chart = window_with_chart(qtbot)
    appearance.follow(window)
    appearance.apply(True)
    assert palette_is_dark(QApplication.palette())
    assert chart.backgroundBrush().color().name() == DARK_CHARTS.background
    axis = chart.getPlotItem().getAxis("left")
    assert axis.textPen().color().name() == DARK_CHARTS.foreground
    assert pg.getConfigOption("background") == DARK_CHARTS.background
    assert style.FORMULA_BG.lightness() < 64 and style.INPUT_FG.lightness() > 128
    appearance.apply(False)
    assert not palette_is_dark(QApplication.palette())
    assert chart.backgroundBrush().color().name() == LIGHT_CHARTS.background
    assert style.FORMULA_BG.name() == "#f1f3f5"


def test_a_change_of_system_scheme_is_followed(
    appearance: Appearance, qapp: QApplication, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(SCHEME_VARIABLE, raising=False)
    window, chart = window_with_chart(qtbot)
    appearance.follow(window)
    qapp.styleHints().colorSchemeChanged.emit(Qt.ColorScheme.Dark)
    assert appearance.dark
    assert chart.backgroundBrush().color().name() == DARK_CHARTS.background
    assert QApplication.palette().color(QPalette.ColorRole.Base).lightness() < 64


def test_closed_windows_are_forgotten(appearance: Appearance, qtbot: QtBot) -> None:
    window = QWidget()
    appearance.follow(window)
    window.deleteLater()
    qtbot.waitUntil(lambda: not isValid(appearance.windows[0]))
    appearance.apply(True)
    assert appearance.windows == []


def test_variable_overrides_the_system(qapp: QApplication, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SCHEME_VARIABLE, "dark")
    assert system_is_dark(qapp)
    monkeypatch.setenv(SCHEME_VARIABLE, "light")
    assert not system_is_dark(qapp)


def test_the_cell_legend_and_muted_text_follow_dark_mode(
    appearance: Appearance, window: MainWindow, qtbot: QtBot
) -> None:
    legend = window.scenarios.legend
    assert style.INPUT_FG.name() in legend.text()
    appearance.follow(window)
    appearance.apply(True)
    assert style.INPUT_FG.lightness() > 128
    # the dark mode's blue, readable on dark, once the window hears of the new palette
    qtbot.waitUntil(lambda: style.INPUT_FG.name() in legend.text())
    muted = legend.palette().color(legend.foregroundRole())
    assert muted.lightness() > legend.palette().color(QPalette.ColorRole.Window).lightness()


def test_the_compute_chart_keeps_its_coloured_axis_titles_in_dark_mode(
    appearance: Appearance, window: MainWindow
) -> None:
    from ui.charts import ComputeChart

    chart = next(c for c in window.charts if isinstance(c, ComputeChart))
    appearance.follow(window)
    appearance.apply(True)
    left, right = chart.plot.getAxis("left"), chart.plot.getAxis("right")
    assert style.CAPACITY in left.label.toHtml()
    assert style.SPEND in right.label.toHtml()
    assert left.textPen().color().name() == DARK_CHARTS.foreground  # the ticks follow the mode
