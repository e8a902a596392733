"""Typing faster than the window refreshes never loses what was typed."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication, QLineEdit
from pytestqt.qtbot import QtBot

from tests.ui.test_typing_like_a_modeller import at, select, sheet
from ui.main_window import MainWindow


def test_an_editor_opened_before_the_refresh_keeps_its_typed_text(
    window: MainWindow, qtbot: QtBot
) -> None:
    window.show()
    qtbot.waitExposed(window)
    view, model = sheet(window, "revenue")
    # The first edit is applied; the tables' refresh of its values waits for the event loop.
    assert model.setData(at(model, "enterprise_api", "2027"), "5")
    select(view, at(model, "enterprise_api", "2028"))
    qtbot.keyClick(view, "7")
    editor = view.indexWidget(view.currentIndex())
    assert isinstance(editor, QLineEdit)
    qtbot.keyClicks(editor, "5")
    QApplication.processEvents()  # the delayed refresh runs while the editor is open
    assert editor.text() == "75"
