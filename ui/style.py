"""Colours and fonts shared by tables, charts and cards, so one look runs through the window."""

from __future__ import annotations

from functools import lru_cache

from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap

OVERRIDE_BG = QColor("#fde7b0")  # amber: a scenario's own value
FORMULA_BG = QColor("#f1f3f5")  # grey: calculated, read-only
INPUT_FG = QColor("#1a4fa0")  # blue: an input (the spreadsheet convention)
ERROR_FG = QColor("#b3261e")
MUTED_FG = QColor("#5f6368")
BETTER_FG = QColor("#1e7b34")  # green: a scenario's figure better than the base's

# One colour per series role, used by every chart.
SERIES_COLOURS = [
    "#4e79a7",
    "#59a14f",
    "#edc948",
    "#b07aa1",
    "#76b7b2",
    "#ff9da7",
    "#9c755f",
    "#bab0ac",
]
COSTS = "#e15759"
CASH = "#4e79a7"
FUNDING = "#59a14f"
CAPACITY = "#f28e2b"
SPEND = "#9c755f"


@lru_cache(maxsize=64)
def swatch(colour: str, size: int = 12) -> QIcon:
    """A small square of ``colour`` with a thin border, to show a scenario's colour."""
    pixmap = QPixmap(size, size)
    pixmap.fill(QColor(colour))
    painter = QPainter(pixmap)
    painter.setPen(QColor(0, 0, 0, 90))
    painter.drawRect(0, 0, size - 1, size - 1)
    painter.end()
    return QIcon(pixmap)
