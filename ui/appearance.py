"""Look like a desktop app: the app icon, and dark mode when the system uses it.

Qt 6 reports the system's colour scheme through ``QStyleHints.colorScheme``
(when the platform knows it) and signals changes. Where the platform gives no
dark palette of its own, a dark Fusion palette is used; the pyqtgraph charts
are recoloured to match, since they paint their own background.
``BURNRATE_COLOR_SCHEME=dark`` (or ``light``) overrides the system's choice.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QPalette
from PySide6.QtWidgets import QApplication, QStyleFactory, QWidget
from shiboken6 import isValid

from planner.builtin import RESOURCES
from ui import style
from ui.desktop import APP_ID, ICON_SIZES

SCHEME_VARIABLE = "BURNRATE_COLOR_SCHEME"


@dataclass(frozen=True)
class ChartColours:
    background: str
    foreground: str
    legend_fill: tuple[int, int, int, int]


LIGHT_CHARTS = ChartColours("#ffffff", "#333333", (255, 255, 255, 210))
DARK_CHARTS = ChartColours("#1f2125", "#d4d4d4", (40, 42, 46, 220))


# Dark counterparts of ui.style's cell colours: same meaning, readable on a dark base.
DARK_CELL_COLOURS = {
    "OVERRIDE_BG": "#5a4817",
    "FORMULA_BG": "#2c2f34",
    "INPUT_FG": "#8ab4f8",
    "ERROR_FG": "#f28b82",
    "MUTED_FG": "#9aa0a6",
    "BETTER_FG": "#81c995",
}
LIGHT_CELL_COLOURS = {name: getattr(style, name).name() for name in DARK_CELL_COLOURS}


def recolour_cells(dark: bool) -> None:
    """Switch ui.style's cell colours in place.

    The table models hold those QColor objects themselves, so changing them in place
    reaches every model without each one knowing about dark mode.
    """
    chosen = DARK_CELL_COLOURS if dark else LIGHT_CELL_COLOURS
    for name, colour in chosen.items():
        getattr(style, name).setRgba(QColor(colour).rgba())


def icon_folder() -> Path:
    return RESOURCES / "icons"


def app_icon() -> QIcon:
    """Every shipped size plus the SVG, so Qt picks a sharp one at any scale."""
    icon = QIcon()
    folder = icon_folder()
    for size in ICON_SIZES:
        icon.addFile(str(folder / f"{APP_ID}-{size}.png"))
    icon.addFile(str(folder / f"{APP_ID}.svg"))
    return icon


def system_is_dark(app: QGuiApplication) -> bool:
    """Whether to use dark colours: the override, else the system's scheme, else the palette."""
    choice = os.environ.get(SCHEME_VARIABLE, "").strip().lower()
    if choice in ("dark", "light"):
        return choice == "dark"
    scheme = app.styleHints().colorScheme()
    if scheme != Qt.ColorScheme.Unknown:
        return scheme == Qt.ColorScheme.Dark
    return palette_is_dark(app.palette())


def palette_is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def dark_palette() -> QPalette:
    """Fusion's colours inverted to a calm dark grey, with the usual blue highlight."""
    palette = QPalette()
    roles = {
        QPalette.ColorRole.Window: "#2b2d31",
        QPalette.ColorRole.WindowText: "#e6e6e6",
        QPalette.ColorRole.Base: "#1f2125",
        QPalette.ColorRole.AlternateBase: "#26282c",
        QPalette.ColorRole.ToolTipBase: "#3a3d42",
        QPalette.ColorRole.ToolTipText: "#f0f0f0",
        QPalette.ColorRole.PlaceholderText: "#8a8d93",
        QPalette.ColorRole.Text: "#e6e6e6",
        QPalette.ColorRole.Button: "#34373c",
        QPalette.ColorRole.ButtonText: "#e6e6e6",
        QPalette.ColorRole.BrightText: "#ff6b6b",
        QPalette.ColorRole.Light: "#45484e",
        QPalette.ColorRole.Midlight: "#3a3d42",
        QPalette.ColorRole.Mid: "#2f3136",
        QPalette.ColorRole.Dark: "#18191c",
        QPalette.ColorRole.Shadow: "#0c0c0e",
        QPalette.ColorRole.Highlight: "#3d7bd9",
        QPalette.ColorRole.HighlightedText: "#ffffff",
        QPalette.ColorRole.Link: "#6ea8ff",
        QPalette.ColorRole.LinkVisited: "#b48cff",
    }
    for role, colour in roles.items():
        palette.setColor(role, QColor(colour))
    disabled = QPalette.ColorGroup.Disabled
    for role in (
        QPalette.ColorRole.WindowText,
        QPalette.ColorRole.Text,
        QPalette.ColorRole.ButtonText,
    ):
        palette.setColor(disabled, role, QColor("#7c7f85"))
    return palette


def chart_colours(dark: bool) -> ChartColours:
    return DARK_CHARTS if dark else LIGHT_CHARTS


AXIS_TITLE_COLOUR = "burnrate_title_colour"  # an axis property: its title's own colour


def style_charts(root: QWidget, dark: bool) -> int:
    """Recolour every pyqtgraph plot under ``root``; returns how many were recoloured."""
    colours = chart_colours(dark)
    plots = root.findChildren(pg.PlotWidget)
    for widget in plots:
        widget.setBackground(colours.background)
        item = widget.getPlotItem()
        for name in ("left", "bottom", "right", "top"):
            axis = item.getAxis(name)
            axis.setTextPen(pg.mkPen(colours.foreground))
            axis.setPen(pg.mkPen(colours.foreground))
            # The text pen recolours the title too; a title in its series' colour keeps it.
            own = axis.property(AXIS_TITLE_COLOUR)
            if own:
                axis.setLabel(axis.labelText, color=own)
        legend = item.legend
        if legend is not None:
            legend.setBrush(pg.mkBrush(*colours.legend_fill))
            legend.setLabelTextColor(colours.foreground)
            for _, label in legend.items:
                label.setText(label.text)  # pyqtgraph applies a label's colour on setText
    return len(plots)


class Appearance:
    """Applies the light or dark look and follows the system when it changes."""

    def __init__(self, app: QApplication) -> None:
        self.app = app
        self.light_style = app.style().name()
        self.light_palette = QPalette(app.palette())
        self.windows: list[QWidget] = []
        self.dark = False
        self._own_palette = False
        app.styleHints().colorSchemeChanged.connect(self._system_changed)

    def apply(self, dark: bool | None = None) -> None:
        """Use dark colours or light ones (the system's choice when ``dark`` is None)."""
        self.dark = system_is_dark(self.app) if dark is None else dark
        colours = chart_colours(self.dark)
        pg.setConfigOptions(background=colours.background, foreground=colours.foreground)
        # Before the palette: widgets read these colours when told the palette changed.
        recolour_cells(self.dark)
        if self.dark and not palette_is_dark(self.app.palette()):
            # The platform has no dark palette of its own: Fusion draws ours well.
            self.app.setStyle(QStyleFactory.create("Fusion"))
            self.app.setPalette(dark_palette())
            self._own_palette = True
        elif not self.dark and self._own_palette:
            self.app.setStyle(QStyleFactory.create(self.light_style))
            self.app.setPalette(self.light_palette)
            self._own_palette = False
        self.windows = [w for w in self.windows if isValid(w)]
        for window in self.windows:
            style_charts(window, self.dark)
            window.update()

    def follow(self, window: QWidget) -> None:
        """Keep ``window``'s charts in the current colours, now and after a change."""
        self.windows.append(window)
        if self.dark:  # charts are created in the light colours
            style_charts(window, self.dark)

    def _system_changed(self, scheme: Qt.ColorScheme) -> None:
        if os.environ.get(SCHEME_VARIABLE, "").strip().lower() in ("dark", "light"):
            return
        self.apply(scheme == Qt.ColorScheme.Dark)
