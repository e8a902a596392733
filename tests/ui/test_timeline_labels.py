"""Model > Timeline: the tables show opening balances under the new start's year, and one
Undo puts the old labels back."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from planner.timeline import SetTimeline
from tests.ui.test_timeline_dialog import answer
from ui.item_model import ItemTableModel
from ui.main_window import MainWindow


def shown_label(window: MainWindow, item_id: str) -> str:
    group = window.document.project.item(item_id).group
    model = window.tables.item_view(group).model()
    assert isinstance(model, ItemTableModel)
    labels = [
        str(model.data(model.index(row, 0), Qt.ItemDataRole.DisplayRole))
        for row in range(model.rowCount())
    ]
    return next(text for text in labels if "start of" in text)


def test_a_later_first_year_relabels_opening_cash_in_one_undo_step(
    window: MainWindow, monkeypatch: pytest.MonkeyPatch, qtbot: QtBot
) -> None:
    answer(monkeypatch, SetTimeline(2025, 2035), confirm=True)
    with qtbot.waitSignal(window.redrawn, timeout=2000):
        window.model_menu.actions()[0].trigger()
    assert shown_label(window, "opening_cash") == "Cash at the start of 2025"
    assert window.document.project.item("holders_share").label == "Share held by 2024's holders"
    assert window.document.undo_stack.count() == 1
    with qtbot.waitSignal(window.redrawn, timeout=2000):
        window.document.undo_stack.undo()
    assert shown_label(window, "opening_cash") == "Cash at the start of 2023"
    assert window.document.project.item("holders_share").label == "Share held by 2022's holders"
