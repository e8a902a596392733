"""Where things sit in the window, and that they stay there."""

from __future__ import annotations

from PySide6.QtCore import QPoint
from pytestqt.qtbot import QtBot

from ui.main_window import MainWindow


def test_the_scenario_buttons_stay_put_when_the_override_summary_changes_length(
    window: MainWindow, qtbot: QtBot
) -> None:
    window.show()
    qtbot.waitExposed(window)
    panel = window.scenarios

    def placed() -> tuple[QPoint, int]:
        panel.layout().activate()
        return panel.add_button.mapTo(panel, QPoint(0, 0)), panel.summary.height()

    window.document.set_scenario(window.document.project.base_name)
    where, short_summary = placed()
    panel.summary.setText("Overrides " + ", ".join(["12 input cells"] * 12) + ".")
    moved_to, long_summary = placed()
    assert long_summary > short_summary  # the summary did grow
    assert moved_to == where
    window.document.set_scenario("Bear case")
    assert placed()[0] == where
