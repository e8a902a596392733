"""Where things sit in the window, and that they stay there."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from pytestqt.qtbot import QtBot

from ui import dialogs
from ui.chart_base import PNG_FOLDER_KEY, png_file_name
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


def test_save_png_opens_where_the_last_chart_was_saved_and_names_the_scenario(
    window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window.show()
    offered: list[str] = []
    pictures = tmp_path / "pictures"
    pictures.mkdir()

    def answer(parent: object, suggested: str) -> str:
        offered.append(suggested)
        return str(pictures / "mine")

    monkeypatch.setattr(dialogs, "save_png_name", answer)
    window.document.set_scenario("Bull case")
    cash = window.charts[1]
    cash.save_button.click()
    assert Path(offered[0]).name == "bull-case-cash-balance-and-funding.png"
    assert Path(offered[0]).parent != Path.cwd()
    assert (pictures / "mine.png").read_bytes()[:4] == b"\x89PNG"
    window.charts[0].save_button.click()
    assert Path(offered[1]).parent == pictures
    assert Path(offered[1]).name == "bull-case-revenue-by-source-vs-total-costs.png"
    assert window.settings.value(PNG_FOLDER_KEY) == str(pictures)


def test_a_saved_chart_is_titled_with_its_scenario(window: MainWindow, tmp_path: Path) -> None:
    window.show()
    window.document.set_scenario("Bear case")
    titles: list[str] = []
    cash = window.charts[1]
    original = cash.plot.setTitle

    def record(title: str | None = None, **options: object) -> None:
        titles.append(str(title))
        original(title, **options)

    cash.plot.setTitle = record  # type: ignore[method-assign]
    cash.save_png(tmp_path / "cash.png")
    assert titles[0] == "Cash balance and funding: Bear case"
    assert png_file_name("Base / 2025: plan", "Cash") == "base-2025-plan-cash.png"


def test_a_1024_by_700_window_fits_and_shows_every_kpi_caption_whole(
    window: MainWindow, qtbot: QtBot
) -> None:
    window.resize(1024, 700)
    window.show()
    qtbot.waitExposed(window)
    window.document.flush()
    assert window.width() == 1024  # nothing makes the window wider than the screen
    for kpi, card in window.kpis.cards.items():
        caption = card.caption
        metrics = caption.fontMetrics()
        needed = metrics.boundingRect(
            QRect(0, 0, caption.width(), 10_000),
            int(Qt.TextFlag.TextWordWrap),
            caption.text(),
        )
        assert needed.height() <= caption.height(), f"{kpi}: caption cut"
        widest_word = max(metrics.horizontalAdvance(w) for w in caption.text().split())
        assert widest_word <= caption.width(), f"{kpi}: a word of the caption is cut"


def test_a_long_key_figure_fits_its_card_at_1024_by_700(window: MainWindow, qtbot: QtBot) -> None:
    window.resize(1024, 700)
    window.show()
    qtbot.waitExposed(window)
    window.document.set_scenario("Bear case")  # never breaks even: "not in horizon"
    window.document.flush()
    for kpi, card in window.kpis.cards.items():
        value = card.value
        value.ensurePolished()
        text = value.text()
        assert text, kpi
        assert value.fontMetrics().horizontalAdvance(text) <= value.width(), f"{kpi}: {text} cut"


def test_the_axis_titles_fit_their_axes_at_1024_by_700(window: MainWindow, qtbot: QtBot) -> None:
    window.resize(1024, 700)
    window.show()
    qtbot.waitExposed(window)
    window.document.flush()
    for chart in window.charts:
        for side in ("left", "right"):
            axis = chart.plot.getAxis(side)
            if not axis.isVisible() or not axis.labelText:
                continue
            # The title is drawn turned a quarter: its text runs along the axis's height.
            length = axis.label.boundingRect().width()
            assert length <= axis.size().height(), f"{chart.title}, {side}: {axis.labelText}"


def test_closing_in_the_risk_view_keeps_the_plan_views_layout(
    window: MainWindow, qtbot: QtBot
) -> None:
    window.resize(1200, 800)
    window.show()
    qtbot.waitExposed(window)
    window.vertical.setSizes([300, 400])
    plan_sizes = window.vertical.sizes()
    window.risk.show_view("risk")
    assert window.vertical.sizes() != plan_sizes  # the risk view takes height for its charts
    window.close()
    saved = window.settings.value("splitters")[1]
    window.vertical.setSizes([500, 200])
    window.vertical.restoreState(saved)
    assert window.vertical.sizes() == plan_sizes
