"""The Risk sheets of an exported workbook: one per scenario that has uncertainty ranges.

A Risk sheet holds the results of a Monte Carlo run as values, not formulas,
and says so: the inputs varied and their correlations, the sampling, seed and
sample count, the percentile bands of cash and burn per period in the same
columns as the scenario sheets' timeline, the spreads of the key figures, the
tornado and the ranking; with a native fan chart (stacked areas) and a tornado
chart (bars). Every figure equals ``python -m planner montecarlo --json`` for
the same scenario, samples, seed and sampling.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from planner.analysis.risk_report import SAMPLING_NAMES, range_text
from planner.compiled import Array
from planner.engine import Result
from planner.io.workbook_layout import (
    COL_LABEL,
    COL_UNIT,
    FIRST_PERIOD_COL,
    HEADER_ROW,
    SHEET_NAME_LIMIT,
    cell_name,
    sheet_ref,
)
from planner.io.workbook_progress import ExportSteps
from planner.io.workbook_styles import Styles
from planner.io.workbook_write import write_text
from planner.kpis import KPI_LABELS
from planner.model import Project
from planner.uncertainty import (
    DEFAULT_SAMPLES,
    MonteCarlo,
    UncertaintyError,
    month_label,
    ranges_for,
    run_montecarlo,
)

DEFAULT_SEED = 1
RISK_PREFIX = "Risk "
BAND_LABELS = ("5th percentile", "25th percentile", "Median", "75th percentile", "95th percentile")
FAN_PARTS = ("5th percentile", "5th to 25th", "25th to median", "median to 75th", "75th to 95th")
MONEY = "#,##0.0"
FAN_COLUMNS = 10  # period columns a fan chart spans
SHARE = "0.0%"
# Columns of the tables below the bands: label, unit, then figures.
TABLE_COLS = (COL_LABEL, COL_UNIT, 2, 3, 4, 5, 6, 7, 8)
COLUMN_WIDTHS = {COL_LABEL: 42, COL_UNIT: 10, 2: 14, 3: 14, 4: 14, 5: 14, 6: 14, 7: 14, 8: 60}


def risk_scenarios(project: Project, scenarios: Sequence[str]) -> list[str]:
    """The scenarios among ``scenarios`` that have uncertainty ranges: each gets a Risk sheet."""
    return [name for name in scenarios if ranges_for(project, name)]


def risk_sheet_titles(titles: Sequence[str], taken: set[str]) -> list[str]:
    """A unique sheet name per scenario sheet: "Risk " and its title, within Excel's limit."""
    used = {name.casefold() for name in taken}
    names = []
    for title in titles:
        base = (RISK_PREFIX + title)[:SHEET_NAME_LIMIT].rstrip().rstrip("'")
        name, n = base, 2
        while name.casefold() in used:
            suffix = f" ({n})"
            name = base[: SHEET_NAME_LIMIT - len(suffix)].rstrip() + suffix
            n += 1
        used.add(name.casefold())
        names.append(name)
    return names


@dataclass
class _Planned:
    ws: Any
    title: str
    scenario: str
    outcome: MonteCarlo | str  # the run, or why there is none


@dataclass
class RiskSheets:
    """Risk sheets added to a workbook (in tab order), written once the rest is known."""

    project: Project
    planned: list[_Planned]

    @classmethod
    def add(
        cls,
        workbook: Any,
        project: Project,
        results: Sequence[Result],
        titles: Sequence[str],
        samples: int | None = DEFAULT_SAMPLES,
        seed: int = DEFAULT_SEED,
        steps: ExportSteps | None = None,
    ) -> RiskSheets:
        """Run each scenario that has ranges and add its sheet; ``samples`` None adds none."""
        risky = set(risk_scenarios(project, [r.scenario for r in results]))
        wanted = [
            (result.scenario, title)
            for result, title in zip(results, titles, strict=True)
            if samples is not None and result.scenario in risky
        ]
        names = risk_sheet_titles([title for _, title in wanted], set(titles))
        planned = []
        for (scenario, _), name in zip(wanted, names, strict=True):
            assert samples is not None
            share = steps.step(f"Running the risk of {scenario}") if steps else None
            try:
                outcome: MonteCarlo | str = run_montecarlo(
                    project,
                    scenario,
                    samples,
                    seed,
                    should_stop=steps.should_stop if steps else None,
                    progress=share,
                )
            except UncertaintyError as exc:
                outcome = str(exc)
            planned.append(_Planned(workbook.add_worksheet(name), name, scenario, outcome))
        return cls(project, planned)

    def write(self, workbook: Any, styles: Styles) -> None:
        for sheet in self.planned:
            _RiskSheet(workbook, sheet, self.project, styles).write()


class _RiskSheet:
    """Writes one Risk sheet top to bottom (as a streamed workbook requires)."""

    def __init__(self, workbook: Any, planned: _Planned, project: Project, styles: Styles):
        self.workbook = workbook
        self.ws = planned.ws
        self.title = planned.title
        self.scenario = planned.scenario
        self.outcome = planned.outcome
        self.project = project
        self.styles = styles
        self.row = 0
        self.rows: dict[str, int] = {}
        self.charts_end = 0  # the first row below the fan charts

    def write(self) -> None:
        ws = self.ws
        for col, width in COLUMN_WIDTHS.items():
            ws.set_column(col, col, width)
        write_text(ws, 0, COL_LABEL, f"Risk: {self.scenario}", self.styles["title"])
        if isinstance(self.outcome, str):
            write_text(ws, 1, COL_LABEL, f"No simulation: {self.outcome}", self.styles["subtitle"])
            return
        mc = self.outcome
        sampling = SAMPLING_NAMES.get(mc.sampling, mc.sampling)
        command = (
            f'python -m planner montecarlo --scenario "{mc.scenario}" '
            f"--samples {mc.samples} --seed {mc.seed}"
        )
        if mc.sampling != "lhs":
            command += f" --sampling {mc.sampling}"
        write_text(
            ws,
            1,
            COL_LABEL,
            f"Simulation results stored as values, not formulas: {mc.samples:,} samples, "
            f"seed {mc.seed}, {sampling} sampling. They do not follow edits made here; "
            f"the same figures come from: {command}",
            self.styles["subtitle"],
        )
        self.row = HEADER_ROW
        self._bands(mc)
        self._key_figures(mc)
        self._inputs(mc)
        self._tornado(mc)
        self._ranking(mc)
        ws.freeze_panes(HEADER_ROW + 1, 1)
        ws.set_landscape()
        ws.set_paper(9)  # A4
        ws.fit_to_pages(1, 0)

    # --- helpers -----------------------------------------------------------------

    def _next(self, count: int = 1) -> int:
        row = self.row
        self.row += count
        return row

    def _section(self, text: str) -> None:
        self._next()
        row = self._next()
        write_text(self.ws, row, COL_LABEL, text, self.styles["section"])

    def _header(self, texts: Sequence[str]) -> None:
        row = self._next()
        for col, text in zip(TABLE_COLS, texts, strict=False):
            write_text(self.ws, row, col, text, self.styles["header"])

    def _series_row(self, key: str, label: str, unit: str, values: Array, fmt: str) -> None:
        row = self._next()
        self.rows[key] = row
        write_text(self.ws, row, COL_LABEL, label, self.styles["label"])
        write_text(self.ws, row, COL_UNIT, unit, self.styles["unit"])
        style = self.styles.get("calc", fmt)
        for t, value in enumerate(values.tolist()):
            self.ws.write_number(row, FIRST_PERIOD_COL + t, value, style)

    # --- sections ------------------------------------------------------------------

    def _bands(self, mc: MonteCarlo) -> None:
        ws, styles = self.ws, self.styles
        row = self._next()
        write_text(ws, row, COL_LABEL, "Percentile bands per period", styles["header"])
        for t, period in enumerate(mc.periods):
            write_text(ws, row, FIRST_PERIOD_COL + t, period, styles["period"])
        names = {"cash": "Cash at period end", "burn": "Burn"}
        for sid, name in names.items():
            for index, band in enumerate(BAND_LABELS):
                key = f"{sid}:{index}"
                self._series_row(key, f"{name}, {band.lower()}", "$B", mc.bands[sid][index], MONEY)
            self._series_row(f"{sid}:plan", f"{name}, as planned", "$B", mc.plan[sid], MONEY)
        self._series_row(
            "cash_zero_by_period",
            "Chance cash has run out by period end",
            "%",
            mc.cash_zero_by_period,
            SHARE,
        )
        # Stacked areas draw the fan: a transparent base at the 5th percentile, then
        # the width of each band on top.
        self._next()
        row = self._next()
        write_text(ws, row, COL_LABEL, "For the fan charts: band widths", styles["muted"])
        for sid, name in names.items():
            bands = mc.bands[sid]
            parts = [bands[0], *(bands[i] - bands[i - 1] for i in range(1, len(bands)))]
            for index, (part, values) in enumerate(zip(FAN_PARTS, parts, strict=True)):
                self._series_row(f"{sid}:fan{index}", f"{name}, {part}", "$B", values, MONEY)
        self._fan_charts(mc, names)

    def _range(self, row: int, first: int, last: int) -> str:
        ref = sheet_ref(self.title)
        return f"={ref}{cell_name(row, first, absolute=True)}:{cell_name(row, last, absolute=True)}"

    def _fan_charts(self, mc: MonteCarlo, names: dict[str, str]) -> None:
        last = FIRST_PERIOD_COL + len(mc.periods) - 1
        categories = self._range(HEADER_ROW, FIRST_PERIOD_COL, last)
        ref = sheet_ref(self.title)
        shades = (None, "#C5D9F1", "#8DB4E2", "#8DB4E2", "#C5D9F1")
        anchor = self.row + 1
        self.charts_end = anchor + 18
        for n, (sid, name) in enumerate(names.items()):
            fan = self.workbook.add_chart({"type": "area", "subtype": "stacked"})
            for index, shade in enumerate(shades):
                row = self.rows[f"{sid}:fan{index}"]
                fill = {"none": True} if shade is None else {"color": shade}
                fan.add_series(
                    {
                        "name": f"={ref}{cell_name(row, COL_LABEL, absolute=True)}",
                        "categories": categories,
                        "values": self._range(row, FIRST_PERIOD_COL, last),
                        "fill": fill,
                        "border": {"none": True},
                    }
                )
            lines = self.workbook.add_chart({"type": "line"})
            styled = ((f"{sid}:2", "#1F3864", "solid"), (f"{sid}:plan", "#C00000", "dash"))
            for key, color, dash in styled:
                row = self.rows[key]
                lines.add_series(
                    {
                        "name": f"={ref}{cell_name(row, COL_LABEL, absolute=True)}",
                        "categories": categories,
                        "values": self._range(row, FIRST_PERIOD_COL, last),
                        "line": {"color": color, "width": 2, "dash_type": dash},
                    }
                )
            fan.combine(lines)
            fan.set_title(
                {
                    "name": f"{name}, $B: {mc.scenario}, {mc.samples:,} samples, seed {mc.seed}",
                    "name_font": {"size": 11},
                }
            )
            fan.set_x_axis({"label_position": "low"})  # below the chart, not at zero
            fan.set_y_axis({"num_format": "#,##0", "major_gridlines": {"visible": True}})
            fan.set_legend({"position": "bottom", "delete_series": [0]})
            fan.set_size({"width": 640, "height": 320})
            self.ws.insert_chart(anchor, FIRST_PERIOD_COL + FAN_COLUMNS * n, fan, {"x_offset": 5})

    def _key_figures(self, mc: MonteCarlo) -> None:
        ws, styles = self.ws, self.styles
        self._section("Key figures")
        self._header(["", "", "As planned", "5th percentile", "Median", "95th percentile", "Mean"])
        money = styles.get("calc", MONEY)
        for kpi, spread in mc.kpis.items():
            row = self._next()
            self.rows[f"kpi:{kpi}"] = row
            label, unit = KPI_LABELS[kpi]
            write_text(ws, row, COL_LABEL, label, styles["label"])
            write_text(ws, row, COL_UNIT, unit, styles["unit"])
            values = (spread.fixed, spread.p5, spread.p50, spread.p95, spread.mean)
            for col, value in zip(TABLE_COLS[2:], values, strict=False):
                ws.write_number(row, col, value, money)
        last = mc.periods[-1]
        events = (
            ("cash_zero", f"Chance cash runs out by {last}", mc.cash_zero.probability),
            ("breakeven", f"Chance of breaking even by {last}", mc.breakeven.probability),
        )
        for key, label, probability in events:
            row = self._next()
            self.rows[key] = row
            write_text(ws, row, COL_LABEL, label, styles["label"])
            write_text(ws, row, COL_UNIT, "%", styles["unit"])
            ws.write_number(row, 3, probability, styles.get("calc", SHARE))
        zero, even = mc.cash_zero, mc.breakeven
        timing = (
            (
                "Cash runs out: month as planned / median month of those that do",
                month_label(zero.fixed) if zero.fixed is not None else "never",
                month_label(zero.median) if zero.median is not None else "never",
            ),
            (
                "Breaks even: year as planned / median year of those that do",
                str(even.fixed) if even.fixed is not None else "not by " + last,
                str(even.median) if even.median is not None else "not by " + last,
            ),
        )
        for label, planned, median in timing:
            row = self._next()
            write_text(ws, row, COL_LABEL, label, styles["label"])
            write_text(ws, row, 2, planned or "", styles["kpi"])
            write_text(ws, row, 4, median or "", styles["kpi"])

    def _inputs(self, mc: MonteCarlo) -> None:
        ws, styles = self.ws, self.styles
        labels = {item.id: (item.label, item.unit) for item in self.project.items}
        self._section("Inputs varied: each by one factor per sample, the same in every period")
        self._header(["Line item", "Unit", "Id", "Distribution", "Low", "High", "", "", "Note"])
        for spec in mc.inputs:
            row = self._next()
            label, unit = labels.get(spec.item, (spec.item, ""))
            for col, text in ((0, label), (1, unit), (2, spec.item), (3, spec.distribution)):
                write_text(ws, row, col, text, styles["unit" if col == 1 else "label"])
            ws.write_number(row, 4, spec.low, styles.get("calc", "0.00"))
            ws.write_number(row, 5, spec.high, styles.get("calc", "0.00"))
            write_text(ws, row, 6, range_text(spec), styles["muted"])
            write_text(ws, row, 8, spec.note, styles["label"])
        self._section("Rank correlations between inputs (Iman-Conover; each input keeps its range)")
        self._header(["Line item", "", "Id", "With", "Rank correlation", "", "", "", "Note"])
        if not mc.correlations:
            write_text(ws, self._next(), COL_LABEL, "none: the inputs vary independently")
        for correlation in mc.correlations:
            row = self._next()
            first, second = correlation.items
            write_text(ws, row, 0, labels.get(first, (first, ""))[0], styles["label"])
            write_text(ws, row, 2, first, styles["label"])
            write_text(ws, row, 3, second, styles["label"])
            ws.write_number(row, 4, correlation.rank, styles.get("calc", "0.00"))
            write_text(ws, row, 8, correlation.note, styles["label"])

    def _tornado(self, mc: MonteCarlo) -> None:
        ws, styles = self.ws, self.styles
        self._section("Sensitivity: each input alone at its low and its high, the others at 1")
        self._header(
            [
                "Line item",
                "",
                "Id",
                "Low",
                "High",
                "Peak funding need at low",
                "at high",
                "Cumulative burn at low",
                "at high",
            ]
        )
        labels = {item.id: item.label for item in self.project.items}
        first = self.row
        money = styles.get("calc", MONEY)
        for tornado_row in mc.tornado:
            row = self._next()
            write_text(ws, row, 0, labels.get(tornado_row.item, tornado_row.item), styles["label"])
            write_text(ws, row, 2, tornado_row.item, styles["label"])
            ws.write_number(row, 3, tornado_row.low, styles.get("calc", "0.00"))
            ws.write_number(row, 4, tornado_row.high, styles.get("calc", "0.00"))
            values = (
                tornado_row.peak_at_low,
                tornado_row.peak_at_high,
                tornado_row.burn_at_low,
                tornado_row.burn_at_high,
            )
            for col, value in zip((5, 6, 7, 8), values, strict=True):
                ws.write_number(row, col, value, money)
        if mc.tornado:
            self._tornado_chart(mc, first, self.row - 1)

    def _tornado_chart(self, mc: MonteCarlo, first: int, last: int) -> None:
        ref = sheet_ref(self.title)
        chart = self.workbook.add_chart({"type": "bar"})
        bars = ((5, "Input at its low", "#2E75B6"), (6, "Input at its high", "#C55A11"))
        for col, name, color in bars:
            chart.add_series(
                {
                    "name": name,
                    "categories": f"={ref}{cell_name(first, 0, absolute=True)}:"
                    + cell_name(last, 0, absolute=True),
                    "values": f"={ref}{cell_name(first, col, absolute=True)}:"
                    + cell_name(last, col, absolute=True),
                    "fill": {"color": color},
                    "overlap": 100,
                    "gap": 40,
                }
            )
        chart.set_title(
            {
                "name": f"Peak funding need, change in $B: {mc.scenario}",
                "name_font": {"size": 11},
            }
        )
        chart.set_y_axis({"reverse": True, "label_position": "low"})
        chart.set_x_axis({"num_format": "#,##0", "major_gridlines": {"visible": True}})
        chart.set_legend({"position": "bottom"})
        chart.set_size({"width": 640, "height": 60 + 28 * (last - first + 1)})
        self.ws.insert_chart(max(first, self.charts_end), FIRST_PERIOD_COL, chart, {"x_offset": 5})

    def _ranking(self, mc: MonteCarlo) -> None:
        ws, styles = self.ws, self.styles
        self._section(
            "Ranking from the same draws: rank correlation with the key figure and share of "
            "its variance (correlated inputs included)"
        )
        self._header(["Key figure", "", "Id", "Rank correlation", "Share of variance"])
        for kpi, rows in mc.ranking.items():
            if not any(r.rank_correlation for r in rows):
                continue  # a key figure that no input moves
            for ranking_row in rows:
                row = self._next()
                write_text(ws, row, 0, KPI_LABELS[kpi][0], styles["label"])
                write_text(ws, row, 2, ranking_row.item, styles["label"])
                ws.write_number(row, 3, ranking_row.rank_correlation, styles.get("calc", "0.00"))
                ws.write_number(row, 4, ranking_row.variance_share, styles.get("calc", SHARE))
