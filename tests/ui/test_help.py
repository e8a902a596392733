"""Help menu: the guide lists the window's own shortcuts; About shows the version."""

from __future__ import annotations

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow
from pytestqt.qtbot import QtBot

from planner import __version__
from ui.help import install_help_menu, plain_text, window_shortcuts


def make_window(qtbot: QtBot) -> QMainWindow:
    window = QMainWindow()
    qtbot.addWidget(window)
    file_menu = window.menuBar().addMenu("&File")
    open_action = QAction("&Open…", window)
    open_action.setShortcut(QKeySequence.StandardKey.Open)
    file_menu.addAction(open_action)
    recent = file_menu.addMenu("Open &Recent")
    recent.addAction("plan.burnrate")  # no shortcut: not listed
    edit_menu = window.menuBar().addMenu("&Edit")
    undo = edit_menu.addAction("&Undo")
    undo.setShortcut(QKeySequence.StandardKey.Undo)
    return window


def test_help_menu_comes_last_with_f1_for_the_guide(qtbot: QtBot) -> None:
    window = make_window(qtbot)
    menu = install_help_menu(window)
    assert window.menuBar().actions()[-1].menu() is menu
    assert menu.guide_action.shortcut() == QKeySequence(QKeySequence.StandardKey.HelpContents)


def test_guide_explains_numbers_sources_and_this_windows_shortcuts(qtbot: QtBot) -> None:
    window = make_window(qtbot)
    menu = install_help_menu(window)
    window.show()
    menu.guide_action.trigger()
    assert menu.guide is not None
    qtbot.waitUntil(menu.guide.isVisible)
    text = menu.guide.browser.toPlainText()
    assert "Cash runs out" in text and "Peak funding need" in text
    assert "Where the built-in figures come from" in text
    assert "Bear case" in text
    ctrl_o = QKeySequence(QKeySequence.StandardKey.Open).toString(
        QKeySequence.SequenceFormat.NativeText
    )
    assert f"Open{ctrl_o}" in text.replace("\n", "").replace("\t", "")
    assert "plan.burnrate" not in text


def test_shortcuts_are_read_from_menus_and_submenus(qtbot: QtBot) -> None:
    window = make_window(qtbot)
    install_help_menu(window)
    commands = dict(window_shortcuts(window))
    assert set(commands) == {"Open", "Undo", "Burnrate Guide"}


def test_about_shows_the_version(qtbot: QtBot) -> None:
    window = make_window(qtbot)
    menu = install_help_menu(window)
    window.show()
    menu.about_action.trigger()
    assert menu.about is not None
    qtbot.waitUntil(menu.about.isVisible)
    assert f"Burnrate {__version__}" in menu.about.text()
    assert not menu.about.iconPixmap().isNull()
    menu.about.accept()


def test_menu_text_loses_its_mnemonics() -> None:
    assert plain_text("&Open…") == "Open"
    assert plain_text("Save && &close") == "Save & close"
