"""The four charts: revenue against costs, cash, compute, and a scenario comparison.

Lines and areas are plain curve items: they take new data about ten times faster
than pyqtgraph's PlotDataItem, whose extras (symbols, downsampling, log axes) only
the cash line uses.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QComboBox, QWidget

from planner.engine import group_members
from planner.kpis import KPI_IN_ERROR
from planner.scenario_colours import BASE_COLOUR, scenario_colours
from planner.schedules import periods_per_year
from planner.timeline import is_quarterly
from ui.appearance import AXIS_TITLE_COLOUR
from ui.chart_base import ChartPanel, colour, money
from ui.document import Document
from ui.style import CAPACITY, CASH, COSTS, FUNDING, SERIES_COLOURS, SPEND


def period_word(document: Document) -> str:
    """What one period of the project is called on the charts: "year" or "quarter"."""
    return "quarter" if is_quarterly(document.project) else "year"


def bar_width(document: Document) -> float:
    """Bars fill six tenths of a period, whatever its length."""
    return 0.6 / periods_per_year(document.project.periods[0])


def month_x(document: Document, cash_zero: str) -> float:
    """The x of the end of a "YYYY-MM" month, where a period's point is its end."""
    year, month = int(cash_zero[:4]), int(cash_zero[5:7])
    months_per_period = 12 // periods_per_year(document.project.periods[0])
    return year + (month - months_per_period) / 12


class RevenueChart(ChartPanel):
    """Revenue stacked by source against total costs."""

    title = "Revenue by source vs total costs"

    def structure(self) -> object:
        return (tuple(self.document.project.periods), tuple(self._sources()))

    def _sources(self) -> list[str]:
        items = self.document.result.resolved.items
        return group_members(items, "revenue", "revenue")

    def rebuild(self) -> None:
        self.plot.setLabel("left", f"$B per {period_word(self.document)}")
        self.sources = self._sources()
        self.stack: list[pg.PlotCurveItem] = []
        # Drawn top of the stack first, so each lower band paints over the one above.
        for n in reversed(range(len(self.sources))):
            tint = SERIES_COLOURS[n % len(SERIES_COLOURS)]
            curve = pg.PlotCurveItem(
                pen=pg.mkPen(colour(tint), width=1),
                fillLevel=0,
                brush=colour(tint, 200),
                connect="finite",
                antialias=True,
            )
            curve.opts["fillBrush"] = curve.opts["brush"]  # what the legend's sample draws
            self.plot.addItem(curve)
            self.stack.insert(0, curve)
        project = self.document.project
        for source, curve in zip(self.sources, self.stack, strict=True):
            self.legend.addItem(curve, project.item(source).label)
        self.costs = pg.PlotCurveItem(
            pen=pg.mkPen(COSTS, width=3), connect="finite", antialias=True
        )
        self.plot.addItem(self.costs)
        self.legend.addItem(self.costs, "Total costs")

    def refresh(self) -> None:
        result = self.document.result
        level = np.zeros(len(self.x))
        for source, curve in zip(self.sources, self.stack, strict=True):
            level = level + result.series(source)
            if self.changed(curve, self.x, level):
                curve.setData(self.x, level)
        costs = result.series("total_costs")
        if self.changed(self.costs, self.x, costs):
            self.costs.setData(self.x, costs)
        self.fit_y(level, costs)

    def describe(self, index: int) -> str:
        result = self.document.result
        period = result.periods[index]
        revenue = result.series("revenue")[index]
        costs = result.series("total_costs")[index]
        burn = money(costs - revenue)
        return f"{period}: revenue {money(revenue)} · costs {money(costs)} · burn {burn}"


class CashChart(ChartPanel):
    """Cash at period end, cash raised per period, the rounds, the zero line and cash-zero date."""

    title = "Cash balance and funding"

    def rebuild(self) -> None:
        self.plot.setLabel("left", "$B")
        period = period_word(self.document)
        self.bars = pg.BarGraphItem(
            x=[0], height=[0], width=0.6, brush=colour(FUNDING, 110), pen=pg.mkPen(None)
        )
        self.plot.addItem(self.bars)
        self.legend.addItem(self.bars, f"Cash raised in the {period}")
        self.zero = pg.InfiniteLine(
            # Mid grey reads on the light and the dark background alike.
            pos=0,
            angle=0,
            pen=pg.mkPen("#8a8a8a", width=1, style=Qt.PenStyle.DashLine),
        )
        self.plot.addItem(self.zero, ignoreBounds=True)
        self.cash = pg.PlotDataItem(
            pen=pg.mkPen(CASH, width=3),
            symbol="o",
            symbolSize=5,
            symbolBrush=CASH,
            antialias=True,
        )
        self.plot.addItem(self.cash)
        self.legend.addItem(self.cash, f"Cash at {period} end")
        self.rounds = pg.ScatterPlotItem(
            symbol="t1",
            size=13,
            brush=colour(FUNDING),
            pen=pg.mkPen("#1e5a1e"),
            hoverable=True,
            tip=self._round_tip,
        )
        self.plot.addItem(self.rounds)
        self.legend.addItem(self.rounds, "Funding round")
        self.zero_date = pg.InfiniteLine(
            angle=90,
            pen=pg.mkPen(COSTS, width=2, style=Qt.PenStyle.DashLine),
            label="cash runs out {value}",
            labelOpts={
                "position": 0.08,
                "color": COSTS,
                "anchors": [(1.05, 1), (1.05, 1)],
                "fill": pg.mkBrush(255, 255, 255, 200),
            },
        )
        self.plot.addItem(self.zero_date, ignoreBounds=True)

    def _round_lines(self, index: int) -> list[str]:
        result = self.document.result
        period = result.periods[index]
        return [
            f"{r.investor} {money(r.amount)}"
            for r in result.resolved.funding_rounds
            if r.period == period and r.amount > 0
        ]

    def _round_tip(self, x: float, y: float, data: object) -> str:
        index = int(np.argmin(np.abs(self.x - x)))
        return "\n".join([self.document.result.periods[index], *self._round_lines(index)])

    def refresh(self) -> None:
        result = self.document.result
        cash = result.series("cash")
        funding = result.series("funding")
        if self.changed(self.bars, self.x, funding):
            self.bars.setOpts(x=self.x, height=funding, width=bar_width(self.document))
        if self.changed(self.cash, self.x, cash):
            self.cash.setData(self.x, cash)
        with_rounds = [i for i in range(len(self.x)) if self._round_lines(i)]
        if self.changed(self.rounds, self.x[with_rounds], cash[with_rounds]):
            self.rounds.setData(x=self.x[with_rounds], y=cash[with_rounds])
        self.fit_y(cash, result.series("funding"))
        cash_zero = self.document.kpis()["cash_zero"]
        if isinstance(cash_zero, str) and cash_zero != KPI_IN_ERROR:
            self.zero_date.setVisible(True)
            x = month_x(self.document, cash_zero)
            self.zero_date.setValue(x)
            label = self.zero_date.label
            label.setFormat(f"cash runs out {cash_zero}")
            # Written left of the line, unless the line is too near the left edge for it.
            anchor = (
                (-0.05, 1) if x < self.x.min() + (self.x.max() - self.x.min()) / 3 else (1.05, 1)
            )
            if label.anchors[0] != anchor:
                label.anchors = [anchor, anchor]
                label.updatePosition()
        else:
            self.zero_date.setVisible(False)

    def describe(self, index: int) -> str:
        result = self.document.result
        rounds = self._round_lines(index)
        text = (
            f"{result.periods[index]}: cash {money(result.series('cash')[index])}"
            f" · raised {money(result.series('funding')[index])}"
        )
        return text + (f" ({', '.join(rounds)})" if rounds else "")


class ComputeChart(ChartPanel):
    """Capacity in GW (left axis) against payments due under compute contracts ($B, right)."""

    title = "Compute capacity vs committed spend"

    def rebuild(self) -> None:
        self.plot.setLabel("left", "Capacity (GW)", color=CAPACITY)
        self.plot.getAxis("left").setProperty(AXIS_TITLE_COLOUR, CAPACITY)
        self.plot.showAxis("right")
        self.plot.getAxis("right").setProperty(AXIS_TITLE_COLOUR, SPEND)
        period = period_word(self.document)
        # Short: the axis is as tall as the plot, about 130 pixels in a 1024x700 window.
        self.plot.setLabel(
            "right", f"Payments, $B/{'qtr' if period == 'quarter' else 'yr'}", color=SPEND
        )
        if not hasattr(self, "spend_box"):
            self.spend_box = pg.ViewBox(enableMenu=False)
            self.plot.scene().addItem(self.spend_box)
            self.plot.getAxis("right").linkToView(self.spend_box)
            self.spend_box.setXLink(self.plot)
            self.plot.getViewBox().sigResized.connect(self._align_boxes)
            self.spend_box.setMouseEnabled(x=False, y=False)
        self.spend_box.clear()
        self.spend = pg.BarGraphItem(
            x=[0], height=[0], width=0.6, brush=colour(SPEND, 140), pen=pg.mkPen(None)
        )
        self.spend_box.addItem(self.spend)
        self.capacity = pg.PlotCurveItem(
            pen=pg.mkPen(CAPACITY, width=3), connect="finite", antialias=True
        )
        self.plot.addItem(self.capacity)
        self.legend.addItem(self.capacity, f"Capacity at {period} end (GW)")
        self.legend.addItem(self.spend, "Payments under contracts ($B)")

    def _align_boxes(self) -> None:
        self.spend_box.setGeometry(self.plot.getViewBox().sceneBoundingRect())
        self.spend_box.linkedViewChanged(self.plot.getViewBox(), self.spend_box.XAxis)

    def refresh(self) -> None:
        result = self.document.result
        capacity = result.series("capacity_gw")
        if self.changed(self.capacity, self.x, capacity):
            self.capacity.setData(self.x, capacity)
        spend = result.series("committed_spend")
        if self.changed(self.spend, self.x, spend):
            self.spend.setOpts(x=self.x, height=spend, width=bar_width(self.document))
        self.fit_y(capacity)
        self.fit_y(spend, box=self.spend_box)
        self._align_boxes()

    def describe(self, index: int) -> str:
        result = self.document.result
        return (
            f"{result.periods[index]}: capacity {result.series('capacity_gw')[index]:,.1f} GW"
            f" · committed spend {money(result.series('committed_spend')[index])}"
        )


COMPARED_FIRST = ("cash", "revenue", "burn", "total_costs", "funding", "capacity_gw")


class ComparisonChart(ChartPanel):
    """One chosen series, one line per scenario; the scenario on screen drawn heavier."""

    title = "Scenarios compared"

    def __init__(
        self,
        document: Document,
        parent: QWidget | None = None,
        settings: QSettings | None = None,
    ) -> None:
        super().__init__(document, parent, settings)
        self.series_box = QComboBox()
        self.series_box.setToolTip("The series to compare across scenarios")
        self.series_box.setMaximumWidth(230)
        # Long labels may be cut rather than widen the chart past half a small window.
        self.series_box.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.series_box.setMinimumContentsLength(12)
        self.header.insertWidget(1, self.series_box, 1)  # as wide as there is room for
        self._fill_series_box()
        self.series_box.currentIndexChanged.connect(self._series_chosen)
        document.projectReplaced.connect(self._fill_series_box)

    def _fill_series_box(self) -> None:
        project = self.document.project
        # A single value (opening cash) has no path over the years to draw.
        ids = [i.id for i in project.items if i.kind != "constant"]
        ordered = [s for s in COMPARED_FIRST if s in ids] + [
            i for i in ids if i not in COMPARED_FIRST
        ]
        self.series_box.blockSignals(True)
        self.series_box.clear()
        for item_id in ordered:
            item = project.item(item_id)
            self.series_box.addItem(
                f"{item.label} ({item.unit})" if item.unit else item.label, item_id
            )
        self.series_box.setCurrentIndex(0)
        self.series_box.blockSignals(False)

    @property
    def series_id(self) -> str:
        return str(self.series_box.currentData())

    def _series_chosen(self) -> None:
        self.update_chart()

    def subject(self) -> str:
        """Every scenario is in the picture (its legend names them): name the series instead."""
        return self.series_box.currentText()

    def structure(self) -> object:
        return (tuple(self.document.project.periods), tuple(self.document.results))

    def rebuild(self) -> None:
        self._unit: str | None = None
        self._pens: dict[str, tuple[str, int]] = {}
        self.curves: dict[str, pg.PlotCurveItem] = {}
        # Each scenario in its own stored colour: adding one leaves the others as they were.
        colours = scenario_colours(self.document.project)
        for name in self.document.results:
            pen = pg.mkPen(colours.get(name, BASE_COLOUR), width=2)
            curve = pg.PlotCurveItem(pen=pen, connect="finite", antialias=True)
            self.plot.addItem(curve)
            self.legend.addItem(curve, name)
            self.curves[name] = curve

    def refresh(self) -> None:
        series = self.series_id
        unit = self.document.project.item(series).unit if series else ""
        if unit != self._unit:
            self._unit = unit
            self.plot.setLabel("left", unit)
        scale = 100.0 if unit == "%" else 1.0
        shown = []
        colours = scenario_colours(self.document.project)
        for name, curve in self.curves.items():
            result = self.document.results.get(name)
            if result is None or series not in result.values:
                continue
            pen = (colours.get(name, BASE_COLOUR), 4 if name == self.document.scenario else 2)
            if self._pens.get(name) != pen:
                self._pens[name] = pen
                curve.setPen(pg.mkPen(pen[0], width=pen[1]))
                for sample, _label in self.legend.items:
                    sample.update()  # the legend's sample draws the curve's pen
            values = result.series(series) * scale
            if self.changed(curve, self.x, values):
                curve.setData(self.x, values)
            shown.append(values)
        if shown:
            self.fit_y(*shown)

    def describe(self, index: int) -> str:
        series = self.series_id
        unit = self.document.project.item(series).unit
        parts = []
        for name, result in self.document.results.items():
            value = float(result.series(series)[index])
            shown = f"{value * 100:,.1f}%" if unit == "%" else f"{value:,.1f}"
            parts.append(f"{name} {shown}")
        period = self.document.project.periods[index]
        return f"{period}: " + " · ".join(parts) + (f" ({unit})" if unit != "%" else "")
