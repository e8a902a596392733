"""The risk view's charts over periods: fans of cash and burn, the chance cash has run out,
and when it runs out.

Each chart shows the latest run of :class:`ui.risk.live.LiveRisk`; its heading
names the scenario, sample count and seed of that run, and so does a saved PNG.
Plot items are created once and updated with ``setData``, like the plan's charts.
"""

from __future__ import annotations

import html
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QSettings, Qt
from PySide6.QtGui import QFontMetrics, QResizeEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

from planner.model import period_months, period_year
from ui.chart_base import ChartPanel, colour, money
from ui.risk.live import LiveRisk
from ui.style import CAPACITY, CASH, COSTS, MUTED_FG

EMPTY = np.zeros(0)
ZERO_PEN = pg.mkPen("#8a8a8a", width=1, style=Qt.PenStyle.DashLine)


def run_subject(result: Any) -> str:
    """What a run is of: "Leaked plan, 10,000 samples, seed 1"."""
    return f"{result.scenario}, {result.samples:,} samples, seed {result.seed}"


class RiskChart(ChartPanel):
    """A chart of the latest finished run; empty until one arrives."""

    def __init__(
        self, live: LiveRisk, parent: QWidget | None = None, settings: QSettings | None = None
    ) -> None:
        self.live = live
        super().__init__(live.document, parent, settings)
        self._heading_text = ""
        # The run's name after the title may be cut in a narrow window, never the title.
        self.heading.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        bold = self.heading.font()
        bold.setBold(True)
        self.heading.setMinimumWidth(QFontMetrics(bold).horizontalAdvance(self.title) + 8)
        # Hover values take the run's place after the title, so the heading gets the room.
        self.header.setStretch(self.header.indexOf(self.heading), 1)
        self.header.setStretch(self.header.indexOf(self.readout), 0)
        self.readout.setVisible(False)
        self.save_button.setText("PNG…")  # six charts share a row's width with their buttons
        self.plot_widget.setMinimumHeight(100)
        live.updated.connect(self.update_chart)

    @property
    def result(self) -> Any:
        """The run shown (planner.uncertainty.MonteCarlo), or None."""
        outcome = self.live.outcome
        if outcome is None or outcome.result is None:
            return None
        result = outcome.result
        return result if len(result.periods) == len(self.x) else None

    def subject(self) -> str:
        result = self.result
        return run_subject(result) if result is not None else self.document.scenario

    def update_chart(self) -> None:
        super().update_chart()
        self._show_heading()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._show_heading()

    def _hover(self, position: QPointF) -> None:
        super()._hover(position)
        self._show_heading()

    def leaveEvent(self, event: object) -> None:
        super().leaveEvent(event)
        self._show_heading()

    def _show_heading(self) -> None:
        """The title in bold, then the run it shows (or the values under the pointer),
        shortened with "…" to the room left."""
        text = f"<b>{html.escape(self.title)}</b>"
        result = self.result
        if result is not None:
            hovered = self.readout.text() if self.hover_index is not None else ""
            bold = self.heading.font()
            bold.setBold(True)
            room = self.heading.width() - QFontMetrics(bold).horizontalAdvance(self.title + "  ")
            small = self.heading.font()
            small.setPixelSize(11)
            subject = QFontMetrics(small).elidedText(
                hovered or run_subject(result), Qt.TextElideMode.ElideRight, max(0, room)
            )
            if subject and subject != "…":
                text += (
                    f" <span style='color:{MUTED_FG.name()};font-size:11px'>"
                    f"{html.escape(subject)}</span>"
                )
        if text != self._heading_text:
            self._heading_text = text
            self.heading.setText(text)

    def _legend_share(self) -> float:
        if not self.legend.items:  # no legend: the data may reach the top
            return 0.04
        return super()._legend_share()


class FanChart(RiskChart):
    """A series' percentile bands over periods, its median, and the plan as a line."""

    def __init__(
        self,
        live: LiveRisk,
        series: str,
        title: str,
        tint: str,
        parent: QWidget | None = None,
        settings: QSettings | None = None,
    ) -> None:
        self.series = series
        self.title = title
        self.tint = tint
        super().__init__(live, parent, settings)

    def rebuild(self) -> None:
        self.plot.setLabel("left", "$B")
        self.zero = pg.InfiniteLine(pos=0, angle=0, pen=ZERO_PEN)
        self.plot.addItem(self.zero, ignoreBounds=True)
        self.edges = [pg.PlotCurveItem(pen=pg.mkPen(None)) for _ in range(4)]  # p5 p25 p75 p95
        for edge in self.edges:
            self.plot.addItem(edge)
        self.outer = pg.FillBetweenItem(
            self.edges[0], self.edges[3], brush=colour(self.tint, 55), pen=pg.mkPen(None)
        )
        self.inner = pg.FillBetweenItem(
            self.edges[1], self.edges[2], brush=colour(self.tint, 120), pen=pg.mkPen(None)
        )
        self.plot.addItem(self.outer)
        self.plot.addItem(self.inner)
        self.median = pg.PlotCurveItem(
            pen=pg.mkPen(self.tint, width=3), connect="finite", antialias=True
        )
        self.plan = pg.PlotCurveItem(
            pen=pg.mkPen(CAPACITY, width=2, style=Qt.PenStyle.DashLine),
            connect="finite",
            antialias=True,
        )
        self.plot.addItem(self.median)
        self.plot.addItem(self.plan)
        self.legend.addItem(_swatch(self.tint, 55), "5–95%")
        self.legend.addItem(_swatch(self.tint, 120), "25–75%")
        self.legend.addItem(self.median, "Median")
        self.legend.addItem(self.plan, "Plan")

    def refresh(self) -> None:
        result = self.result
        if result is None:
            for item in (*self.edges, self.median, self.plan):
                if self.changed(item, EMPTY):
                    item.setData(EMPTY, EMPTY)
            return
        bands = np.asarray(result.bands[self.series], dtype=np.float64)
        plan = np.asarray(result.plan[self.series], dtype=np.float64)
        for edge, row in zip(self.edges, (0, 1, 3, 4), strict=True):
            if self.changed(edge, self.x, bands[row]):
                edge.setData(self.x, bands[row])
        if self.changed(self.median, self.x, bands[2]):
            self.median.setData(self.x, bands[2])
        if self.changed(self.plan, self.x, plan):
            self.plan.setData(self.x, plan)
        self.fit_y(bands[0], bands[4], plan)

    def describe(self, index: int) -> str:
        result = self.result
        if result is None:
            return ""
        band = np.asarray(result.bands[self.series])[:, index]
        plan = float(np.asarray(result.plan[self.series])[index])
        return (
            f"{result.periods[index]}: median {money(band[2])} · half the samples "
            f"{money(band[1])} to {money(band[3])} · 90% {money(band[0])} to {money(band[4])}"
            f" · plan {money(plan)}"
        )


CHANCE_CEILING = 104.0  # % : room for the line's width above a certain outcome


class CashOutChanceChart(RiskChart):
    """The share of samples whose cash has run out by the end of each period."""

    title = "Chance cash has run out"

    def rebuild(self) -> None:
        self.plot.setLabel("left", "% of samples")
        # The area without antialiasing, the line with it: a smooth fill costs a third of
        # the chart's paint and shows nothing more.
        self.area = pg.PlotCurveItem(pen=pg.mkPen(None), fillLevel=0, brush=colour(COSTS, 50))
        self.curve = pg.PlotCurveItem(pen=pg.mkPen(COSTS, width=3), antialias=True)
        self.plot.addItem(self.area)
        self.plot.addItem(self.curve)

    def refresh(self) -> None:
        result = self.result
        chance = EMPTY if result is None else np.asarray(result.cash_zero_by_period) * 100
        x = EMPTY if result is None else self.x
        if self.changed(self.curve, x, chance):
            self.curve.setData(x, chance)
            self.area.setData(x, chance)
        # At least 0 to 10%: a small chance must not fill the chart as if it were certain;
        # and never far past 100%, which no chance exceeds.
        self.fit_y(chance, np.array([10.0]), ceiling=CHANCE_CEILING)

    def describe(self, index: int) -> str:
        result = self.result
        if result is None:
            return ""
        share = float(np.asarray(result.cash_zero_by_period)[index]) * 100
        return f"by the end of {result.periods[index]}: cash has run out in {share:.1f}% of samples"


class CashOutMonthChart(RiskChart):
    """A histogram of when cash runs out, among the samples where it does."""

    title = "When cash runs out"

    def rebuild(self) -> None:
        self.plot.setLabel("left", "% of samples that run out")
        self.bars = pg.BarGraphItem(
            x=[0], height=[0], width=0.2, brush=colour(COSTS, 170), pen=pg.mkPen(None)
        )
        self.plot.addItem(self.bars)
        self.median_line = pg.InfiniteLine(
            angle=90,
            pen=pg.mkPen(CASH, width=2, style=Qt.PenStyle.DashLine),
            label="median {value}",
            labelOpts={"position": 0.82, "color": CASH, "anchors": [(1.05, 1), (1.05, 1)]},
        )
        self.plot.addItem(self.median_line, ignoreBounds=True)
        self.median_line.setVisible(False)

    def _bins(self, result: Any) -> tuple[np.ndarray, np.ndarray, float]:
        """Bin centres (chart x), shares in % and bin width in years: quarters over long
        horizons, where single months would be bars a pixel wide."""
        counts = np.asarray(result.cash_zero_months, dtype=np.float64)
        months = len(counts)
        size = 1 if months <= 48 else 3 if months <= 240 else 12
        padded = np.zeros(-(-months // size) * size)
        padded[:months] = counts
        binned = padded.reshape(-1, size).sum(axis=1)
        total = counts.sum()
        shares = binned / total * 100 if total else binned
        start = _month_x(result.periods[0])
        centres = start + (np.arange(len(binned)) * size + size / 2) / 12
        return centres, shares, size / 12

    def _legend_share(self) -> float:
        return 0.14  # room for the median's label above the bars

    def refresh(self) -> None:
        result = self.result
        if result is None or not np.asarray(result.cash_zero_months).sum():
            if self.changed(self.bars, EMPTY):
                self.bars.setOpts(x=EMPTY, height=EMPTY, width=0.2)
            self.median_line.setVisible(False)
            self.fit_y(np.array([10.0]))
            return
        centres, shares, width = self._bins(result)
        if self.changed(self.bars, centres, shares):
            self.bars.setOpts(x=centres, height=shares, width=width * 0.9)
        # The tallest bar moves with every run; its range only by tens, so the axis keeps.
        self.fit_y(np.array([np.ceil(shares.max() / 10) * 10]))
        median = result.cash_zero.median
        self.median_line.setVisible(median is not None)
        if median is not None:
            year, month = divmod(int(median), 12)
            self.median_line.setValue(year - 1 + (month + 1) / 12)
            self.median_line.label.setFormat(f"median {year:04d}-{month + 1:02d}")

    def describe(self, index: int) -> str:
        result = self.result
        if result is None:
            return ""
        counts = np.asarray(result.cash_zero_months)
        period = result.periods[index]
        first = _months_before(result.periods, index)
        length = period_months(period)[1]
        in_period = int(counts[first : first + length].sum())
        total = int(counts.sum())
        if not total:
            return f"{period}: no sample runs out of cash"
        return (
            f"{period}: {in_period:,} samples run out ({in_period / total:.0%} of the "
            f"{total:,} that do; {in_period / result.samples:.1%} of all)"
        )


def _month_x(period: str) -> float:
    """Chart x of the start of a period's first month: the cash chart puts year Y's end at Y."""
    return period_year(period) - 1 + (period_months(period)[0] - 1) / 12


def _months_before(periods: tuple[str, ...], index: int) -> int:
    return sum(period_months(p)[1] for p in periods[:index])


def _swatch(tint: str, alpha: int) -> pg.PlotCurveItem:
    """A legend sample for a band: never added to the plot, only drawn by the legend."""
    sample = pg.PlotCurveItem(pen=pg.mkPen(None), fillLevel=0, brush=colour(tint, alpha))
    sample.opts["fillBrush"] = sample.opts["brush"]
    return sample
