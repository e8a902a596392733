"""The window: edit-to-redraw time, start-up to first paint beside a bare window, peak memory.

Each figure comes from a fresh process (offscreen, with its own home folder so
no real settings or recovery copies are touched). Start-up is the wall time from
launching the process to the window's first paint event; the peer is a bare
PySide6 + pyqtgraph window (one plot, same size) started and timed the same way.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.benchmarks.common import line

ROOT = Path(__file__).resolve().parents[2]
EDITS = 100
STARTS = 5

# Runs the real launcher; reports the first paint, then times edits until every chart
# and card has the new results (and, separately, until the window has repainted).
# Both probes print "painted" at the first paint event of any widget in the window.
FIRST_PAINT = """
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QWidget

class FirstPaint(QObject):
    def __init__(self, then):
        super().__init__()
        self.then = then
        self.done = False

    def eventFilter(self, watched, ev):
        if not self.done and ev.type() == QEvent.Type.Paint and isinstance(watched, QWidget):
            self.done = True
            print("painted", flush=True)
            # Off the app once it has seen the paint: it would add to every later event.
            QTimer.singleShot(0, lambda: QApplication.instance().removeEventFilter(self))
            QTimer.singleShot(0, self.then)
        return False
"""

# Runs main.py as a user's launch does; after the first paint, times edits until every
# chart and card shows the new results (and, separately, until the window has repainted).
# The paint watcher goes in through the QApplication class that ui.app imports, so
# nothing of the app is imported before main.py starts.
APP_PROBE = (
    FIRST_PAINT
    + """
import resource, runpy, statistics, sys, time
import PySide6.QtWidgets

def edit():
    app = QApplication.instance()
    window = next(w for w in app.topLevelWidgets() if hasattr(w, "document"))
    drawn = []
    window.redrawn.connect(lambda: drawn.append(1))
    model = window.tables.item_views["revenue"].model()
    row = next(r for r in range(model.rowCount()) if model.item_at(r).id == "enterprise_api")
    index = model.index(row, 8)
    redraw, paint = [], []
    for n in range(EDITS):
        # The charts paint through posted update requests: let the last edit's paints
        # finish before this edit's clock starts, and count this edit's own in "paint".
        app.processEvents()
        drawn.clear()
        start = time.perf_counter()
        model.setData(index, str(100 + n))
        while not drawn:
            app.processEvents()
        redraw.append(time.perf_counter() - start)
        window.repaint()
        app.processEvents()
        paint.append(time.perf_counter() - start)
    print("edit_ms", statistics.median(redraw) * 1000, flush=True)
    print("paint_ms", statistics.median(paint) * 1000, flush=True)
    print("rss_mb", peak_rss_mb(), flush=True)
    window.document.undo_stack.setClean()
    app.quit()

def peak_rss_mb():
    # VmHWM belongs to this program alone; ru_maxrss would also count the parent's
    # memory that the fork copied before exec (the benchmark process, with pandas).
    try:
        with open("/proc/self/status") as status:
            for text in status:
                if text.startswith("VmHWM:"):
                    return int(text.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

class WatchedApplication(QApplication):
    def __init__(self, *args):
        super().__init__(*args)
        self._first_paint = FirstPaint(edit)
        self.installEventFilter(self._first_paint)

PySide6.QtWidgets.QApplication = WatchedApplication
sys.argv = ["main.py", "--new-instance"]
runpy.run_path("main.py", run_name="__main__")
""".replace("EDITS", str(EDITS))
)

BARE_PROBE = (
    FIRST_PAINT
    + """
import sys
from PySide6.QtWidgets import QMainWindow
import pyqtgraph as pg

app = QApplication(sys.argv[:1])
watcher = FirstPaint(app.quit)
app.installEventFilter(watcher)
window = QMainWindow()
plot = pg.PlotWidget()
plot.plot([1, 2, 3], [3, 1, 2])
window.setCentralWidget(plot)
window.resize(1400, 900)
window.show()
app.exec()
"""
)


def _launch(code: str, home: str) -> tuple[float, dict[str, float]]:
    """Seconds from launch to the first paint, and the figures the probe printed."""
    env = dict(
        os.environ,
        QT_QPA_PLATFORM="offscreen",
        HOME=home,
        XDG_CONFIG_HOME=f"{home}/config",
        XDG_DATA_HOME=f"{home}/data",
        XDG_RUNTIME_DIR=home,
        PYTHONPATH=str(ROOT),
    )
    start = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert process.stdout is not None
    painted = float("nan")
    figures: dict[str, float] = {}
    for text in process.stdout:
        if text.startswith("painted") and painted != painted:
            painted = time.perf_counter() - start
        elif " " in text:
            name, value = text.split()
            figures[name] = float(value)
    process.wait(timeout=60)
    return painted, figures


def run() -> list[str]:
    app_starts, bare_starts = [], []
    figures: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as home:
        _launch(BARE_PROBE, home)  # warm the file cache for both
        for _ in range(STARTS):
            seconds, figures = _launch(APP_PROBE, home)
            app_starts.append(seconds)
            bare_starts.append(_launch(BARE_PROBE, home)[0])
    app_start = statistics.median(app_starts)
    bare_start = statistics.median(bare_starts)
    return [
        line("edit_to_redraw_ms", figures.get("edit_ms", float("nan")), "ms"),
        line("edit_to_repaint_ms", figures.get("paint_ms", float("nan")), "ms"),
        line("startup_s", app_start, "s", peer=("bare_pyside6_pyqtgraph_window", bare_start)),
        line("peak_rss_mb", figures.get("rss_mb", float("nan")), "MB"),
    ]


if __name__ == "__main__":
    print("\n".join(run()))
