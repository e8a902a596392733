"""Brings risk into the main window: the plan/risk switch, the chance card, Export draws.

:func:`install_risk` is the one call the main window makes; everything the risk
side adds to the window is wired here, so the window's own modules stay small.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QAction, QActionGroup, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QButtonGroup,
    QFileDialog,
    QHBoxLayout,
    QSizePolicy,
    QStackedWidget,
    QToolButton,
    QWidget,
)

from ui import dialogs
from ui.kpi_strip import KpiCard
from ui.risk.live import NO_RANGES, LiveRisk
from ui.risk.view import RiskView, month_text

VIEWS = ("plan", "risk")
RISK_SHARE = 0.68  # of the height beside the tables, while the risk view is shown


class RiskPanel(QObject):
    """The risk side of one window."""

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.window = window
        self.live = LiveRisk(window.document, window.settings, parent=self)
        self._view: RiskView | None = None
        self._plan_sizes: list[int] | None = None
        self.stack = QStackedWidget()
        plan = window.vertical.widget(0)
        window.vertical.replaceWidget(0, self.stack)
        self.stack.addWidget(plan)
        self._add_switch()
        self._add_card()
        self._add_menus()
        self.live.updated.connect(self._update_card)
        self.live.busyChanged.connect(self._update_card)
        self._update_card()

    # --- the switch ---------------------------------------------------------------------

    def _add_switch(self) -> None:
        """Two buttons at the right of the scenario's name, which moves into a row with them."""
        label = self.window.scenario_label
        column = label.parentWidget().layout()
        index = column.indexOf(label)
        column.removeWidget(label)
        self.buttons = QButtonGroup(self)
        self.plan_button = self._switch_button("Plan", "The plan's own numbers (Ctrl+1)")
        self.risk_button = self._switch_button(
            "Risk", "How likely the money runs out, and why (Ctrl+2)"
        )
        self.plan_button.setChecked(True)
        host = QWidget()
        row = QHBoxLayout(host)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        # The name and description may be cut at the right rather than widen the window.
        label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        label.setMinimumWidth(160)
        row.addWidget(label, 1)
        row.addWidget(self.plan_button)
        row.addWidget(self.risk_button)
        column.insertWidget(index, host)
        self.buttons.idClicked.connect(lambda n: self.show_view(VIEWS[n]))

    def _switch_button(self, text: str, tip: str) -> QToolButton:
        button = QToolButton()
        button.setText(text)
        button.setToolTip(tip)
        button.setCheckable(True)
        button.setAutoRaise(False)
        button.setMinimumWidth(56)
        self.buttons.addButton(button, len(self.buttons.buttons()))
        return button

    @property
    def view(self) -> RiskView:
        """The risk view, built the first time it is needed: six charts cost start-up time."""
        if self._view is None:
            from ui.appearance import DARK_CHARTS, style_charts

            self._view = RiskView(self.live, self.window.settings)
            self.stack.addWidget(self._view)
            # Charts are made light; the plan's charts show the colours in use now.
            plan_chart = self.window.charts[0].plot_widget
            if plan_chart.backgroundBrush().color().name() == DARK_CHARTS.background:
                style_charts(self._view, dark=True)
        return self._view

    @property
    def current_view(self) -> str:
        return VIEWS[self.stack.currentIndex()]

    def show_view(self, name: str) -> None:
        """Show the plan's charts or the risk view ("plan" or "risk")."""
        index = VIEWS.index(name)
        if index != self.stack.currentIndex():
            self._share_height(name)
        if name == "risk":
            self.stack.setCurrentWidget(self.view)
        else:
            self.stack.setCurrentIndex(0)
        self.buttons.button(index).setChecked(True)
        self.view_actions[index].setChecked(True)
        risk = name == "risk"
        # The chance card takes the place of the one figure no sample changes.
        self.card.setVisible(risk)
        commitments = self.window.kpis.cards.get("commitments_to_revenue")
        if commitments is not None:
            commitments.setVisible(not risk)
        self.live.set_active(risk)
        if risk:
            self.view.update_charts()
        else:
            self.window.redraw()  # the plan's charts were left alone while hidden

    def _share_height(self, name: str) -> None:
        """Six charts need more height than four: the risk view takes more from the tables
        while it is shown, and gives it back after."""
        splitter = self.window.vertical
        sizes = splitter.sizes()
        total = sum(sizes)
        if name == "risk":
            self._plan_sizes = sizes
            if total and sizes[0] < RISK_SHARE * total:
                top = round(RISK_SHARE * total)
                splitter.setSizes([top, total - top])
        elif self._plan_sizes is not None:
            splitter.setSizes(self._plan_sizes)
            self._plan_sizes = None

    # --- the card -------------------------------------------------------------------------

    def _add_card(self) -> None:
        strip = self.window.kpis
        self.card = KpiCard("Chance cash runs out", "share of samples")
        # The card is as wide as its neighbours; where its whole title does not fit, the
        # year moves to the caption (see _update_card).
        self.card.title.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.card.installEventFilter(self)
        strip.layout().insertWidget(1, self.card)
        self.card.setVisible(False)

    def _update_card(self, *_: object) -> None:
        outcome = self.live.outcome
        if outcome is None:
            return
        result = outcome.result
        if result is None:
            self.card.title.setText("Chance cash runs out")
            self.card.show_value("n/a")
            text = outcome.problem or ""
            self.card.caption.setText("no ranges yet" if text == NO_RANGES else "see the risk view")
            self.card.setToolTip(text)
            return
        year = result.periods[-1][:4]
        chance = result.cash_zero.probability
        title = f"Chance cash runs out by {year}"
        caption = f"of {result.samples:,} samples"
        if result.cash_zero.median is not None:
            caption += f"; median {month_text(result.cash_zero.median)}"
        margins = self.card.layout().contentsMargins()
        room = self.card.width() - margins.left() - margins.right() - 2 * self.card.frameWidth()
        metrics = self.card.title.fontMetrics()
        if metrics.horizontalAdvance(title) > room:
            # Narrow cards: the year moves to the caption, then a shorter name for the chance.
            caption = f"by {year}, of {result.samples:,} samples"
            title = "Chance cash runs out"
            if metrics.horizontalAdvance(title) > room:
                title = "Cash-out chance"
        self.card.title.setText(title)
        self.card.show_value(f"{chance:.1%}", alarm=False)
        self.card.caption.setText(caption)
        self.card.setToolTip(
            f"Cash runs out by {year} in {chance:.1%} of {result.samples:,} samples of"
            f" {result.scenario} (seed {result.seed}). The risk view (Ctrl+2) shows why."
        )

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.card and event.type() == QEvent.Type.Resize:
            self._update_card()
        return super().eventFilter(watched, event)

    # --- menus ------------------------------------------------------------------------------

    def _add_menus(self) -> None:
        window = self.window
        menu = window.menuBar().addMenu("&View")
        group = QActionGroup(self)
        self.view_actions: list[QAction] = []
        for n, (name, text) in enumerate((("plan", "&Plan"), ("risk", "&Risk"))):
            action = QAction(text, window)
            action.setCheckable(True)
            action.setShortcut(QKeySequence(f"Ctrl+{n + 1}"))
            action.triggered.connect(lambda _=False, name=name: self.show_view(name))
            group.addAction(action)
            menu.addAction(action)
            self.view_actions.append(action)
        self.view_actions[0].setChecked(True)
        self.export_draws_action = QAction("Export &draws…", window)
        self.export_draws_action.setStatusTip(
            "Write every sample of the scenario on screen as CSV: its factors and key figures"
        )
        self.export_draws_action.triggered.connect(lambda: self.export_draws())
        file_menu = window.file_menu
        actions = file_menu.actions()
        quit_separator = next((a for a in reversed(actions) if a.isSeparator()), None)
        file_menu.insertAction(quit_separator, self.export_draws_action)

    def suggested_draws_name(self) -> str:
        document = self.window.document
        path = document.path
        stem = Path(path).stem if path else document.project.name or "Burnrate"
        folder = Path(path).parent if path else Path.home()
        scenario = "-".join(document.scenario.lower().split())
        return str(folder / f"{stem}-{scenario}-draws.csv")

    def export_draws(self, path: str | None = None) -> bool:
        """Write the draws of the scenario on screen (the view's samples and seed) as CSV."""
        from planner.uncertainty import UncertaintyError, run_montecarlo

        target = path or ask_draws_file(self.window, self.suggested_draws_name())
        if not target:
            return False
        if not target.lower().endswith(".csv"):
            target += ".csv"
        document = self.window.document
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            with open(target, "w", encoding="utf-8", newline="") as out:
                run_montecarlo(
                    document.project,
                    document.scenario,
                    self.live.samples,
                    self.live.seed,
                    draws=out,
                )
        except (UncertaintyError, ValueError, MemoryError, OSError) as exc:
            QGuiApplication.restoreOverrideCursor()
            reason = getattr(exc, "strerror", None) or str(exc) or "not enough memory"
            dialogs.error(self.window, "Cannot export the draws", reason)
            return False
        QGuiApplication.restoreOverrideCursor()
        self.window.statusBar().showMessage(
            f"Wrote {self.live.samples:,} draws of {document.scenario} to {target}", 8000
        )
        return True

    def shutdown(self) -> None:
        """Give the tables back their plan-view height, so the layout saved is the plan's."""
        self._share_height("plan")
        self.live.shutdown()


def ask_draws_file(parent: QWidget, suggested: str) -> str:
    """Where to write the draws; "" when the user cancels (tests replace this)."""
    path, _ = QFileDialog.getSaveFileName(parent, "Export draws", suggested, "CSV (*.csv)")
    return path


def show_settled_risk(window: Any, timeout_s: float = 60.0) -> None:
    """Switch ``window`` to the risk view and wait for its run (for screenshots)."""
    import time

    from PySide6.QtWidgets import QApplication

    panel: RiskPanel = window.risk
    panel.show_view("risk")
    deadline = time.monotonic() + timeout_s
    while panel.live.pending and time.monotonic() < deadline:
        QApplication.processEvents()
        time.sleep(0.005)
    QApplication.processEvents()
    panel.view.update_charts()
    QApplication.processEvents()


def install_risk(window: Any) -> RiskPanel:
    """Add the risk view, its switch, the chance card and File > Export draws to ``window``."""
    return RiskPanel(window)
