"""The Help menu: a short guide (F1) and the About box with the version."""

from __future__ import annotations

import platform
from collections.abc import Iterable

import PySide6
from PySide6.QtCore import QSize, qVersion
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QMainWindow,
    QMenu,
    QMessageBox,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from planner import __version__
from planner.builtin import builtin_project
from ui.appearance import app_icon

GUIDE_SIZE = QSize(820, 640)


def _menu_actions(actions: Iterable[QAction]) -> Iterable[QAction]:
    for action in actions:
        yield action
        submenu = action.menu()
        if isinstance(submenu, QMenu):
            yield from _menu_actions(submenu.actions())


def plain_text(action_text: str) -> str:
    """A menu text as people read it: "&Open…" -> "Open", "Save && close" -> "Save & close"."""
    return action_text.replace("&&", "\0").replace("&", "").replace("\0", "&").rstrip(".…")


def window_shortcuts(window: QWidget) -> list[tuple[str, str]]:
    """(command, keys) for every action of ``window`` that has a keyboard shortcut."""
    found: dict[int, QAction] = {}
    candidates = list(window.findChildren(QAction)) + list(window.actions())
    if isinstance(window, QMainWindow):
        candidates += _menu_actions(window.menuBar().actions())
    for action in candidates:
        found.setdefault(id(action), action)
    rows = []
    for action in found.values():
        keys = [
            k.toString(QKeySequence.SequenceFormat.NativeText)
            for k in action.shortcuts()
            if not k.isEmpty()
        ]
        text = plain_text(action.text())
        if keys and text and (text, ", ".join(keys)) not in rows:
            rows.append((text, ", ".join(keys)))
    return sorted(rows, key=lambda row: row[0].lower())


class GuideDialog(QDialog):
    """The guide in a browser pane; it lists the shortcuts of the window that opened it."""

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.setWindowTitle("Burnrate Guide")
        self.browser = QTextBrowser()
        self.browser.setOpenExternalLinks(False)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser)
        layout.addWidget(buttons)
        self.resize(GUIDE_SIZE)
        self.refresh(window)

    def refresh(self, window: QWidget) -> None:
        from planner.guide import guide_html

        self.browser.setHtml(guide_html(builtin_project(), window_shortcuts(window)))


def about_text() -> str:
    return (
        f"<h3>Burnrate {__version__}</h3>"
        "<p>A scenario planner for the economics of a cash-burning AI lab: revenue, cash "
        "burn, compute commitments and funding, year by year.</p>"
        "<p>The built-in project reproduces the figures of a December 2025 news article "
        "about OpenAI; Help &gt; Guide lists each figure's source.</p>"
        f"<p><small>Qt {qVersion()}, PySide6 {PySide6.__version__}, "
        f"Python {platform.python_version()}</small></p>"
    )


def about_box(parent: QWidget | None) -> QMessageBox:
    box = QMessageBox(parent)
    box.setWindowTitle("About Burnrate")
    box.setIconPixmap(app_icon().pixmap(QSize(64, 64)))
    box.setText(about_text())
    box.setStandardButtons(QMessageBox.StandardButton.Ok)
    return box


class HelpMenu(QMenu):
    """Guide (F1), About Burnrate and About Qt."""

    def __init__(self, window: QMainWindow) -> None:
        super().__init__("&Help", window)
        self.window_ = window
        self.guide: GuideDialog | None = None
        self.about: QMessageBox | None = None
        self.guide_action = self.addAction("Burnrate &Guide")
        self.guide_action.setShortcut(QKeySequence.StandardKey.HelpContents)
        self.guide_action.triggered.connect(self.show_guide)
        self.addSeparator()
        self.about_action = self.addAction("&About Burnrate")
        self.about_action.setMenuRole(QAction.MenuRole.AboutRole)
        self.about_action.triggered.connect(self.show_about)
        self.about_qt_action = self.addAction("About &Qt")
        self.about_qt_action.setMenuRole(QAction.MenuRole.AboutQtRole)
        self.about_qt_action.triggered.connect(QApplication.aboutQt)

    def show_guide(self) -> None:
        if self.guide is None:
            self.guide = GuideDialog(self.window_)
        else:
            self.guide.refresh(self.window_)
        self.guide.show()
        self.guide.raise_()
        self.guide.activateWindow()

    def show_about(self) -> None:
        if self.about is None:
            self.about = about_box(self.window_)
        self.about.open()


def install_help_menu(window: QMainWindow) -> HelpMenu:
    """Add the Help menu at the right end of ``window``'s menu bar."""
    menu = HelpMenu(window)
    window.menuBar().addMenu(menu)
    return menu
