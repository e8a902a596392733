"""The risk view: live runs in the background, newest first; what it shows; the draws."""

from __future__ import annotations

import csv
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PySide6.QtCore import QSettings
from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot

from planner.builtin import builtin_project
from planner.model import Project
from planner.uncertainty import NUMERIC_KPIS, run_montecarlo
from ui.main_window import MainWindow
from ui.risk import worker
from ui.risk.charts import FanChart
from ui.risk.live import MAX_SAMPLES, MIN_SAMPLES, LiveRisk
from ui.risk.range_models import RangeTableModel
from ui.risk.worker import RiskOutcome

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = 2_000


class Gate:
    """Holds chosen runs until released, as a long run would; the others run at once."""

    def __init__(self) -> None:
        self.held: list[threading.Event] = []
        self.started = threading.Event()
        self.hold_next = False

    def run(self, *args: Any, **options: Any) -> Any:
        if self.hold_next:
            self.hold_next = False
            release = threading.Event()
            self.held.append(release)
            self.started.set()
            release.wait(timeout=30)
            # Finishes whatever happened meanwhile, as a run past its last check would.
            options.pop("should_stop", None)
        return run_montecarlo(*args, **options)

    def release_all(self) -> None:
        for event in self.held:
            event.set()


@pytest.fixture
def gate(monkeypatch: pytest.MonkeyPatch) -> Iterator[Gate]:
    held = Gate()
    monkeypatch.setattr(worker, "_default_run", lambda: held.run)
    yield held
    held.release_all()


def open_window(qtbot: QtBot, settings: QSettings, project: Project | None = None) -> MainWindow:
    settings.setValue("risk/samples", SAMPLES)
    window = MainWindow(project or builtin_project(), None, settings=settings)
    qtbot.addWidget(window)
    window.resize(1400, 900)
    window.show()
    return window


@pytest.fixture
def risk_window(
    qtbot: QtBot, settings: QSettings, dialog_log: object, gate: Gate
) -> Iterator[MainWindow]:
    window = open_window(qtbot, settings)
    yield window
    gate.release_all()
    window.document.undo_stack.setClean()
    window.close()


def settled(qtbot: QtBot, live: LiveRisk, since: int | None = None) -> RiskOutcome:
    """The outcome of the latest request (one newer than ``since``), once it has arrived."""
    if since is not None:
        qtbot.waitUntil(lambda: live.runner.generation > since, timeout=10_000)
    qtbot.waitUntil(
        lambda: (
            live.outcome is not None
            and not live.pending
            and live.outcome.request.generation == live.runner.generation
        ),
        timeout=30_000,
    )
    assert live.outcome is not None
    return live.outcome


def set_range(window: MainWindow, item_id: str, text: str) -> None:
    model = window.tables.uncertainty_tab.ranges  # type: ignore[attr-defined]
    row = model.row_of(item_id)
    assert row is not None
    assert model.setData(model.index(row, RangeTableModel.LOW), text)


def fan(window: MainWindow) -> FanChart:
    chart = window.risk.view.charts[0]
    assert isinstance(chart, FanChart) and chart.series == "cash"
    return chart


# --- live and in the background ----------------------------------------------------


def test_the_window_opens_on_the_plan_and_computes_no_risk_until_asked(
    risk_window: MainWindow, qtbot: QtBot
) -> None:
    panel = risk_window.risk
    assert panel.current_view == "plan"
    assert not panel.card.isVisible()
    assert panel.live.outcome is None and not panel.live.pending
    panel.show_view("risk")
    outcome = settled(qtbot, panel.live)
    assert outcome.result is not None and outcome.result.samples == SAMPLES
    assert panel.card.isVisible()
    assert not risk_window.kpis.cards["commitments_to_revenue"].isVisible()
    panel.show_view("plan")
    assert risk_window.kpis.cards["commitments_to_revenue"].isVisible()


def test_an_edit_during_a_run_leaves_the_window_showing_the_newer_result(
    risk_window: MainWindow, qtbot: QtBot, gate: Gate
) -> None:
    live = risk_window.risk.live
    risk_window.risk.show_view("risk")
    settled(qtbot, live)
    shown: list[int] = []
    live.updated.connect(lambda: shown.append(live.outcome.request.generation))  # type: ignore[union-attr]

    gate.hold_next = True
    set_range(risk_window, "enterprise_api", "0.5 to 1.5")
    qtbot.waitUntil(gate.started.is_set, timeout=30_000)
    stale = live.runner.generation
    set_range(risk_window, "enterprise_api", "0.9 to 1.1")  # while the first run is held
    qtbot.waitUntil(lambda: live.runner.generation > stale)
    gate.release_all()  # the held run finishes after the newer edit was made
    outcome = settled(qtbot, live)

    assert stale not in shown
    assert outcome.request.generation > stale
    spec = next(s for s in outcome.result.inputs if s.item == "enterprise_api")
    assert (spec.low, spec.high) == (0.9, 1.1)
    expected = run_montecarlo(risk_window.document.project, "Leaked plan", SAMPLES, live.seed)
    _, median = fan(risk_window).median.getData()
    assert np.array_equal(median, expected.bands["cash"][2])


def test_the_window_keeps_answering_during_a_long_run(
    risk_window: MainWindow, qtbot: QtBot, gate: Gate
) -> None:
    live = risk_window.risk.live
    view = risk_window.risk.view
    risk_window.risk.show_view("risk")
    settled(qtbot, live)
    gate.hold_next = True
    live.set_samples(MAX_SAMPLES)
    qtbot.waitUntil(gate.started.is_set, timeout=30_000)
    # The run is held in the worker; the window still edits, redraws and shows progress.
    qtbot.waitUntil(view.progress.isVisible, timeout=10_000)
    model = risk_window.tables.item_views["revenue"].model()
    row = next(r for r in range(model.rowCount()) if model.item_at(r).id == "enterprise_api")
    with qtbot.waitSignal(risk_window.redrawn, timeout=10_000):
        assert model.setData(model.index(row, 8), "123")
    assert risk_window.document.result.series("enterprise_api")[6] == 123
    risk_window.document.undo_stack.undo()
    gate.release_all()
    outcome = settled(qtbot, live)
    assert outcome.result.samples == MAX_SAMPLES
    assert not view.progress.isVisible()


def test_undo_of_a_range_edit_restores_the_risk_view(risk_window: MainWindow, qtbot: QtBot) -> None:
    live = risk_window.risk.live
    risk_window.risk.show_view("risk")
    before = settled(qtbot, live).result
    headline = risk_window.risk.view.answer.text()
    asked = live.runner.generation
    set_range(risk_window, "ad_revenue_per_user", "0.1 to 1.1")
    changed = settled(qtbot, live, asked).result
    assert changed.cash_zero.probability != before.cash_zero.probability
    assert risk_window.risk.view.answer.text() != headline
    asked = live.runner.generation
    risk_window.document.undo_stack.undo()
    after = settled(qtbot, live, asked).result
    assert np.array_equal(after.bands["cash"], before.bands["cash"])
    assert after.cash_zero == before.cash_zero
    _, median = fan(risk_window).median.getData()
    assert np.array_equal(median, before.bands["cash"][2])
    assert risk_window.risk.view.answer.text() == headline


def test_the_sample_count_is_a_setting_from_1000_to_100000(
    risk_window: MainWindow, settings: QSettings, qtbot: QtBot
) -> None:
    live = risk_window.risk.live
    assert live.samples == SAMPLES
    live.set_samples(50)
    assert live.samples == MIN_SAMPLES
    live.set_samples(10**7)
    assert live.samples == MAX_SAMPLES
    risk_window.risk.view.samples.setValue(12_000)
    assert live.samples == 12_000 and int(settings.value("risk/samples")) == 12_000
    settings.setValue("risk/samples", "many")
    assert LiveRisk(risk_window.document, settings).samples == 10_000  # the default


# --- what the risk view shows ---------------------------------------------------------


def test_the_view_answers_how_likely_cash_runs_out_and_what_matters_most(
    risk_window: MainWindow, qtbot: QtBot
) -> None:
    panel = risk_window.risk
    panel.show_view("risk")
    result = settled(qtbot, panel.live).result
    chance = f"{result.cash_zero.probability:.1%}"
    assert panel.card.value.text() == chance
    assert panel.card.title.text() == "Chance cash runs out by 2035"
    answer = panel.view.answer.text()
    assert "Cash runs out by 2035" in answer and chance in answer
    top = result.ranking["peak_funding_need"][0]
    label = risk_window.document.project.item(top.item).label
    assert label in panel.view.driver.text()
    for chart in panel.view.charts:
        assert chart.subject() == f"Leaked plan, {SAMPLES:,} samples, seed 1", chart.title
        assert "Leaked plan" in chart.heading.text(), chart.title


def test_the_charts_show_bands_chance_and_drivers_of_the_run(
    risk_window: MainWindow, qtbot: QtBot
) -> None:
    view = risk_window.risk.view
    risk_window.risk.show_view("risk")
    result = settled(qtbot, risk_window.risk.live).result
    cash = fan(risk_window)
    for edge, row in zip(cash.edges, (0, 1, 3, 4), strict=True):
        assert np.array_equal(edge.getData()[1], result.bands["cash"][row])
    assert np.array_equal(cash.plan.getData()[1], result.plan["cash"])
    chance = view.charts[2]
    assert np.allclose(chance.curve.getData()[1], result.cash_zero_by_period * 100)  # type: ignore[attr-defined]
    tornado = view.tornado
    widest = max(
        result.tornado,
        key=lambda r: abs(r.at_high["peak_funding_need"] - r.at_low["peak_funding_need"]),
    )
    assert tornado.rows[0] == widest.item
    tornado.kpi_box.setCurrentIndex(tornado.kpi_box.findData("cumulative_burn"))
    assert risk_window.risk.live.driver_kpi == "cumulative_burn"
    ranking = view.charts[4]
    assert ranking.rows == [r.item for r in result.ranking["cumulative_burn"]]  # type: ignore[attr-defined]
    assert set(result.ranking) >= set(NUMERIC_KPIS)


def test_a_certain_outcome_does_not_stretch_the_chance_axis_past_100(
    risk_window: MainWindow, qtbot: QtBot
) -> None:
    risk_window.document.set_scenario("Bear case")
    risk_window.risk.show_view("risk")
    result = settled(qtbot, risk_window.risk.live).result
    assert result.cash_zero_by_period.max() == 1.0
    chance = risk_window.risk.view.charts[2]
    _, high = chance.plot.getViewBox().viewRange()[1]
    assert 100 < high <= 105


def test_a_scenario_without_ranges_says_how_to_add_them(
    qtbot: QtBot, settings: QSettings, dialog_log: object
) -> None:
    project = builtin_project()
    project.correlations = []
    project.uncertainty = []
    for scenario in project.scenarios:
        scenario.uncertainty = []
    window = open_window(qtbot, settings, project)
    window.risk.show_view("risk")
    outcome = settled(qtbot, window.risk.live)
    assert outcome.result is None
    assert "Uncertainty tab" in window.risk.view.driver.text()
    assert window.risk.card.value.text() == "n/a"
    assert fan(window).median.getData()[1] is None or not len(fan(window).median.getData()[1])
    window.close()


def test_screenshot_of_the_risk_view(tmp_path: Path) -> None:
    out = tmp_path / "risk.png"
    done = subprocess.run(
        [sys.executable, "main.py", "--screenshot", str(out), "--view", "risk"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
    )
    assert done.returncode == 0, done.stderr
    image = QImage(str(out))
    assert (image.width(), image.height()) == (1400, 900)


# --- the draws -------------------------------------------------------------------


def test_export_draws_writes_one_row_per_sample(
    risk_window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ui.risk import panel

    target = tmp_path / "draws"
    monkeypatch.setattr(panel, "ask_draws_file", lambda parent, suggested: str(target))
    risk_window.risk.export_draws_action.trigger()
    with open(tmp_path / "draws.csv", encoding="utf-8") as source:
        rows = list(csv.DictReader(source))
    assert len(rows) == SAMPLES
    varied = [spec.item for spec in risk_window.document.project.uncertainty]
    assert set(varied) <= set(rows[0]) and "sample" in rows[0] and "cash_zero" in rows[0]
    assert "Wrote 2,000 draws of Leaked plan" in risk_window.statusBar().currentMessage()


def test_export_draws_reports_a_folder_that_does_not_exist(
    risk_window: MainWindow, dialog_log: Any
) -> None:
    assert not risk_window.risk.export_draws("/nowhere/at/all/draws.csv")
    assert dialog_log.errors and "Cannot export the draws" in dialog_log.errors[-1]


def quarterly_project() -> Project:
    """Twelve quarters of a plan that runs out of cash in about its second year."""
    quarters = [f"{year}-Q{q}" for year in (2025, 2026, 2027) for q in (1, 2, 3, 4)]

    def row(item_id: str, **fields: Any) -> dict[str, Any]:
        return {
            "id": item_id,
            "label": item_id.replace("_", " "),
            "unit": "$B",
            "group": "g",
        } | fields

    items = [
        row("revenue", inputs=[2.0] * 12),
        row("total_costs", inputs=[10.0] * 12),
        row("funding", inputs=[0.0] * 12),
        row("opening_cash", value=50.0),
        row("burn", formula="total_costs - revenue"),
        row("cash", formula="prev(cash, opening_cash) + funding - burn"),
        row("capacity_gw", inputs=[0.0] * 12),
        row("compute_cost", inputs=[0.0] * 12),
    ]
    ranges = [{"item": "total_costs", "distribution": "uniform", "low": 0.7, "high": 1.5}]
    return Project.model_validate({"periods": quarters, "items": items, "uncertainty": ranges})


def test_a_quarterly_plan_shows_when_cash_runs_out_by_quarter(
    qtbot: QtBot, settings: QSettings, dialog_log: object
) -> None:
    window = open_window(qtbot, settings, quarterly_project())
    window.risk.show_view("risk")
    result = settled(qtbot, window.risk.live).result
    assert result.cash_zero.probability == 1.0
    when = window.risk.view.charts[5]
    centres = when.bars.opts["x"]  # type: ignore[attr-defined]
    shares = when.bars.opts["height"]  # type: ignore[attr-defined]
    assert np.isclose(shares.sum(), 100.0)
    assert centres.min() >= 2024 and centres.max() <= 2027  # within the twelve quarters
    busiest = int(np.argmax(result.cash_zero_months))
    assert abs(centres[np.argmax(shares)] - (2024 + (busiest + 0.5) / 12)) < 1 / 24 + 1e-9
    text = when.describe(5)
    assert text.startswith("2026-Q2:") and "samples run out" in text
    assert "median" in window.risk.view.answer.text()
    window.close()


def test_the_plan_charts_catch_up_with_edits_made_in_the_risk_view(
    risk_window: MainWindow, qtbot: QtBot
) -> None:
    risk_window.risk.show_view("risk")
    cash_chart = risk_window.charts[1]
    before = cash_chart.cash.getData()[1].copy()  # type: ignore[attr-defined]
    model = risk_window.tables.item_views["revenue"].model()
    row = next(r for r in range(model.rowCount()) if model.item_at(r).id == "enterprise_api")
    with qtbot.waitSignal(risk_window.redrawn):
        assert model.setData(model.index(row, 8), "321")
    # Hidden behind the risk view, the plan's charts cost an edit nothing...
    assert np.array_equal(cash_chart.cash.getData()[1], before)  # type: ignore[attr-defined]
    risk_window.risk.show_view("plan")  # ...and are up to date when shown
    cash = risk_window.document.result.series("cash")
    assert np.array_equal(cash_chart.cash.getData()[1], cash)  # type: ignore[attr-defined]


def test_the_risk_view_is_built_when_first_shown_in_the_colours_of_the_moment(
    qtbot: QtBot, settings: QSettings, dialog_log: object, qapp: Any
) -> None:
    import pyqtgraph as pg

    from ui.appearance import DARK_CHARTS, LIGHT_CHARTS, Appearance

    look = Appearance(qapp)
    window = open_window(qtbot, settings)
    try:
        look.follow(window)
        assert window.risk._view is None  # nothing of it on the way to the first paint
        look.apply(True)
        # As at start-up, where importing the chart module sets pyqtgraph's colours light
        # again after the dark look was chosen: the window's charts tell the colours in use.
        pg.setConfigOptions(background=LIGHT_CHARTS.background, foreground=LIGHT_CHARTS.foreground)
        window.risk.show_view("risk")
        legend = fan(window).legend
        assert fan(window).plot_widget.backgroundBrush().color().name() == DARK_CHARTS.background
        assert legend.opts["brush"].color().alpha() == DARK_CHARTS.legend_fill[3]
        assert legend.opts["brush"].color().red() == DARK_CHARTS.legend_fill[0]
    finally:
        look.apply(False)
        pg.setConfigOptions(background=LIGHT_CHARTS.background, foreground=LIGHT_CHARTS.foreground)
        window.close()
