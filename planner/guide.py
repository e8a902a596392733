"""The user guide's text: what each number means and where the built-in figures come from.

The guide is built from the project itself (labels, units, source notes), so it
cannot fall out of step with the model; the window only displays it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from html import escape
from typing import Final

from planner.kpis import KPI_LABELS
from planner.model import EVENT_SERIES, Project

SERIES_MEANINGS: Final[dict[str, str]] = {
    "revenue": "Money earned in the period from every source: subscriptions, enterprise and "
    "API, advertising and commerce fees.",
    "total_costs": "Everything spent to run the lab in the period: serving answers (inference), "
    "training models, staff, sales and other operating costs.",
    "burn": "Total costs minus revenue. Positive while the lab loses money; zero or below "
    "once it pays for itself.",
    "funding": "Cash raised in the period: funding rounds (tranches included) plus debt.",
    "cash": "Cash at the end of the period: last period's cash, plus funding, minus burn.",
    "capacity_gw": "Data-centre capacity in service at the end of the period, in gigawatts.",
    "compute_cost": "What the compute costs in the period: capacity outside the contracts, "
    "plus payments due under the contracts, minus the saving on custom chips.",
    "committed_spend": "Payments due in the period under the compute contracts, whether or "
    "not the revenue is there to pay them.",
}

KPI_MEANINGS: Final[dict[str, str]] = {
    "cash_zero": "The month the cash balance first goes below zero (interpolated within the "
    "year), if it does: the date the plan needs more money than it has raised.",
    "breakeven_year": (
        "The first year from which burn stays at or below zero to the end of the horizon; "
        "a dip into profit followed by new losses does not count."
    ),
    "cumulative_burn": "All the burn over the horizon added up.",
    "total_raised": "All the cash raised over the horizon added up.",
    "peak_funding_need": "The largest cumulative burn from the first year to any later year: "
    "the most outside money the plan needs before it pays for itself.",
    "last_post_money": "The valuation after the last priced round in the horizon.",
    "commitments_total": "The total value of every compute contract.",
    "commitments_to_revenue": "Compute commitments divided by revenue in the reference year "
    "(2025 in the built-in project), all four of its quarters in a quarterly project.",
}

# What the tables understand when a number is typed (or pasted) into a cell.
TYPING_RULES: Final[tuple[tuple[str, str], ...]] = (
    ("1,234.5   (3)   −2   1.2k", "Numbers as spreadsheets write them; brackets mean negative."),
    (
        "$12B   $12,000M   $500M",
        "Money in the row's scale: in a $B row these are 12, 12 and 0.5. Another currency "
        "(€, £, ¥) is refused, as is money in a row that does not count money.",
    ),
    (
        "12   12%",
        "In a % row both mean 12%. A percentage typed or pasted into a row in $B, GW or users "
        "is refused with a message: it would turn $14B into $0.12B.",
    ),
    (
        "+8%   −3%",
        "Growth: the previous period's value grown by 8% (or shrunk by 3%). With several cells "
        "selected, each row of the selection becomes a growth path from its value before the "
        "selection. To type a negative percentage in a % row, type −3 without the % sign.",
    ),
    (
        "Enter, Tab",
        "Enter moves down and Tab moves right, after an edit or without one; Shift goes back.",
    ),
    (
        "Fill down, Fill right",
        "Copy the top row (or left column) of the selection into the rest of it; with one cell "
        "selected, copy the cell above (or to the left). Refused where the units differ or a "
        "cell is calculated.",
    ),
    (
        "Single values",
        "A value that holds for the whole plan (opening cash, for example) is one cell, in the "
        "first period's column.",
    ),
)

_CITATION = re.compile(r"article,\s*figs?\.\s*([\d\s,\-–and]+)")


def cited_figures(note: str) -> list[int]:
    """The article figure numbers a source note cites: "article, figs. 14, 15" -> [14, 15]."""
    figures: set[int] = set()
    for match in _CITATION.finditer(note):
        for part in re.split(r",|\band\b", match.group(1)):
            bounds = [int(n) for n in re.findall(r"\d+", part)]
            if len(bounds) == 2 and re.search(r"[-–]", part):
                figures.update(range(bounds[0], bounds[1] + 1))
            else:
                figures.update(bounds)
    return sorted(figures)


def figure_sources(project: Project) -> list[tuple[str, str, list[int]]]:
    """(where in the project, its note, article figures) for every note that cites one."""
    sources: list[tuple[str, str, list[int]]] = []

    def add(where: str, note: str) -> None:
        figures = cited_figures(note)
        if figures:
            sources.append((where, note, figures))

    for item in project.items:
        add(f"{item.label} ({item.unit})" if item.unit else item.label, item.note)
        for period, note in item.input_notes.items():
            add(f"{item.label}, {period}", note)
    for row in project.funding_rounds:
        add(f"Funding round: {row.investor}, {row.period}", row.note)
    for contract in project.compute_contracts:
        add(f"Compute contract: {contract.counterparty}", contract.note)
    for scenario in project.scenarios:
        add(f"Scenario: {scenario.name}", scenario.description)
    return sources


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    head = "".join(f"<th align='left'>{escape(h)}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f"<td valign='top'>{escape(c)}</td>" for c in row) + "</tr>"
        for row in rows
    )
    return f"<table cellspacing='0' cellpadding='3' border='1'><tr>{head}</tr>{body}</table>"


def guide_html(project: Project, shortcuts: Sequence[tuple[str, str]] = ()) -> str:
    """The guide as simple HTML (the subset Qt's rich text shows)."""
    item_labels = {sid: label for sid, (label, _unit) in EVENT_SERIES.items()}
    item_labels.update({item.id: item.label for item in project.items})
    series_rows = [
        (item_labels.get(sid, sid), sid, meaning) for sid, meaning in SERIES_MEANINGS.items()
    ]
    kpi_rows = [(KPI_LABELS[kpi][0], KPI_LABELS[kpi][1], KPI_MEANINGS[kpi]) for kpi in KPI_LABELS]
    scenario_rows = [(project.base_name, project.base_description)] + [
        (s.name, s.description) for s in project.scenarios
    ]
    source_rows = [
        (where, ", ".join(str(f) for f in figures), note)
        for where, note, figures in figure_sources(project)
    ]
    parts = [
        "<h2>Burnrate guide</h2>",
        "<p>Burnrate plans the economics of a lab that burns cash: revenue, costs, compute "
        "and funding, year by year. Edit the blue input cells; formulas recalculate every "
        "scenario at once, and the charts and key figures follow. Amounts are in billions "
        "of US dollars ($B) unless a row says otherwise.</p>",
        "<h3>The main lines</h3>",
        _table(("Line", "Id", "What it means"), series_rows),
        "<h3>Typing numbers</h3>",
        "<p>The status bar shows the sum, average and count of the selected numbers.</p>",
        _table(("You type", "What it does"), TYPING_RULES),
        "<h3>Key figures</h3>",
        _table(("Figure", "Unit", "What it means"), kpi_rows),
        "<h3>Scenarios</h3>",
        "<p>A scenario overrides some cells, formulas or event rows of the base; everything "
        "it does not override follows the base. Scenario &gt; Compare scenarios sets every "
        "scenario's key figures beside the base's; the Overrides tab lists what the scenario "
        "on screen changes.</p>",
        _table(("Scenario", "What it assumes"), scenario_rows),
        "<h3>Where the built-in figures come from</h3>",
        "<p>The built-in project reproduces the figures of a December 2025 news article about "
        "OpenAI. Each source note cites the article's numbered figures (fig. N); numbers "
        "marked <i>assumption</i> are the model's own, chosen to match those figures.</p>",
        _table(("Where", "Article fig.", "Source note"), source_rows),
    ]
    if shortcuts:
        parts += ["<h3>Keyboard shortcuts</h3>", _table(("Command", "Keys"), shortcuts)]
    return "\n".join(parts)
