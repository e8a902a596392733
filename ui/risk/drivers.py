"""Which assumption matters most: the tornado of a chosen KPI and the ranking from the draws.

The tornado moves one input at a time to its low and its high factor; the
ranking measures, over the same samples, how closely each input moves with the
KPI (rank correlation) and its share of the KPI's variance, which accounts for
inputs that move together. Both read inputs top down, largest first.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QSettings
from PySide6.QtWidgets import QComboBox, QWidget

from planner.kpis import KPI_LABELS
from ui.chart_base import colour, money, nice_step
from ui.risk.charts import EMPTY, ZERO_PEN, RiskChart
from ui.risk.live import DRIVER_KPIS, LiveRisk
from ui.style import CASH, COSTS

LOW_TINT = "#f28e2b"  # the input at its low factor
HIGH_TINT = "#4e79a7"  # at its high factor
SHARE_PEN = "#8a8a8a"  # mid grey reads on the light and the dark background alike

LABEL_CHARS = 22  # an input's name on the axis; the read-out gives it whole
BAR_HEIGHT = 0.7


def short(text: str) -> str:
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1] + "…"


class CategoryChart(RiskChart):
    """Horizontal bars, one row per input, the first row at the top."""

    def __init__(
        self, live: LiveRisk, parent: QWidget | None = None, settings: QSettings | None = None
    ) -> None:
        super().__init__(live, parent, settings)
        live.driverChanged.connect(self.update_chart)
        self.rows: list[str] = []
        self._ticks: list[tuple[float, str]] | None = None
        self._x_span: tuple[float, float] | None = None
        self.plot.showGrid(x=True, y=False, alpha=0.15)
        self.legend.setVisible(False)
        self.legend.setOffset((-4, 2))  # top right: the bars start at the left

    def _fit_legend(self) -> None:
        """The bars' colours are named in the heading; no legend covers the rows."""
        self.legend.setVisible(False)

    def _legend_share(self) -> float:
        return 0.0

    def label(self, item_id: str) -> str:
        try:
            return self.document.project.item(item_id).label
        except KeyError:
            return item_id

    def show_rows(self, rows: list[str]) -> None:
        """Name the rows on the left axis, the first at the top."""
        ticks = [(float(len(rows) - 1 - n), short(self.label(r))) for n, r in enumerate(rows)]
        self.rows = rows
        if ticks != self._ticks:
            self._ticks = ticks
            self.plot.getAxis("left").setTicks([ticks])
            box = self.plot.getViewBox()
            box.disableAutoRange(axis=pg.ViewBox.YAxis)
            box.setYRange(-0.6, max(len(rows), 1) - 0.4, padding=0)

    def show_span(self, low: float, high: float) -> None:
        if (low, high) != self._x_span:
            self._x_span = (low, high)
            box = self.plot.getViewBox()
            box.disableAutoRange(axis=pg.ViewBox.XAxis)
            box.setXRange(low, high, padding=0)

    def update_chart(self) -> None:
        self._x_span = None  # the base set the x range to the periods; ours is values
        super().update_chart()

    def _hover(self, position: QPointF) -> None:
        if not self.plot.sceneBoundingRect().contains(position) or not self.rows:
            return
        y = self.plot.getViewBox().mapSceneToView(position).y()
        row = len(self.rows) - 1 - round(y)
        if 0 <= row < len(self.rows):
            self.hover_index = row
            self.readout.setText(self.describe(row))
            self._show_heading()

    def describe(self, index: int) -> str:
        return ""

    @property
    def kpi(self) -> str:
        return self.live.driver_kpi


class TornadoChart(CategoryChart):
    """Each input alone at its low and at its high factor: the change in the chosen KPI."""

    title = "What moves it"

    def __init__(
        self, live: LiveRisk, parent: QWidget | None = None, settings: QSettings | None = None
    ) -> None:
        super().__init__(live, parent, settings)
        self.kpi_box = QComboBox()
        self.kpi_box.setToolTip("The key figure that the tornado and the ranking explain")
        for kpi in DRIVER_KPIS:
            self.kpi_box.addItem(KPI_LABELS[kpi][0], kpi)
        self.kpi_box.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.kpi_box.setMinimumContentsLength(8)
        self.header.insertWidget(1, self.kpi_box)
        self.kpi_box.currentIndexChanged.connect(self._kpi_chosen)

    def _kpi_chosen(self) -> None:
        self.live.set_driver_kpi(str(self.kpi_box.currentData()))

    def rebuild(self) -> None:
        self.plot.setLabel(
            "bottom",
            f"<span style='color:{LOW_TINT}'>■</span> low&nbsp;"
            f"<span style='color:{HIGH_TINT}'>■</span> high factor: change from plan, $B",
        )
        self.zero = pg.InfiniteLine(pos=0, angle=90, pen=ZERO_PEN)
        self.plot.addItem(self.zero, ignoreBounds=True)
        self.low_bars = pg.BarGraphItem(
            x0=[0],
            x1=[0],
            y=[0],
            height=BAR_HEIGHT,
            brush=colour(LOW_TINT, 200),
            pen=pg.mkPen(None),
        )
        self.high_bars = pg.BarGraphItem(
            x0=[0],
            x1=[0],
            y=[0],
            height=BAR_HEIGHT,
            brush=colour(HIGH_TINT, 200),
            pen=pg.mkPen(None),
        )
        self.plot.addItem(self.low_bars)
        self.plot.addItem(self.high_bars)
        self.heading.setToolTip(
            "Each input alone at its low and at its high factor, the others as planned:"
            " the change in the chosen key figure"
        )

    def ordered(self, result: Any) -> list[Any]:
        kpi = self.kpi
        return sorted(
            result.tornado,
            key=lambda row: (-abs(row.at_high[kpi] - row.at_low[kpi]), row.item),
        )

    def refresh(self) -> None:
        result = self.result
        if result is None or not result.tornado:
            for bars in (self.low_bars, self.high_bars):
                if self.changed(bars, EMPTY):
                    bars.setOpts(x0=EMPTY, x1=EMPTY, y=EMPTY, height=BAR_HEIGHT)
            self.show_rows([])
            return
        rows = self.ordered(result)
        kpi = self.kpi
        y = np.arange(len(rows) - 1, -1, -1, dtype=np.float64)
        at_low = np.array([row.at_low[kpi] for row in rows], dtype=np.float64)
        at_high = np.array([row.at_high[kpi] for row in rows], dtype=np.float64)
        zeros = np.zeros(len(rows))
        if self.changed(self.low_bars, y, at_low):
            self.low_bars.setOpts(x0=zeros, x1=at_low, y=y, height=BAR_HEIGHT)
        if self.changed(self.high_bars, y, at_high):
            self.high_bars.setOpts(x0=zeros, x1=at_high, y=y, height=BAR_HEIGHT)
        self.show_rows([row.item for row in rows])
        reach = float(max(np.abs(at_low).max(), np.abs(at_high).max(), 1e-9))
        # Round limits change less often than the figures: the axes need not be redrawn.
        step = nice_step(reach / 2)
        limit = float(np.ceil(1.05 * reach / step) * step)
        self.show_span(-limit, limit)

    def describe(self, index: int) -> str:
        result = self.result
        if result is None or index >= len(result.tornado):
            return ""
        row = self.ordered(result)[index]
        kpi = self.kpi
        return (
            f"{self.label(row.item)}: at {row.low:g} {money(row.at_low[kpi])},"
            f" at {row.high:g} {money(row.at_high[kpi])}"
        )


class RankingChart(CategoryChart):
    """Rank correlation of each input with the chosen KPI over all samples, strongest first."""

    title = "Ranking from the draws"

    def rebuild(self) -> None:
        self.plot.setLabel("bottom", "rank correlation · % = share of the variance")
        self.zero = pg.InfiniteLine(pos=0, angle=90, pen=ZERO_PEN)
        self.plot.addItem(self.zero, ignoreBounds=True)
        self.bars = pg.BarGraphItem(
            x0=[0],
            x1=[0],
            y=[0],
            height=BAR_HEIGHT,
            brushes=[colour(CASH, 190)],
            pen=pg.mkPen(None),
        )
        self.plot.addItem(self.bars)
        self.heading.setToolTip(
            "Spearman rank correlation of each input with the key figure chosen beside"
            " 'What moves it', and its share of the figure's variance"
        )
        self.shares: list[pg.TextItem] = []
        self.show_span(-1.15, 1.15)

    def ranked(self, result: Any) -> tuple[Any, ...]:
        return tuple(result.ranking.get(self.kpi, ()))

    def show_shares(self, rows: tuple[Any, ...], rho: np.ndarray) -> None:
        """Each input's share of the variance beside the zero line, on the side its bar
        leaves empty: far from the axis labels, and never read as a sign."""
        while len(self.shares) < len(rows):
            text = pg.TextItem(color=SHARE_PEN)
            self.plot.addItem(text, ignoreBounds=True)
            self.shares.append(text)
        for n, text in enumerate(self.shares):
            text.setVisible(n < len(rows))
            if n < len(rows):
                y = float(len(rows) - 1 - n)
                text.setText(f"{rows[n].variance_share:.0%}")
                text.setAnchor((1, 0.5) if rho[n] >= 0 else (0, 0.5))
                text.setPos(-0.03 if rho[n] >= 0 else 0.03, y)

    def refresh(self) -> None:
        result = self.result
        rows = () if result is None else self.ranked(result)
        if not rows:
            if self.changed(self.bars, EMPTY):
                self.bars.setOpts(x0=EMPTY, x1=EMPTY, y=EMPTY, height=BAR_HEIGHT)
            self.show_shares((), EMPTY)
            self.show_rows([])
            return
        y = np.arange(len(rows) - 1, -1, -1, dtype=np.float64)
        rho = np.array([row.rank_correlation for row in rows], dtype=np.float64)
        if self.changed(self.bars, y, rho):
            brushes = [colour(CASH if r >= 0 else COSTS, 190) for r in rho]
            self.bars.setOpts(
                x0=np.zeros(len(rows)), x1=rho, y=y, height=BAR_HEIGHT, brushes=brushes
            )
        self.show_shares(rows, rho)
        self.show_rows([row.item for row in rows])
        self.show_span(-1.15, 1.15)

    def describe(self, index: int) -> str:
        result = self.result
        rows = () if result is None else self.ranked(result)
        if index >= len(rows):
            return ""
        row = rows[index]
        return (
            f"{self.label(row.item)}: rank correlation {row.rank_correlation:+.2f},"
            f" {row.variance_share:.0%} of the variance"
        )
