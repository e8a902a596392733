"""One scenario sheet of an exported workbook: inputs, event tables, live calculations.

Rows are planned first (every line item, event row and helper row gets its
row number) and written second, because a formula may point at a row further
down (``prev`` of a balance computed later). Every formula cell also stores
the engine's value, so a viewer that does not recalculate shows the same
numbers as the app.
"""

from __future__ import annotations

import functools
import heapq
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from planner.engine import Result, dependencies, group_members
from planner.formula import FormulaError, parse, to_excel
from planner.io.workbook_layout import (
    COL_ID,
    COL_LABEL,
    COL_UNIT,
    COL_VALUE,
    CONTRACT_FIELDS,
    FIRST_PERIOD_COL,
    FROZEN_ROWS,
    HEADER_ROW,
    ROUND_FIELDS,
    TITLE_ROW,
    cell_name,
    column_letter,
    number_format,
    sheet_ref,
)
from planner.io.workbook_styles import Styles
from planner.io.workbook_templates import RowTexts, marked_column
from planner.io.workbook_write import (
    ExportError,
    check_formula,
    write_formula,
    write_formula_row,
    write_note,
    write_text,
    write_texts,
)
from planner.model import LineItem, Project, Scenario

KPI_SERIES = ("revenue", "burn", "funding", "cash")
# The timing rows at the top of every scenario sheet, labelled as FAST models label them.
TIMELINE_LABELS = {
    "first_period_flag": ("First period flag", "flag"),
    "year": ("Year", "year"),
    "period_in_year": ("Period within the year", "no."),
    "periods_per_year": ("Periods per year", "no."),
    "first_month": ("First month of the period", "month"),
    "period_number": ("Period number", "no."),
}


@dataclass
class BaseLinks:
    """Where the base scenario's inputs sit, so a scenario sheet can link to them."""

    sheet: str
    input_rows: dict[str, int]
    constant_rows: dict[str, int]
    table_rows: dict[str, int]


@dataclass
class SheetPlan:
    """Row numbers of everything on one scenario sheet (0-based)."""

    timeline: dict[str, int] = field(default_factory=dict)
    items: dict[str, int] = field(default_factory=dict)
    constants: dict[str, int] = field(default_factory=dict)
    round_rows: dict[str, int] = field(default_factory=dict)
    contract_rows: dict[str, int] = field(default_factory=dict)
    # the empty row under each event table, where a row typed in a spreadsheet is read
    spare_rows: dict[str, int] = field(default_factory=dict)
    key_rows: dict[str, int] = field(default_factory=dict)
    last_row: int = 0


class ScenarioSheet:
    """Writes one scenario of ``project`` to ``worksheet``."""

    key_figures_title = "Key figures (read by the Summary sheet)"

    def __init__(
        self,
        worksheet: Any,
        title: str,
        heading: str,
        project: Project,
        result: Result,
        styles: Styles,
        base_links: BaseLinks | None,
        row_texts: RowTexts | None = None,
    ) -> None:
        self.ws = worksheet
        self.title = title
        # the scenario's name as the workbook holds it (see xlsx_export._writable_names)
        self.heading = heading
        self.project = project
        self.result = result
        self.resolved = result.resolved
        self.periods = list(result.periods)
        self.n = len(self.periods)
        self.styles = styles
        self.links = base_links
        self.scenario: Scenario | None = project.scenario(result.scenario)
        self.plan = SheetPlan()
        self._writers: list[tuple[int, Callable[[], None]]] = []
        self._row = FROZEN_ROWS
        self._marking = False
        self._letters = [column_letter(self.col(t)) for t in range(self.n)]
        if row_texts is None or row_texts.letters != self._letters:
            row_texts = RowTexts(self._letters, column_letter(FIRST_PERIOD_COL - 1))
        self.row_texts = row_texts

    # --- helpers ------------------------------------------------------------

    def col(self, t: int) -> int:
        return FIRST_PERIOD_COL + t

    def at(self, row: int, t: int, *, fixed_row: bool = False) -> str:
        letter = marked_column(t) if self._marking else column_letter(self.col(t))
        return f"{letter}${row + 1}" if fixed_row else f"{letter}{row + 1}"

    def span(self, row: int, *, absolute: bool = True) -> str:
        first = cell_name(row, self.col(0), absolute=absolute)
        last = cell_name(row, self.col(self.n - 1), absolute=absolute)
        return f"{first}:{last}"

    def tl(self, name: str, t: int) -> str:
        return self.at(self.plan.timeline[name], t, fixed_row=True)

    def first_flag(self, t: int) -> str:
        """The first-period flag of period ``t``: 1 in the first period, 0 after."""
        return self.tl("first_period_flag", t)

    def opening_or(self, t: int, opening: str, previous: str) -> str:
        """``opening`` in the first period, ``previous`` after: one text for every period."""
        return f"IF({self.first_flag(t)},{opening},{previous})"

    def _take(self, writer: Callable[..., None], *args: Any) -> int:
        """The next free row; ``writer(row, *args)`` fills it once every row is planned."""
        row = self._row
        self._row += 1
        self._writers.append((row, functools.partial(writer, row, *args)))
        return row

    def _gap(self) -> int:
        """Leave the next row empty; its number."""
        self._row += 1
        return self._row - 1

    def _section(self, text: str, style: str = "section") -> None:
        self._take(self._write_section, text, style)

    def _write_section(self, row: int, text: str, style: str) -> None:
        write_text(self.ws, row, COL_LABEL, text, self.styles[style])
        if style == "section":
            for col in range(COL_LABEL + 1, self.col(self.n)):
                self.ws.write_blank(row, col, None, self.styles[style])

    def formula_row(
        self, row: int, text_for: Callable[[int], str], values: Any, style: Any
    ) -> None:
        """One formula per period, ``text_for(t)`` (without ``=``), caching ``values``."""
        texts = self.period_texts(text_for)
        write_formula_row(self.ws, row, self.col(0), texts, style, cached_numbers(values))

    def period_texts(self, text_for: Callable[[int], str]) -> list[str]:
        """``text_for(t)`` for every period, built from the second period's text.

        ``text_for`` gives every period the same formula (see
        planner.io.workbook_templates); the first period's column to the left is
        the empty one before the timeline, read only where the first-period flag is 0.
        """
        if self.n == 1:
            return [text_for(0)]
        self._marking = True
        try:
            marked = text_for(1)
        finally:
            self._marking = False
        texts = self.row_texts.texts(marked)
        if texts is None:
            return [text_for(t) for t in range(self.n)]
        return texts

    def _label(self, row: int, label: str, unit: str, ident: str, style: str = "label") -> None:
        s = self.styles
        cells = [(COL_LABEL, label, s[style]), (COL_UNIT, unit, s["unit"])]
        if ident:
            cells.append((COL_ID, ident, s["ident"]))
        write_texts(self.ws, row, cells)

    def event_label(self, row: int, table_row: int, name: str, what: str, unit: str) -> None:
        """The label of a per-period row of the event table row ``table_row``, named ``name``."""
        self._label(row, f"{name}: {what}", unit, "")

    def _comment(self, row: int, col: int, note: str) -> None:
        if note:
            write_note(self.ws, row, col, note)

    # --- planning -------------------------------------------------------------

    def write(self, on_row: Callable[[float], None] | None = None) -> SheetPlan:
        """Plan the rows, then write every cell, the charts and the page set-up;
        ``on_row`` is told the share of rows written after each one."""
        self._plan_timeline()
        self._plan_inputs()
        self._plan_tables()
        self._plan_calculations()
        self.plan.last_row = self._row
        self._write_header()
        count = len(self._writers)
        for n, (_, writer) in enumerate(self._writers, start=1):
            writer()
            if on_row is not None:
                on_row(n / count)
        # The writers are bound methods of this sheet and its helpers: dropping them
        # lets the sheet and its cells be freed as soon as the export ends, not by
        # a later pass of the cycle collector over every cell.
        self._writers.clear()
        self._setup_page()
        return self.plan

    def _plan_timeline(self) -> None:
        self._section("Timeline")
        for name in TIMELINE_LABELS:
            self.plan.timeline[name] = self._take(self._write_timeline_row, name)
        self._gap()

    def _plan_inputs(self) -> None:
        self._section("Inputs")
        order = {g: i for i, g in enumerate(self.project.group_order())}
        inputs = [i for i in self.resolved.items if i.formula is None]
        inputs.sort(key=lambda item: order.get(item.group, len(order)))
        group = None
        for item in inputs:
            if item.group != group:
                group = item.group
                self._section(group.replace("_", " ").capitalize(), "group")
            if item.inputs is not None:
                self.plan.items[item.id] = self._take(self._write_input, item)
            else:
                self.plan.constants[item.id] = self._take(self._write_constant, item)
        self._gap()

    def _plan_tables(self) -> None:
        from planner.io.workbook_tables import TableRows

        TableRows(self).plan()

    def _plan_calculations(self) -> None:
        from planner.io.workbook_events import EventRows

        self._section("Calculations")
        events = EventRows(self)
        events.plan()
        for item in self._calculation_order():
            self.plan.items[item.id] = self._take(self._write_formula_row, item)
        self._gap()
        if all(name in self.plan.items for name in KPI_SERIES):
            from planner.io.workbook_keys import KeyRows

            KeyRows(self).plan()

    def _calculation_order(self) -> list[LineItem]:
        """Formula rows in dependency order, keeping the model's order where free to."""
        items = [i for i in self.resolved.items if i.formula is not None]
        deps = dependencies(self.resolved.items)
        formulas = {item.id for item in items}
        waiting = {
            item.id: {d for d in deps.same_period[item.id] if d in formulas} for item in items
        }
        return in_dependency_order(items, waiting)

    # --- writing --------------------------------------------------------------------

    def _write_header(self) -> None:
        ws, s = self.ws, self.styles
        write_text(ws, TITLE_ROW, COL_LABEL, self.heading, s["title"])
        legend = (
            ("Input", "input"),
            ("Override", "override"),
            ("From base", "link"),
            ("Formula", "calc"),
        )
        ws.write_string(0, self.col(0) - 2, "Key:", s["muted"])
        for n, (text, style) in enumerate(legend):
            ws.write_string(0, self.col(0) + n, text, s[style])
        description = self.scenario.description if self.scenario else self.project.base_description
        write_text(ws, 1, COL_LABEL, description, s["subtitle"])
        headers = ("Line item", "Unit", "Id", "Value")
        for col, text in enumerate(headers):
            ws.write_string(HEADER_ROW, col, text, s["header"])
        for col in range(COL_VALUE + 1, FIRST_PERIOD_COL):
            ws.write_blank(HEADER_ROW, col, None, s["header"])
        write_texts(
            ws,
            HEADER_ROW,
            [(self.col(t), period, s["period"]) for t, period in enumerate(self.periods)],
        )

    def _write_timeline_row(self, row: int, name: str) -> None:
        label, unit = TIMELINE_LABELS[name]
        self._label(row, label, unit, "", "muted")

        def text(t: int) -> str:
            head = self.at(HEADER_ROW, t, fixed_row=True)
            if name == "first_period_flag":
                first = cell_name(HEADER_ROW, self.col(0), absolute=True)
                return f"IF({head}={first},1,0)"
            if name == "year":
                return f"VALUE(LEFT({head},4))"
            if name == "period_in_year":
                return f"IF(LEN({head})>4,VALUE(RIGHT({head},1)),1)"
            if name == "periods_per_year":
                return f"IF(LEN({head})>4,4,1)"
            if name == "first_month":
                within, per_year = self.tl("period_in_year", t), self.tl("periods_per_year", t)
                return f"({within}-1)*12/{per_year}+1"
            return self.opening_or(t, "1", f"{self.at(row, t - 1)}+1")

        self.formula_row(row, text, self._timeline_values(name), self.styles["timeline"])

    def series_of_timeline(self, name: str) -> npt.NDArray[np.float64]:
        """The values of the timeline row ``name``, as its formulas compute them."""
        return np.array(self._timeline_values(name))

    def _timeline_values(self, name: str) -> list[float]:
        values = []
        for t, period in enumerate(self.periods):
            quarter = len(period) > 4
            if name == "first_period_flag":
                values.append(1.0 if t == 0 else 0.0)
            elif name == "year":
                values.append(float(int(period[:4])))
            elif name == "period_in_year":
                values.append(float(period[-1]) if quarter else 1.0)
            elif name == "periods_per_year":
                values.append(4.0 if quarter else 1.0)
            elif name == "first_month":
                values.append(3.0 * (int(period[-1]) - 1) + 1 if quarter else 1.0)
            else:
                values.append(float(t + 1))
        return values

    def _write_input(self, row: int, item: LineItem) -> None:
        assert item.inputs is not None
        overridden = item.id in (self.scenario.inputs if self.scenario else {})
        self._label(row, item.label, item.unit, item.id)
        self._comment(row, COL_LABEL, item.note)
        base_notes = self.project.item(item.id).input_notes
        cells = self.scenario.inputs.get(item.id, {}) if self.scenario else {}
        fmt = number_format(item.unit)
        ws, links = self.ws, self.links
        link_style, input_style = self.styles.get("link", fmt), self.styles.get("input", fmt)
        override_style = self.styles.get("override", fmt)
        link_prefix = ""
        if links is not None:
            link_prefix = sheet_ref(links.sheet)
            base_row = links.input_rows[item.id]
            if not cells:
                # Every period reads the base sheet: one link filled right.
                self.formula_row(
                    row, lambda t: link_prefix + self.at(base_row, t), item.inputs, link_style
                )
                for t, period in enumerate(self.periods):
                    if period in base_notes:
                        self._comment(row, self.col(t), base_notes[period])
                return
            link_row = str(base_row + 1)
        for t, (period, value) in enumerate(zip(self.periods, item.inputs, strict=True)):
            col = self.col(t)
            if links is not None and period not in cells:
                target = link_prefix + self._letters[t] + link_row
                write_formula(ws, row, col, target, link_style, cached_value(value))
            else:
                style = override_style if overridden and period in cells else input_style
                ws.write_number(row, col, value, style)
            if period in base_notes:
                self._comment(row, col, base_notes[period])

    def _write_constant(self, row: int, item: LineItem) -> None:
        assert item.value is not None
        self._label(row, item.label, item.unit, item.id)
        self._comment(row, COL_LABEL, item.note)
        fmt = number_format(item.unit)
        overridden = self.scenario is not None and item.id in self.scenario.values
        if self.links is not None and not overridden:
            target = sheet_ref(self.links.sheet) + cell_name(
                self.links.constant_rows[item.id], COL_VALUE, absolute=True
            )
            write_formula(self.ws, row, COL_VALUE, target, self.styles.get("link", fmt), item.value)
        else:
            style = "override" if overridden else "input"
            self.ws.write_number(row, COL_VALUE, item.value, self.styles.get(style, fmt))

    def _write_formula_row(self, row: int, item: LineItem) -> None:
        assert item.formula is not None
        overridden = self.scenario is not None and item.id in self.scenario.formulas
        self._label(
            row, item.label, item.unit, item.id, "override_label" if overridden else "label"
        )
        note = item.note
        formula_note = f"Formula: {item.formula}"
        self._comment(row, COL_LABEL, f"{note}\n{formula_note}" if note else formula_note)
        formula = parse(item.formula, item.id)
        members = self.resolved.items

        def summed(group: str) -> list[str]:
            return group_members(members, group, item.id)

        def text(t: int) -> str:
            return to_excel(
                formula,
                functools.partial(self._shifted_ref, t),
                first_period=False,
                group_members=summed,
                first_flag=self.first_flag(t),
            )

        style = self.styles.get("calc", number_format(item.unit))
        what = f"line item {item.id!r} on sheet {self.title!r}"
        try:
            texts = self.period_texts(text)
        except FormulaError as exc:
            raise ExportError(f"{what}: {exc.problem}") from None
        for formula_text in {texts[0], max(texts, key=len)}:
            check_formula(what, formula_text)
        write_formula_row(
            self.ws, row, self.col(0), texts, style, cached_numbers(self.result.series(item.id))
        )

    def _shifted_ref(self, t: int, name: str, offset: int) -> str:
        return self.ref(name, t + offset)

    def ref(self, name: str, t: int) -> str:
        """The cell holding line item ``name`` in period ``t`` on this sheet."""
        if name in self.plan.constants:
            return cell_name(self.plan.constants[name], COL_VALUE, absolute=True)
        return self.at(self.plan.items[name], t)

    def series(self, name: str) -> npt.NDArray[np.float64]:
        return self.result.series(name)

    def _setup_page(self) -> None:
        ws = self.ws
        ws.freeze_panes(FROZEN_ROWS, COL_UNIT + 1)
        ws.set_column(COL_LABEL, COL_LABEL, 44)
        ws.set_column(COL_UNIT, COL_UNIT, 10)
        ws.set_column(COL_ID, COL_ID, 19)
        # Event tables may reach into the gap before the timeline; 14 fits "Post-money $B".
        last_field = COL_VALUE + max(len(ROUND_FIELDS), len(CONTRACT_FIELDS)) - 1
        ws.set_column(COL_VALUE, max(last_field, FIRST_PERIOD_COL - 2), 14)
        if last_field < FIRST_PERIOD_COL - 1:
            ws.set_column(last_field + 1, FIRST_PERIOD_COL - 1, 2)
        ws.set_column(self.col(0), self.col(self.n - 1), 10)
        ws.set_landscape()
        ws.set_paper(9)
        ws.fit_to_pages(1, 0)
        ws.repeat_rows(0, HEADER_ROW)
        ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.5)
        ws.set_footer("&L&A&RPage &P of &N")
        ws.hide_gridlines(2)


def cached_numbers(values: Any) -> list[float]:
    """Cached values for formula cells: finite floats, 0.0 in place of NaN or infinity."""
    numbers = values.tolist() if isinstance(values, np.ndarray) else values
    # A sum is finite only if every term is (it may overflow: then the long way)
    if (
        isinstance(values, np.ndarray)
        and values.dtype == np.float64
        and math.isfinite(sum(numbers))
    ):
        return numbers  # type: ignore[no-any-return]
    return [float(v) if math.isfinite(v) else 0.0 for v in numbers]


def cached_value(value: float | str) -> float | str:
    if isinstance(value, str):
        return value
    value = float(value)
    return value if math.isfinite(value) else 0.0


def in_dependency_order(items: list[LineItem], waiting: dict[str, set[str]]) -> list[LineItem]:
    """``items`` each after those it waits on (``waiting``: id -> ids), else in model order.

    Items that wait on one another in a circle are left out; ``waiting`` is used up.
    """
    position = {item.id: n for n, item in enumerate(items)}
    ready = [position[i] for i, needs in waiting.items() if not needs]
    heapq.heapify(ready)
    ordered: list[LineItem] = []
    while ready:
        item = items[heapq.heappop(ready)]
        ordered.append(item)
        for other, needs in waiting.items():
            if item.id in needs:
                needs.discard(item.id)
                if not needs:
                    heapq.heappush(ready, position[other])
    return ordered
