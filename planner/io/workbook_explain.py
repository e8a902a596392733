"""Optional sheets explaining why a KPI differs between two scenarios.

Each sheet holds the parts (the planner's values at export: a Shapley split
cannot be a spreadsheet formula), a total and the two scenarios' values as
formulas over them, and a waterfall. The format's own waterfall chart cannot
be written by XlsxWriter, so the waterfall is stacked columns over an
invisible base series, its data a small calculation block beside the table.
The importer reads only the sheets its structure sheet lists, so it passes
over these.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from planner.attribution import Attribution, AttributionError, explain, waterfall_steps
from planner.io.workbook_layout import cell_name, sheet_names, sheet_ref
from planner.io.workbook_styles import Styles
from planner.io.workbook_write import ExportError, write_formula, write_text
from planner.kpis import KPI_LABELS
from planner.model import Project

FIRST_PART_ROW = 4
# Columns of the table and of the waterfall's calculation block.
LABEL, IDENT, PART, SHARE, ERROR = range(5)
STEP, START, END, BASE, UP, DOWN, TOTAL = range(7, 14)
INCREASE_FILL, DECREASE_FILL, TOTAL_FILL = "#F28E2B", "#4E79A7", "#8C8F94"


@dataclass(frozen=True)
class ExplainRequest:
    from_name: str
    to_name: str
    kpi: str


def parse_explain_spec(spec: str, scenario_names: Sequence[str]) -> ExplainRequest:
    """``A:B:KPI`` (scenario names may hold colons); ValueError saying what would be valid."""
    head, _, kpi = spec.rpartition(":")
    if head and kpi not in KPI_LABELS:
        kpis = ", ".join(KPI_LABELS)
        raise ValueError(f"--explain {spec!r}: no KPI named {kpi!r}; the KPIs are {kpis}")
    for cut in range(len(head)):
        if head[cut] == ":" and head[:cut] in scenario_names and head[cut + 1 :] in scenario_names:
            return ExplainRequest(head[:cut], head[cut + 1 :], kpi)
    known = ", ".join(repr(n) for n in scenario_names)
    raise ValueError(
        f"--explain {spec!r}: give FROM:TO:KPI, FROM and TO two of the scenarios {known}"
    )


def explain_all(project: Project, requests: Sequence[ExplainRequest]) -> list[Attribution]:
    """Every requested split, computed before anything is written."""
    results = []
    for request in requests:
        try:
            results.append(explain(project, request.from_name, request.to_name, request.kpi))
        except AttributionError as exc:
            raise ExportError(f"cannot explain {request.kpi}: {exc}") from None
    return results


def explanation_titles(scenario_titles: Sequence[str], results: Sequence[Attribution]) -> list[str]:
    """Sheet names "Why B" beside the scenario sheets', unique whatever the case."""
    wanted = [*scenario_titles, *(f"Why {r.to_name}" for r in results)]
    return sheet_names(wanted)[len(scenario_titles) :]


class _InRowOrder:
    """Stands in for a worksheet while its cells are laid out, then writes them top to
    bottom: a streamed workbook keeps only cells written in row order."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.cells: list[tuple[int, int, str, tuple[Any, ...]]] = []

    def write_string(self, row: int, col: int, *args: Any) -> None:
        self.cells.append((row, col, "write_string", args))

    def write_number(self, row: int, col: int, *args: Any) -> None:
        self.cells.append((row, col, "write_number", args))

    def write_formula(self, row: int, col: int, *args: Any) -> None:
        self.cells.append((row, col, "write_formula", args))

    def __getattr__(self, name: str) -> Any:
        return getattr(self.ws, name)

    def flush(self) -> None:
        for row, col, method, args in sorted(self.cells, key=lambda cell: cell[:2]):
            getattr(self.ws, method)(row, col, *args)


def write_explanation(workbook: Any, sheet: Any, styles: Styles, result: Attribution) -> None:
    """The table of parts, the two values, and the waterfall with its data."""
    ws = _InRowOrder(sheet)
    label = KPI_LABELS[result.kpi][0]
    number = {"$B": "#,##0.0", "x": "0.00"}.get(result.unit, "0.0")
    write_text(ws, 0, 0, f"Why {label.lower()} differs: {result.from_name} to {result.to_name}",
               styles["title"])  # fmt: skip
    note = f"{result.method_text}. {result.note}".strip()
    write_text(ws, 1, 0, note + " The parts are Burnrate's values at export: they do not "
               "recalculate when the scenario sheets change.", styles["subtitle"])  # fmt: skip
    headers = ["Change", "Id", f"Part ({result.unit})", "Share"]
    headers += ["Standard error"] if result.method == "sampled" else []
    for col, text in enumerate(headers):
        write_text(ws, 3, col, text, styles["header" if col < PART else "table_header"])
    ws.set_column(LABEL, LABEL, 46)
    ws.set_column(IDENT, IDENT, 22)
    ws.set_column(PART, ERROR, 13)
    part_style, share_style = styles.get("input", number), styles.get("calc", "0%")
    last = FIRST_PART_ROW + len(result.parts) - 1
    total_row = last + 1
    total_cell = cell_name(total_row, PART, absolute=True)
    difference = result.difference
    for n, part in enumerate(result.parts):
        row = FIRST_PART_ROW + n
        write_text(ws, row, LABEL, part.label)
        write_text(ws, row, IDENT, part.group, styles["ident"])
        ws.write_number(row, PART, part.value, part_style)
        share = part.value / difference if difference else 0.0
        write_formula(ws, row, SHARE, f"IF({total_cell}=0,0,{cell_name(row, PART)}/{total_cell})",
                      share_style, share)  # fmt: skip
        if result.method == "sampled":
            ws.write_number(row, ERROR, part.error, styles.get("calc", "0.0E+00"))
    bold = styles.get("kpi", number)
    write_text(ws, total_row, LABEL, "Total of the parts", styles["group"])
    parts_range = f"{cell_name(FIRST_PART_ROW, PART)}:{cell_name(max(last, FIRST_PART_ROW), PART)}"
    write_formula(ws, total_row, PART, f"SUM({parts_range})" if result.parts else "0", bold,
                  difference)  # fmt: skip
    from_row, to_row = total_row + 2, total_row + 3
    write_text(ws, from_row, LABEL, result.from_name)
    ws.write_number(from_row, PART, result.value_from, styles.get("input", number))
    write_text(ws, to_row, LABEL, result.to_name)
    write_formula(ws, to_row, PART, f"{cell_name(from_row, PART)}+{total_cell}",
                  styles.get("calc", number), result.value_to)  # fmt: skip
    unit_note = f" ({result.note})" if result.note else ""
    write_text(ws, to_row + 1, LABEL, f"{label} in {result.unit}{unit_note}", styles["muted"])
    if result.parts:
        _write_waterfall(workbook, ws, styles, result, number, (from_row, to_row))
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
    ws.flush()


def _write_waterfall(
    workbook: Any,
    ws: Any,
    styles: Styles,
    result: Attribution,
    number: str,
    ends: tuple[int, int],
) -> None:
    steps = waterfall_steps(result)
    levels = [v for s in steps for v in (s.start, s.end)]
    if min(levels) < 0 < max(levels):
        write_text(ws, 3, STEP, "No waterfall: the values cross zero, which stacked columns "
                   "cannot draw; the table has every part.", styles["muted"])  # fmt: skip
        return
    sign = -1 if max(levels) <= 0 and min(levels) < 0 else 1
    for col, text in zip(range(STEP, TOTAL + 1),
                         ("Step", "Start", "End", "Base (hidden)", "Rises", "Falls", "Total"),
                         strict=True):  # fmt: skip
        write_text(ws, 3, col, text, styles["header" if col == STEP else "table_header"])
    ws.set_column(STEP, STEP, 34)
    ws.set_column(START, TOTAL, 10)
    calc = styles.get("calc", number)
    baseline = steps[0].start
    part_rows = iter(range(FIRST_PART_ROW, FIRST_PART_ROW + len(result.parts)))
    first_row = FIRST_PART_ROW
    for n, step in enumerate(steps):
        row = first_row + n
        write_text(ws, row, STEP, step.label)
        start, end = cell_name(row, START), cell_name(row, END)
        if step.kind == "total":
            source = cell_name(ends[0] if n == 0 else ends[1], PART)
            ws.write_number(row, START, baseline, calc)
            write_formula(ws, row, END, source, calc, step.end)
        else:
            rows = [next(part_rows) for _ in range(step.changes)]
            part = (
                cell_name(rows[0], PART)
                if len(rows) == 1
                else f"SUM({cell_name(rows[0], PART)}:{cell_name(rows[-1], PART)})"
            )
            write_formula(ws, row, START, cell_name(row - 1, END), calc, step.start)
            write_formula(ws, row, END, f"{start}+{part}", calc, step.end)
        low, high = min(step.start, step.end), max(step.start, step.end)
        near = "MIN" if sign > 0 else "MAX"
        if step.kind == "total":
            write_formula(ws, row, BASE, start, calc, step.start)
            write_formula(ws, row, TOTAL, f"{end}-{start}", calc, step.end - step.start)
            ws.write_number(row, UP, 0, calc)
            ws.write_number(row, DOWN, 0, calc)
        else:
            write_formula(ws, row, BASE, f"{near}({start},{end})", calc, low if sign > 0 else high)
            rise, fall = max(step.end - step.start, 0.0), max(step.start - step.end, 0.0)
            minus = "" if sign > 0 else "-"
            write_formula(ws, row, UP, f"{minus}MAX({end}-{start},0)", calc, sign * rise)
            write_formula(ws, row, DOWN, f"{minus}MAX({start}-{end},0)", calc, sign * fall)
            ws.write_number(row, TOTAL, 0, calc)
    last_row = first_row + len(steps) - 1
    _add_chart(workbook, ws, result, (first_row, last_row), baseline, number, sign)


def _add_chart(
    workbook: Any,
    ws: Any,
    result: Attribution,
    rows: tuple[int, int],
    baseline: float,
    number: str,
    sign: int,
) -> None:
    ref = sheet_ref(ws.get_name())
    first, last = rows

    def column(col: int) -> str:
        top, bottom = cell_name(first, col, absolute=True), cell_name(last, col, absolute=True)
        return f"={ref}{top}:{bottom}"

    chart = workbook.add_chart({"type": "column", "subtype": "stacked"})
    series: tuple[tuple[int, dict[str, Any]], ...] = (
        (BASE, {"fill": {"none": True}, "border": {"none": True}}),
        (TOTAL, {"fill": {"color": TOTAL_FILL}}),
        (UP, {"fill": {"color": INCREASE_FILL}}),
        (DOWN, {"fill": {"color": DECREASE_FILL}}),
    )
    for n, (col, look) in enumerate(series):
        options: dict[str, Any] = {
            "name": f"={ref}{cell_name(3, col, absolute=True)}",
            "categories": column(STEP),
            "values": column(col),
            **look,
        }
        if n == 0:
            options["gap"] = 60
        shown = {UP: f"+{number};-{number};;", DOWN: f"-{number};{number};;"}
        if not baseline:
            shown[TOTAL] = f"{number};-{number};;"
        if col in shown and sign > 0:  # labels on the bars; a zero shows nothing
            options["data_labels"] = {"value": True, "num_format": shown[col]}
        chart.add_series(options)
    label = KPI_LABELS[result.kpi][0]
    chart.set_title({"name": f"{label}: {result.from_name} to {result.to_name}",
                     "name_font": {"size": 11}})  # fmt: skip
    axis: dict[str, Any] = {"num_format": number, "major_gridlines": {"visible": True},
                            "name": f"{label} ({result.unit})"}  # fmt: skip
    if baseline:
        axis["min"] = baseline  # years: the bars rise from the first year, not from year 0
    chart.set_y_axis(axis)
    chart.set_legend({"position": "bottom", "delete_series": [0]})
    chart.set_size({"width": 760, "height": 400})
    ws.insert_chart(last + 3, STEP, chart, {"x_offset": 5, "y_offset": 5})
