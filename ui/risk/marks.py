"""The mark on data-table rows whose input carries a range, and the range it shows on hover."""

from __future__ import annotations

from functools import cache

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap

from planner.model import Project
from planner.range_text import format_range
from planner.uncertainty import ranges_for

MARK_COLOUR = "#b07aa1"  # not a cell colour: it must not read as an override or an input


def range_notes(project: Project, scenario: str | None) -> dict[str, str]:
    """For each input with a range in ``scenario``: the line its row's tooltip adds."""
    own = project.scenario(scenario) if scenario is not None else None
    own_items = {r.item for r in own.uncertainty} if own is not None else set()
    notes = {}
    for spec in ranges_for(project, scenario):
        where = f" (set in '{scenario}')" if spec.item in own_items else ""
        notes[spec.item] = (
            f"Uncertain: {spec.distribution} factor {format_range(spec.low, spec.high)}{where};"
            " see the Uncertainty tab"
        )
    return notes


@cache
def range_icon() -> QIcon:
    """A small "±" badge, drawn once."""
    size = 14
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(MARK_COLOUR))
    painter.drawRoundedRect(QRectF(0.5, 0.5, size - 1, size - 1), 3, 3)
    painter.setPen(QColor("#ffffff"))
    font = painter.font()
    font.setPixelSize(11)
    font.setBold(True)
    painter.setFont(font)
    painter.drawText(QRectF(0, 0, size, size), Qt.AlignmentFlag.AlignCenter, "±")
    painter.end()
    return QIcon(pixmap)
