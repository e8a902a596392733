"""The risk view: the answer in one line, then six charts of the latest run.

The headline says how likely the money runs out and which assumption matters
most, so an analyst has both in ten seconds; the charts show the why.
"""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import (
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QMenu,
    QProgressBar,
    QSizePolicy,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
    QWidgetAction,
)

from planner.kpis import KPI_LABELS
from ui.chart_base import ChartPanel, money
from ui.risk.charts import CashOutChanceChart, CashOutMonthChart, FanChart
from ui.risk.drivers import RankingChart, TornadoChart
from ui.risk.live import MAX_SAMPLES, MAX_SEED, MIN_SAMPLES, LiveRisk
from ui.style import CASH, COSTS

SAMPLING_NAMES = {"lhs": "Latin hypercube", "random": "plain random sampling"}


def month_text(index: int | None) -> str:
    if index is None:
        return "never"
    year, month = divmod(int(index), 12)
    return f"{year:04d}-{month + 1:02d}"


def headline(result: Any, project_label: Any, kpi: str) -> tuple[str, str]:
    """The answer (how likely cash runs out) and the main driver, as two lines of HTML."""
    last_year = result.periods[-1][:4]
    chance = result.cash_zero.probability
    answer = f"Cash runs out by {last_year} in <b>{chance:.1%}</b> of samples"
    details = []
    if result.cash_zero.median is not None:
        details.append(f"median {month_text(result.cash_zero.median)}")
    details.append(f"plan: {month_text(result.cash_zero.fixed)}")
    answer += f" <span style='font-weight:400'>({'; '.join(details)})</span>"
    ranking = result.ranking.get(kpi, ())
    figure = KPI_LABELS[kpi][0].lower()
    if ranking:
        top = ranking[0]
        driver = (
            f"Matters most for {figure}: <b>{html.escape(project_label(top.item))}</b>"
            f" ({top.variance_share:.0%} of its variance"
        )
        if result.tornado:
            widest = max(result.tornado, key=lambda r: abs(r.at_high[kpi] - r.at_low[kpi]))
            swing = money(abs(widest.at_high[kpi] - widest.at_low[kpi]))
            if widest.item == top.item:
                driver += f"; {swing} from its low to its high alone)"
            else:
                driver += (
                    f"); alone, <b>{html.escape(project_label(widest.item))}</b> moves it most"
                    f" ({swing} from low to high)"
                )
        else:
            driver += ")"
    else:
        driver = ""
    return answer, driver


def run_line(result: Any) -> str:
    """What the figures are of, beside the run's settings: scenario, samples, seed, sampling."""
    sampling = SAMPLING_NAMES.get(getattr(result, "sampling", ""), "")
    return f"{html.escape(result.scenario)} · {result.samples:,} samples · seed {result.seed}" + (
        f" · {sampling}" if sampling else ""
    )


class RiskView(QWidget):
    """Headline, run settings and the charts of the latest Monte Carlo run."""

    def __init__(
        self, live: LiveRisk, settings: QSettings | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.live = live
        self.answer = QLabel()
        self.answer.setStyleSheet("font-size: 16px; font-weight: 600;")
        self.answer.setWordWrap(True)
        self.answer.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.driver = QLabel()
        self.driver.setWordWrap(True)
        self.driver.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.samples = QSpinBox()
        self.samples.setRange(MIN_SAMPLES, MAX_SAMPLES)
        self.samples.setSingleStep(1_000)
        self.samples.setGroupSeparatorShown(True)
        self.samples.setKeyboardTracking(False)  # one run per number typed, not per digit
        self.samples.setToolTip("Samples per run: 1,000 to 100,000")
        self.seed = QSpinBox()
        self.seed.setRange(0, MAX_SEED)
        self.seed.setKeyboardTracking(False)
        self.seed.setMaximumWidth(100)
        self.seed.setToolTip("The same seed gives the same numbers")
        self.run_button = self._run_settings()
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.progress.setFixedWidth(90)
        self.progress.setFormat("running %p%")
        # Its place is kept while hidden: showing it must not lay out the six charts again.
        policy = self.progress.sizePolicy()
        policy.setRetainSizeWhenHidden(True)
        self.progress.setSizePolicy(policy)
        self.progress.setVisible(False)
        self._sync_settings()
        self.samples.valueChanged.connect(live.set_samples)
        self.seed.valueChanged.connect(live.set_seed)
        live.settingsChanged.connect(self._sync_settings)
        live.busyChanged.connect(self._busy)
        live.runner.progressed.connect(lambda f: self.progress.setValue(round(100 * f)))
        live.updated.connect(self.update_headline)
        live.driverChanged.connect(self.update_headline)

        top = QHBoxLayout()
        top.setContentsMargins(4, 0, 0, 0)
        top.addWidget(self.answer, 1)
        top.addWidget(self.progress)

        self.charts: list[ChartPanel] = [
            FanChart(live, "cash", "Cash at period end", CASH, settings=settings),
            FanChart(live, "burn", "Burn (costs − revenue)", COSTS, settings=settings),
            CashOutChanceChart(live, settings=settings),
            TornadoChart(live, settings=settings),
            RankingChart(live, settings=settings),
            CashOutMonthChart(live, settings=settings),
        ]
        grid = QGridLayout()
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(6)
        for n, chart in enumerate(self.charts):
            grid.addWidget(chart, n // 3, n % 3)
        for column in range(3):
            grid.setColumnStretch(column, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(top)
        second = QHBoxLayout()
        second.setContentsMargins(4, 0, 0, 2)
        second.setSpacing(4)
        second.addWidget(self.driver, 1)
        second.addWidget(self.run_button, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(second)
        layout.addLayout(grid, 1)
        self.update_headline()

    @property
    def tornado(self) -> TornadoChart:
        chart = self.charts[3]
        assert isinstance(chart, TornadoChart)
        return chart

    def _run_settings(self) -> QToolButton:
        """A button naming the samples and seed, which opens the two boxes that set them."""
        form = QWidget()
        fields = QFormLayout(form)
        fields.setContentsMargins(8, 6, 8, 6)
        fields.addRow("Samples", self.samples)
        fields.addRow("Seed", self.seed)
        holder = QWidgetAction(self)
        holder.setDefaultWidget(form)
        menu = QMenu(self)
        menu.addAction(holder)
        button = QToolButton()
        button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        button.setMenu(menu)
        button.setToolTip("Samples per run (1,000 to 100,000) and the seed")
        # The text ends in its own arrow: the style's indicator would cover the seed.
        button.setStyleSheet("QToolButton::menu-indicator { image: none; width: 0px; }")
        return button

    def _sync_settings(self) -> None:
        self.run_button.setText(f"{self.live.samples:,} samples · seed {self.live.seed} ▾")
        for box, value in ((self.samples, self.live.samples), (self.seed, self.live.seed)):
            if box.value() != value:
                blocked = box.blockSignals(True)
                box.setValue(value)
                box.blockSignals(blocked)

    def _busy(self, busy: bool) -> None:
        self.progress.setValue(0)
        self.progress.setVisible(busy)

    def update_headline(self) -> None:
        outcome = self.live.outcome
        if outcome is None:
            answer, driver = "Computing the risk figures…", ""
        elif outcome.result is None:
            answer = "No risk figures for this scenario"
            driver = html.escape(outcome.problem or "")
        else:
            project = self.live.document.project

            def label(item_id: str) -> str:
                try:
                    return project.item(item_id).label
                except KeyError:
                    return item_id

            answer, driver = headline(outcome.result, label, self.live.driver_kpi)
        if self.answer.text() != answer:
            self.answer.setText(answer)
        if self.driver.text() != driver:
            self.driver.setText(driver)
        if outcome is not None and outcome.result is not None:
            self.run_button.setToolTip(
                f"Shown: {run_line(outcome.result)}. Click to change the samples per run"
                " (1,000 to 100,000) or the seed."
            )

    def update_charts(self) -> None:
        for chart in self.charts:
            chart.update_chart()
