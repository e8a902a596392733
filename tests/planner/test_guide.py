"""The guide explains every number and cites the article for the built-in figures."""

from __future__ import annotations

from html import escape

from planner.builtin import builtin_project
from planner.cli import SUMMARY_SERIES
from planner.guide import KPI_MEANINGS, SERIES_MEANINGS, cited_figures, figure_sources, guide_html
from planner.kpis import KPI_LABELS


def test_every_kpi_and_summary_series_is_explained() -> None:
    assert set(KPI_MEANINGS) == set(KPI_LABELS)
    assert set(SERIES_MEANINGS) == set(SUMMARY_SERIES)


def test_citations_are_read_with_lists_and_ranges() -> None:
    assert cited_figures("0.2 GW (article, fig. 14)") == [14]
    assert cited_figures("(article, figs. 14, 15, 29); 30 GW (article, fig. 16)") == [
        14,
        15,
        16,
        29,
    ]
    assert cited_figures("revenue (article, figs. 1-2)") == [1, 2]
    assert cited_figures("assumption: a 2% fee, typical of marketplaces") == []


def test_builtin_guide_cites_the_headline_figures() -> None:
    project = builtin_project()
    cited = {f for _, _, figures in figure_sources(project) for f in figures}
    # revenue 2025, burn 2025 and 2026, the 30 GW of contracts, the $500B valuation
    assert {2, 5, 6, 10, 16} <= cited
    html = guide_html(project)
    assert "Cash runs out" in html and "Peak funding need" in html
    assert "Payments due under compute contracts" in html  # an event series, not an item
    for scenario in project.scenario_names:
        assert scenario in html
    assert "Keyboard shortcuts" not in html


def test_shortcuts_are_listed_and_escaped() -> None:
    html = guide_html(builtin_project(), [("Open <project>", "Ctrl+O")])
    assert "Keyboard shortcuts" in html
    assert "Open &lt;project&gt;" in html and "Ctrl+O" in html


def test_the_guide_says_how_numbers_are_typed() -> None:
    text = guide_html(builtin_project())
    assert "<h3>Typing numbers</h3>" in text
    for rule in ("+8%", "$12,000M", "Enter moves down and Tab moves right", "Fill down"):
        assert escape(rule) in text
    assert "sum, average and count of the selected numbers" in text
