"""The Summary sheet: each scenario's key figures side by side, as formulas, and a cash chart."""

from __future__ import annotations

from typing import Any

from planner.engine import Result
from planner.io.workbook_layout import (
    COL_ID,
    COL_LABEL,
    COL_UNIT,
    COL_VALUE,
    FIRST_PERIOD_COL,
    LATEST_POST_MONEY_FIELD,
    cell_name,
    sheet_ref,
)
from planner.io.workbook_sheet import SheetPlan, cached_numbers
from planner.io.workbook_write import write_formula, write_formula_row, write_text, write_texts
from planner.kpis import KPI_LABELS, KpiValue, compute_kpis, reference_year_span
from planner.model import Project

KPI_ROW = 3
_NONE_TEXT = {"cash_zero": "never", "breakeven_year": "not in horizon"}
_FORMATS = {"$B": "#,##0.0", "x": '0.0"x"', "year": "0", "month": "@"}
CHART_SERIES = (
    ("cash", "Cash at period end, $B"),
    ("revenue", "Revenue, $B"),
    ("burn", "Burn, $B"),
)


def kpi_text(kpi: str, value: KpiValue) -> float | str:
    """A KPI as the Summary sheet's formula shows it: the number, or a word for none."""
    if value is None:
        return _NONE_TEXT.get(kpi, "n/a")
    if isinstance(value, str):
        return value
    return float(value)


class _Refs:
    """Ranges on one scenario sheet that the Summary's formulas read."""

    def __init__(self, title: str, plan: SheetPlan, n: int) -> None:
        self.prefix = sheet_ref(title)
        self.plan = plan
        self.n = n

    def row_span(self, row: int) -> str:
        first = cell_name(row, FIRST_PERIOD_COL, absolute=True)
        last = cell_name(row, FIRST_PERIOD_COL + self.n - 1, absolute=True)
        return f"{self.prefix}{first}:{last}"

    def table_span(self, rows: dict[str, int], offset: int) -> str | None:
        if not rows:
            return None
        col = COL_VALUE + offset
        first = cell_name(min(rows.values()), col, absolute=True)
        last = cell_name(max(rows.values()), col, absolute=True)
        return f"{self.prefix}{first}:{last}"

    def timeline(self, name: str) -> str:
        return self.row_span(self.plan.timeline[name])

    def item(self, name: str) -> str:
        return self.row_span(self.plan.items[name])

    def key(self, name: str) -> str:
        return self.row_span(self.plan.key_rows[name])


def _reference_revenue(refs: _Refs, reference_year: range) -> str:
    """Revenue in the reference year: its one cell, or the sum of its quarters."""
    row = refs.plan.items["revenue"]
    first = cell_name(row, FIRST_PERIOD_COL + reference_year.start, absolute=True)
    if len(reference_year) == 1:
        return refs.prefix + first
    last = cell_name(row, FIRST_PERIOD_COL + reference_year.stop - 1, absolute=True)
    return f"SUM({refs.prefix}{first}:{last})"


def kpi_formula(kpi: str, refs: _Refs, reference_year: range) -> str | None:
    """The Excel formula of one key figure, or None when the sheet lacks what it needs."""
    plan = refs.plan
    if not plan.key_rows:
        return None
    if kpi == "cash_zero":
        at = f"MATCH(1,{refs.key('cash_below_zero')},0)"
        # INDEX(row, 1, n): engines disagree on INDEX(row, n) over a one-row range.
        year = f"INDEX({refs.timeline('year')},1,{at})"
        month = f"INDEX({refs.key('cash_zero_month')},1,{at})"
        return f'IFERROR({year}&"-"&TEXT({month},"00"),"never")'
    if kpi == "breakeven_year":
        at = f"MATCH(1,{refs.key('breakeven_flag')},0)"
        return f'IFERROR(INDEX({refs.timeline("year")},1,{at}),"not in horizon")'
    if kpi == "cumulative_burn":
        return f"SUM({refs.item('burn')})"
    if kpi == "total_raised":
        return f"SUM({refs.item('funding')})"
    if kpi == "peak_funding_need":
        return f"MAX(0,MAX({refs.key('cumulative_burn')}))"
    if kpi == "last_post_money":
        if not plan.round_rows:
            return '"n/a"'
        # The rounds table carries the latest post-money down its rows: its last row is the answer.
        last = refs.prefix + cell_name(
            max(plan.round_rows.values()), COL_VALUE + LATEST_POST_MONEY_FIELD, absolute=True
        )
        return f'IF(ISNUMBER({last}),{last},"n/a")'
    if kpi == "commitments_total":
        values = refs.table_span(plan.contract_rows, 1)
        return "0" if values is None else f"SUM({values})"
    if kpi == "commitments_to_revenue":
        revenue = _reference_revenue(refs, reference_year)
        values = refs.table_span(plan.contract_rows, 1)
        commitments = "0" if values is None else f"SUM({values})"
        return f'IF({revenue}>0,{commitments}/{revenue},"n/a")'
    return None


def write_summary(
    workbook: Any,
    ws: Any,
    styles: Any,
    project: Project,
    results: list[Result],
    titles: list[str],
    plans: list[SheetPlan],
) -> None:
    write_text(ws, 0, COL_LABEL, project.name, styles["title"])
    write_text(ws, 1, COL_LABEL, project.description[:250], styles["subtitle"])
    ws.write_string(2, COL_LABEL, "Key figure", styles["header"])
    ws.write_string(2, COL_UNIT, "Unit", styles["header"])
    ws.write_string(2, COL_ID, "Id", styles["header"])
    periods = list(results[0].periods) if results else list(project.periods)
    reference_year = reference_year_span(periods, project.reference_period)
    refs = [_Refs(t, p, len(periods)) for t, p in zip(titles, plans, strict=True)]
    for n, result in enumerate(results):
        write_text(ws, 2, COL_VALUE + n, result.scenario, styles["period"])
    # Row by row, top to bottom: the workbook streams each row to disk once the next begins.
    kpis = [
        compute_kpis(result) if plan.key_rows else {}
        for result, plan in zip(results, plans, strict=True)
    ]
    for k, (kpi, (label, unit)) in enumerate(KPI_LABELS.items()):
        row = KPI_ROW + k
        ws.write_string(row, COL_LABEL, label, styles["label"])
        ws.write_string(row, COL_UNIT, unit, styles["unit"])
        ws.write_string(row, COL_ID, kpi, styles["ident"])
        fmt = styles.get("kpi", _FORMATS.get(unit, "#,##0.0"))
        for n, figures in enumerate(kpis):
            value = kpi_text(kpi, figures.get(kpi))
            text = kpi_formula(kpi, refs[n], reference_year)
            if text is None:
                ws.write(row, COL_VALUE + n, value if figures else "n/a", fmt)
            else:
                write_formula(ws, row, COL_VALUE + n, text, fmt, value)
    row = KPI_ROW + len(KPI_LABELS) + 1
    chart_rows: dict[str, tuple[int, int]] = {}
    for series, heading in CHART_SERIES:
        if not all(series in p.items for p in plans):
            continue
        ws.write_string(row, COL_LABEL, heading, styles["section"])
        write_texts(
            ws, row, [(FIRST_PERIOD_COL + t, p, styles["period"]) for t, p in enumerate(periods)]
        )
        first = row + 1
        for n, result in enumerate(results):
            r = row + 1 + n
            write_text(ws, r, COL_LABEL, result.scenario, styles["label"])
            ws.write_string(r, COL_UNIT, "$B", styles["unit"])
            # The scenario sheet's row, period by period.
            sources = [
                refs[n].prefix + cell_name(plans[n].items[series], FIRST_PERIOD_COL + t)
                for t in range(len(periods))
            ]
            write_formula_row(
                ws,
                r,
                FIRST_PERIOD_COL,
                sources,
                styles.get("link", "#,##0.0"),
                cached_numbers(result.series(series)),
            )
        chart_rows[series] = (row, first)
        row += len(results) + 2
    if "cash" in chart_rows:
        _cash_chart(workbook, ws, results, chart_rows["cash"], len(periods), row)
    ws.set_column(COL_LABEL, COL_LABEL, 34)
    ws.set_column(COL_UNIT, COL_UNIT, 8)
    ws.set_column(COL_ID, COL_ID, 22)
    # The year tables keep the timeline in the scenario sheets' columns, as FAST asks;
    # the columns no scenario uses are narrowed so the years sit close to their labels.
    first_unused = max(COL_VALUE + len(results), COL_VALUE + 1)
    ws.set_column(COL_VALUE, min(first_unused, FIRST_PERIOD_COL) - 1, 16)
    if first_unused < FIRST_PERIOD_COL:
        ws.set_column(first_unused, FIRST_PERIOD_COL - 1, 2)
    ws.set_column(FIRST_PERIOD_COL, FIRST_PERIOD_COL + len(periods) - 1, 10)
    ws.freeze_panes(3, 1)
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.hide_gridlines(2)


def _cash_chart(
    workbook: Any, ws: Any, results: list[Result], rows: tuple[int, int], n: int, anchor: int
) -> None:
    header, first = rows
    prefix = sheet_ref("Summary")
    last_col = FIRST_PERIOD_COL + n - 1
    categories = f"={prefix}{cell_name(header, FIRST_PERIOD_COL, absolute=True)}:" + cell_name(
        header, last_col, absolute=True
    )
    chart = workbook.add_chart({"type": "line"})
    for k in range(len(results)):
        r = first + k
        chart.add_series(
            {
                "name": f"={prefix}{cell_name(r, COL_LABEL, absolute=True)}",
                "categories": categories,
                "values": f"={prefix}{cell_name(r, FIRST_PERIOD_COL, absolute=True)}:"
                + cell_name(r, last_col, absolute=True),
                "marker": {"type": "circle", "size": 4},
            }
        )
    chart.set_title({"name": "Cash at period end by scenario, $B", "name_font": {"size": 11}})
    chart.set_y_axis({"num_format": "#,##0", "major_gridlines": {"visible": True}})
    chart.set_legend({"position": "bottom"})
    chart.set_size({"width": 900, "height": 360})
    ws.insert_chart(anchor, COL_LABEL, chart, {"x_offset": 5, "y_offset": 5})
