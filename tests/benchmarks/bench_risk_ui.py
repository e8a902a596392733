"""The risk view: from an input edit to the fan chart repainted with fresh samples.

The peer figure is the Monte Carlo run alone (in the worker, within the same
edits), so that the window's own share of the time can be read off the ratio.

A fresh offscreen process opens the window on the built-in project in the risk
view with 10,000 samples, then edits an input again and again; each edit's clock
stops when the cash fan chart has repainted with the run made after that edit.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from tests.benchmarks.common import line

ROOT = Path(__file__).resolve().parents[2]
EDITS = 30
SAMPLES = 10_000
GOAL_MS = 150

PROBE = """
import statistics, sys, time
from PySide6.QtCore import QEventLoop, QSettings
from PySide6.QtWidgets import QApplication
from ui.app import create_application

app = create_application(sys.argv[:1])
from planner.builtin import builtin_project
from ui.main_window import MainWindow

settings = QSettings(sys.argv[1], QSettings.Format.IniFormat)
settings.setValue("risk/samples", SAMPLES)
window = MainWindow(builtin_project(), None, settings=settings)
window.resize(1400, 900)
window.show()
live = window.risk.live
fan = window.risk.view.charts[0]
window.risk.show_view("risk")

def settle(since):
    while live.runner.generation <= since or live.pending:
        # Sleeps until an event comes, as the app's own loop does: no spinning for the GIL.
        app.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents)
    app.processEvents()

settle(0)
model = window.tables.item_views["revenue"].model()
row = next(r for r in range(model.rowCount()) if model.item_at(r).id == "enterprise_api")
index = model.index(row, 8)
spent, runs = [], []
for n in range(EDITS):
    app.processEvents()
    asked = live.runner.generation
    start = time.perf_counter()
    model.setData(index, str(100 + n))
    settle(asked)
    fan.plot_widget.repaint()
    spent.append(time.perf_counter() - start)
    runs.append(live.outcome.seconds)
    assert live.outcome.result.samples == SAMPLES
print("refresh_ms", statistics.median(spent) * 1000, flush=True)
print("run_ms", statistics.median(runs) * 1000, flush=True)
window.document.undo_stack.setClean()
window.close()
""".replace("EDITS", str(EDITS)).replace("SAMPLES", str(SAMPLES))


def run() -> list[str]:
    with tempfile.TemporaryDirectory() as home:
        env = dict(
            os.environ,
            QT_QPA_PLATFORM="offscreen",
            HOME=home,
            XDG_CONFIG_HOME=f"{home}/config",
            XDG_RUNTIME_DIR=home,
            PYTHONPATH=str(ROOT),
        )
        done = subprocess.run(
            [sys.executable, "-c", PROBE, f"{home}/settings.ini"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
    figures = dict(text.split() for text in done.stdout.splitlines() if text.count(" ") == 1)
    value = float(figures.get("refresh_ms", "nan"))
    # The peer is the Monte Carlo run alone, inside the same edits: the rest is the window's.
    peer = ("run_montecarlo_10k", float(figures.get("run_ms", "nan")))
    return [line("risk_refresh_ms", value, "ms", peer=peer) + f" (goal < {GOAL_MS} ms)"]


if __name__ == "__main__":
    print("\n".join(run()))
