"""A horizontal waterfall: A's value at the top, each change's part below, B's value last.

Horizontal, so that the changes' labels read on the left axis without turning.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QGraphicsItem, QVBoxLayout, QWidget

from planner.attribution import WaterfallStep, format_amount

INCREASE = "#f28e2b"  # orange: raises the KPI (neither good nor bad in itself)
DECREASE = "#4e79a7"  # blue: lowers it
TOTAL = "#8c8f94"  # grey: the two scenarios' own values
LABEL_CHARS = 44  # a longer label is cut short on the axis; the table has it whole
BAR_HEIGHT = 0.62


def colour_of(step: WaterfallStep) -> str:
    return {"increase": INCREASE, "decrease": DECREASE}.get(step.kind, TOTAL)


def short_label(text: str) -> str:
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1].rstrip() + "…"


class WaterfallChart(QWidget):
    """Bars floating from one level to the next, with connectors and value labels."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plot_widget = pg.PlotWidget(enableMenu=False)
        self.plot_widget.setMinimumHeight(200)
        self.plot_widget.scene().contextMenu = []  # no SVG export: it fails on this version
        self.plot = self.plot_widget.getPlotItem()
        self.plot.setMenuEnabled(False)
        self.plot.hideButtons()
        self.plot.showGrid(x=True, y=False, alpha=0.15)
        self.plot.getViewBox().setMouseEnabled(x=False, y=False)
        self.plot.invertY(True)
        for side in ("left", "bottom"):
            axis = self.plot.getAxis(side)
            axis.enableAutoSIPrefix(False)
            axis.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.bars = pg.BarGraphItem(x0=[], y=[], width=[], height=BAR_HEIGHT)
        self.connectors = pg.PlotDataItem(
            [], [], connect="pairs", pen=pg.mkPen("#999999", style=Qt.PenStyle.DotLine)
        )
        self.plot.addItem(self.bars)
        self.plot.addItem(self.connectors)
        self.value_labels: list[pg.TextItem] = []
        self.steps: list[WaterfallStep] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plot_widget)

    def show_steps(
        self,
        steps: Sequence[WaterfallStep],
        unit: str,
        axis_title: str,
        total_text: Callable[[float], str],
    ) -> None:
        """Draw ``steps``, parts in ``unit``, totals by ``total_text``; no steps clears it."""
        self.steps = list(steps)
        for label in self.value_labels:
            self.plot.removeItem(label)
        self.value_labels = []
        self.bars.setVisible(bool(self.steps))
        for side in ("left", "bottom"):
            self.plot.showAxis(side, bool(self.steps))
        if not self.steps:  # pyqtgraph's bars cannot be given empty lists of brushes
            self.connectors.setData([], [])
            self.plot.getAxis("left").setTicks([[], []])
            self.plot.setLabel("bottom", "")
            self._fit()
            return
        rows = np.arange(len(self.steps), dtype=float)
        starts = np.array([min(s.start, s.end) for s in self.steps], dtype=float)
        widths = np.array([abs(s.end - s.start) for s in self.steps], dtype=float)
        brushes = [pg.mkBrush(colour_of(s)) for s in self.steps]
        self.bars.setOpts(
            x0=starts, y=rows, width=widths, height=BAR_HEIGHT, brushes=brushes, pen=None
        )
        self._draw_connectors()
        ticks = [(float(i), short_label(s.label)) for i, s in enumerate(self.steps)]
        left = self.plot.getAxis("left")
        left.setTicks([ticks, []])
        # Wide enough for the longest label now: the axis would otherwise drop labels that
        # outgrow the width it had for the previous ones.
        metrics = QFontMetrics(left.style.get("tickFont") or self.font())
        left.setWidth(max(metrics.horizontalAdvance(text) for _, text in ticks) + 18)
        self.plot.setLabel("bottom", axis_title)
        foreground = pg.getConfigOption("foreground")
        for row, step in enumerate(self.steps):
            if step.kind == "total":
                text = total_text(step.end)
            else:
                text = format_amount(unit, step.end - step.start, signed=True)
            label = pg.TextItem(text, color=foreground, anchor=(0, 0.5))
            label.setPos(max(step.start, step.end), row)
            self.plot.addItem(label, ignoreBounds=True)
            self.value_labels.append(label)
        self._fit()

    def _draw_connectors(self) -> None:
        """A dotted line from the end of each bar to the start of the next."""
        xs: list[float] = []
        ys: list[float] = []
        for row, (step, following) in enumerate(zip(self.steps, self.steps[1:], strict=False)):
            level = step.end
            if following.kind != "total" or level == following.end:
                xs += [level, level]
                ys += [row + BAR_HEIGHT / 2, row + 1 - BAR_HEIGHT / 2]
        self.connectors.setData(xs, ys, connect="pairs")

    def _fit(self) -> None:
        if not self.steps:
            self.plot.setXRange(0, 1, padding=0)
            self.plot.setYRange(-0.5, 0.5, padding=0)
            return
        values = [v for s in self.steps for v in (s.start, s.end)]
        low, high = min(values), max(values)
        span = (high - low) or 1.0
        # Room on the right for the value labels.
        self.plot.setXRange(low - 0.02 * span, high + 0.16 * span, padding=0)
        self.plot.setYRange(-0.6, len(self.steps) - 0.4, padding=0)
