"""A chart panel: title, hover read-out and "Save PNG" above one pyqtgraph plot.

Plot items are created once per project and updated with ``setData`` when
results change; only the number of series (a new scenario, another project)
makes a panel rebuild its items.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QSettings, Qt
from PySide6.QtWidgets import (
    QGraphicsItem,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from planner.model import period_months, period_year
from planner.numbers import money_text
from ui import dialogs
from ui.appearance import LIGHT_CHARTS
from ui.document import Document

Array = npt.NDArray[np.float64]
MAX_LEGEND_COLUMNS = 3
LEGEND_GAP_PX = 8  # the legend's offset from the top plus a gap above the data
DEFAULT_LEGEND_SHARE = 0.28  # of the plot's height, until the plot has a size
MAX_LEGEND_SHARE = 0.7  # a 1024x700 window still shows every legend
PNG_FOLDER_KEY = "chartFolder"  # where the last chart picture was saved

# Fills and bars paint three times faster without antialiasing; lines ask for it themselves.
# Charts start light; ui.appearance recolours them when the system is dark.
pg.setConfigOptions(
    antialias=False, background=LIGHT_CHARTS.background, foreground=LIGHT_CHARTS.foreground
)


def period_x(periods: tuple[str, ...] | list[str]) -> Array:
    """Chart x positions: the year, plus a fraction for quarters."""
    return np.array(
        [period_year(p) + (period_months(p)[0] - 1) / 12 for p in periods], dtype=np.float64
    )


class ChartPanel(QWidget):
    """Subclasses fill :attr:`plot` in ``rebuild`` and update it in ``refresh``."""

    title = ""

    def __init__(
        self,
        document: Document,
        parent: QWidget | None = None,
        settings: QSettings | None = None,
    ) -> None:
        super().__init__(parent)
        self.document = document
        self.settings = settings or QSettings()
        self.heading = QLabel(f"<b>{self.title}</b>")
        self.readout = QLabel("")
        small = self.readout.font()  # the palette's text colour: readable light or dark
        small.setPixelSize(11)
        self.readout.setFont(small)
        self.readout.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.readout.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.save_button = QToolButton()
        self.save_button.setText("Save PNG…")
        self.save_button.setToolTip("Save this chart as a PNG image")
        self.save_button.clicked.connect(self._ask_save_png)
        self.header = QHBoxLayout()
        self.header.setContentsMargins(4, 0, 0, 0)
        self.header.addWidget(self.heading)
        self.header.addWidget(self.readout, 1)
        self.header.addWidget(self.save_button)
        self.plot_widget = pg.PlotWidget(enableMenu=False)
        self.plot_widget.setMinimumHeight(150)
        self.plot = self.plot_widget.getPlotItem()
        self.plot.showGrid(x=True, y=True, alpha=0.15)
        self.plot.setMenuEnabled(False)
        self.plot.getViewBox().setMouseEnabled(x=False, y=False)
        self.plot.hideButtons()
        for side in ("left", "bottom", "right", "top"):
            axis = self.plot.getAxis(side)
            # Labels carry their own units ($B, GW); pyqtgraph's automatic "(x0.001)"
            # would rescale small series, and rewrites the label on every range change.
            axis.enableAutoSIPrefix(False)
            # Axes repaint whenever a curve next to them does; a cached pixmap makes that a copy.
            axis.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        # The scene's export dialog offers SVG, which fails on this pyqtgraph version.
        self.plot_widget.scene().contextMenu = []
        self.legend = self.plot.addLegend(
            offset=(4, 2),
            labelTextSize="8pt",
            verSpacing=-4,
            horSpacing=10,
            colCount=2,
            brush=pg.mkBrush(*LIGHT_CHARTS.legend_fill),
            labelTextColor=LIGHT_CHARTS.foreground,
        )
        self.legend.layout.setContentsMargins(4, 1, 4, 1)  # every pixel of it hides data
        self.cursor = pg.InfiniteLine(angle=90, pen=pg.mkPen("#999", style=Qt.PenStyle.DotLine))
        self.cursor.setVisible(False)
        self.plot.addItem(self.cursor, ignoreBounds=True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(self.header)
        layout.addWidget(self.plot_widget, 1)
        self.plot_widget.scene().sigMouseMoved.connect(self._hover)
        self.plot.getViewBox().sigResized.connect(self._view_resized)
        self.x: Array = np.zeros(0)
        self.hover_index: int | None = None
        self._structure: object = None
        self._y_limits: dict[int, tuple[float, float]] = {}
        self._shown: dict[int, bytes] = {}

    # --- to override ----------------------------------------------------------

    def structure(self) -> object:
        """What decides which plot items exist; a change triggers ``rebuild``."""
        return tuple(self.document.project.periods)

    def rebuild(self) -> None:
        """Create the plot items for the current project."""

    def refresh(self) -> None:
        """Push the current results into the plot items with ``setData``."""

    def describe(self, index: int) -> str:
        """The read-out text for period ``index``."""
        return ""

    def subject(self) -> str:
        """What a saved picture is of, beside its title: the scenario on screen."""
        return self.document.scenario

    # --- machinery --------------------------------------------------------------

    def changed(self, item: object, *arrays: Array) -> bool:
        """True (and remembered) when ``arrays`` differ from what ``item`` last showed.

        Unchanged items are not given their data again, which would repaint the chart.
        """
        key = b"".join(np.ascontiguousarray(a, dtype=np.float64).tobytes() for a in arrays)
        if self._shown.get(id(item)) == key:
            return False
        self._shown[id(item)] = key
        return True

    def fit_y(
        self, *series: Array, box: pg.ViewBox | None = None, ceiling: float | None = None
    ) -> None:
        """Fit the y range to ``series``, keeping the data below the legend.

        The range snaps to round numbers and is only changed when they change, so
        that small edits do not make the axes redraw their labels.
        """
        values = np.concatenate([np.asarray(s, dtype=np.float64).ravel() for s in series])
        values = values[np.isfinite(values)]
        low = min(0.0, float(values.min())) if values.size else 0.0
        high = max(0.0, float(values.max())) if values.size else 1.0
        span = (high - low) or 1.0
        step = nice_step(span / 4)
        share = self._legend_share()
        # The data's top sits at ``share`` of the height below the range's top.
        if low < 0:
            bottom = float(np.floor((low - 0.04 * span) / step) * step)
            top = (high - share * bottom) / (1 - share)
        else:
            top = high / (1 - 1.03 * share)  # the bottom is 3% of the top below zero
        top = float(np.ceil(top / step) * step) or step
        if ceiling is not None:
            top = min(top, ceiling)
        limits = (bottom if low < 0 else -0.03 * top, top)
        target = box or self.plot.getViewBox()
        if self._y_limits.get(id(target)) != limits:
            self._y_limits[id(target)] = limits
            target.setYRange(*limits, padding=0)

    def _legend_share(self) -> float:
        """The share of the plot's height that the legend and the gap below it cover."""
        height = self.plot.getViewBox().height()
        if height <= 0 or not self.legend.items:
            return DEFAULT_LEGEND_SHARE
        if not self.legend.isVisible():
            return LEGEND_GAP_PX / height
        return (self.legend.height() + LEGEND_GAP_PX) / height

    def _fit_legend(self) -> None:
        """As many legend columns as the plot's width holds: fewer rows cover less data.

        A plot too small for its legend shows none; the hover read-out still names
        every value.
        """
        box = self.plot.getViewBox()
        if box.width() <= 0 or not self.legend.items:
            return
        # The legend is a grid with a sample and a label per entry: each column is as wide
        # as its widest entry, with the layout's spacing between cells and 4 + 4 margins.
        entries = [
            (sample.width(), label.item.boundingRect().width())
            for sample, label in self.legend.items
        ]
        spacing = self.legend.layout.horizontalSpacing()
        for columns in range(MAX_LEGEND_COLUMNS, 1, -1):
            widths = [
                max(sample for sample, _ in entries[n::columns])
                + max(label for _, label in entries[n::columns])
                for n in range(min(columns, len(entries)))
            ]
            needed = sum(widths) + spacing * (2 * len(widths) - 1) + 8
            if needed <= box.width() - LEGEND_GAP_PX:
                break
        else:
            columns = 1
        self.legend.setColumnCount(columns)
        tall = self.legend.height() + LEGEND_GAP_PX > MAX_LEGEND_SHARE * box.height()
        self.legend.setVisible(not tall)

    def _view_resized(self) -> None:
        self._fit_legend()
        if self._structure is not None:
            self._y_limits.clear()
            # A resize can come between a change of periods and the redraw it schedules.
            self.update_chart()

    def update_chart(self) -> None:
        structure = self.structure()
        if structure != self._structure:
            self._structure = structure
            self.plot.clear()
            self.legend.clear()
            self._y_limits.clear()
            self._shown.clear()
            self.x = np.zeros(0)
            self.plot.addItem(self.cursor, ignoreBounds=True)
            self.rebuild()
            for sample, label in self.legend.items:
                sample.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
                label.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
            self._fit_legend()
        x = period_x(self.document.project.periods)
        if not np.array_equal(x, self.x):
            self.x = x
            # A fixed x range spares pyqtgraph from measuring every curve on each update.
            box = self.plot.getViewBox()
            box.disableAutoRange(axis=pg.ViewBox.XAxis)
            box.setXRange(float(x.min()) - 0.6, float(x.max()) + 0.6, padding=0)
        self.refresh()
        if self.hover_index is not None and self.hover_index < len(self.x):
            self.readout.setText(self.describe(self.hover_index))

    def _hover(self, position: QPointF) -> None:
        if not self.plot.sceneBoundingRect().contains(position) or not len(self.x):
            return
        x = self.plot.getViewBox().mapSceneToView(position).x()
        index = int(np.argmin(np.abs(self.x - x)))
        self.hover_index = index
        self.cursor.setPos(self.x[index])
        self.cursor.setVisible(True)
        self.readout.setText(self.describe(index))

    def leaveEvent(self, event: object) -> None:
        self.cursor.setVisible(False)
        self.hover_index = None
        self.readout.setText("")

    def save_png(self, path: str | Path) -> None:
        """Write the chart, titled with what it shows, as a PNG at twice the screen resolution."""
        from pyqtgraph.exporters import ImageExporter

        # On screen the title sits in the panel's header; the image carries its own.
        self.plot.setTitle(f"{self.title}: {self.subject()}", size="11pt")
        self.plot.layout.activate()
        try:
            exporter = ImageExporter(self.plot)
            exporter.parameters()["width"] = max(800, self.plot_widget.width() * 2)
            exporter.export(str(path))
        finally:
            self.plot.setTitle(None)
            self.plot.layout.activate()

    def _png_folder(self) -> Path:
        """Where the user last saved a chart, else beside the project, else home."""
        remembered = self.settings.value(PNG_FOLDER_KEY)
        if isinstance(remembered, str) and remembered and Path(remembered).is_dir():
            return Path(remembered)
        path = self.document.path
        return path.parent if path is not None else Path.home()

    def _ask_save_png(self) -> None:
        suggested = self._png_folder() / png_file_name(self.subject(), self.title)
        path = dialogs.save_png_name(self, str(suggested))
        if not path:
            return
        if not path.lower().endswith(".png"):
            path += ".png"
        try:
            self.save_png(path)
        except OSError as exc:
            self.document.message.emit(f"Could not save {path}: {exc.strerror or exc}")
        else:
            self.settings.setValue(PNG_FOLDER_KEY, str(Path(path).parent))
            self.document.message.emit(f"Saved {path}")


def png_file_name(subject: str, title: str) -> str:
    """A file name that names the picture's subject and chart: "bull-case-cash-balance.png"."""
    words = re.findall(r"[^\W_]+", f"{subject} {title}".lower())
    return "-".join(words)[:120].strip("-") + ".png" if words else "chart.png"


def nice_step(rough: float) -> float:
    """The round number (1, 2, 2.5 or 5 times a power of ten) at or above ``rough``."""
    if not np.isfinite(rough) or rough <= 0:
        return 1.0
    power = 10.0 ** np.floor(np.log10(rough))
    for factor in (1.0, 2.0, 2.5, 5.0, 10.0):
        if factor * power >= rough:
            return float(factor * power)
    return float(10 * power)


def money(value: float) -> str:
    """$B amounts for read-outs: "$13.0B", "−$9.0B", "$1,400B"."""
    return money_text(value, minus="\u2212")


def colour(hex_colour: str, alpha: int = 255) -> pg.QtGui.QColor:
    c = pg.mkColor(hex_colour)
    c.setAlpha(alpha)
    return c
