"""A live scenario switch: a Control sheet that names a scenario, and an Active scenario sheet.

The Active scenario sheet has the scenario sheets' layout. Its inputs pick the
chosen scenario's values from that scenario's sheet with CHOOSE (no INDIRECT,
no OFFSET), and its calculations are live formulas over those inputs, so
choosing another scenario in the Control sheet's list recalculates the whole
view. Where scenarios differ in a line item's formula (or one gives inputs
where another computes), the row chooses between the scenarios' own formulas.
The event tables hold as many rows as the scenario with the most: row n shows
the chosen scenario's n-th round or contract, or zeros where it has fewer.

The import never reads these two sheets; the scenario sheets stay the model.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from planner.engine import Result, dependencies, group_members
from planner.formula import FormulaError, parse, to_excel
from planner.io.workbook_layout import (
    ACTIVE_SHEET,
    COL_ID,
    COL_LABEL,
    COL_UNIT,
    COL_VALUE,
    CONTROL_SHEET,
    FIRST_PERIOD_COL,
    HEADER_ROW,
    cell_name,
    number_format,
    sheet_ref,
)
from planner.io.workbook_sheet import (
    ScenarioSheet,
    SheetPlan,
    cached_numbers,
    in_dependency_order,
)
from planner.io.workbook_styles import Styles
from planner.io.workbook_tables import TableRows
from planner.io.workbook_templates import RowTexts
from planner.io.workbook_write import (
    FORMULA_LENGTH_LIMIT,
    ExportError,
    check_formula,
    write_formula,
    write_formula_row,
    write_text,
)
from planner.model import ComputeContract, FundingRound, LineItem, Project
from planner.scenarios import ResolvedScenario

# On the Control sheet (0-based): the chosen scenario's name, its number, and the list.
CHOICE_ROW, NUMBER_ROW, LIST_HEADER_ROW = 3, 4, 6
CHOICE_COL = 1
CONTROL_WIDTHS = (44, 34, 10)
# Event table fields (offsets from COL_VALUE) that may be empty: pre-money and tranche.
OPTIONAL_ROUND_FIELDS = (2, 3)


@dataclass(frozen=True)
class ScenarioSheets:
    """The scenario sheets the switch chooses between, in the Control list's order."""

    names: list[str]
    titles: list[str]
    plans: list[SheetPlan]
    results: list[Result]
    chosen: int  # the scenario whose values the Active sheet caches


def switch_fits(titles: Sequence[str]) -> bool:
    """Whether the longest choice between these sheets' cells stays within Excel's limit.

    That is an optional event field: IF(ISNUMBER('Sheet'!$F$123),'Sheet'!$F$123,"")
    for each sheet, the cell at most 12 characters long.
    """
    longest = len("CHOOSE(Control!$B$5,)") + sum(
        2 * (len(sheet_ref(title)) + 12) + len('IF(ISNUMBER(),,""),') for title in titles
    )
    return longest < FORMULA_LENGTH_LIMIT


def write_control(ws: Any, styles: Styles, sheets: ScenarioSheets) -> str:
    """The Control sheet; returns the reference to the chosen scenario's number."""
    s = styles
    for col, width in enumerate(CONTROL_WIDTHS):
        ws.set_column(col, col, width)
    ws.write_string(0, 0, "Control", s["title"])
    ws.write_string(
        1,
        0,
        f"Choose a scenario here: the {ACTIVE_SHEET} sheet shows it, recalculated live.",
        s["subtitle"],
    )
    first = LIST_HEADER_ROW + 1
    last = first + len(sheets.names) - 1
    names = f"{cell_name(first, 0, absolute=True)}:{cell_name(last, 0, absolute=True)}"
    ws.write_string(CHOICE_ROW, 0, f"Scenario shown on the {ACTIVE_SHEET} sheet", s["label"])
    write_text(ws, CHOICE_ROW, CHOICE_COL, sheets.names[sheets.chosen], s["input_text"])
    ws.data_validation(
        CHOICE_ROW,
        CHOICE_COL,
        CHOICE_ROW,
        CHOICE_COL,
        {
            "validate": "list",
            "source": "=" + names,
            "error_title": "Not a scenario",
            "error_message": "Choose one of the scenarios listed below.",
        },
    )
    ws.write_string(NUMBER_ROW, 0, "Number of the scenario shown", s["label"])
    choice = cell_name(CHOICE_ROW, CHOICE_COL)
    write_formula(
        ws, NUMBER_ROW, CHOICE_COL, f"MATCH({choice},{names},0)", s["calc"], sheets.chosen + 1
    )
    for col, text in enumerate(("Scenario", "Sheet", "Number")):
        ws.write_string(LIST_HEADER_ROW, col, text, s["header"])
    for n, (name, title) in enumerate(zip(sheets.names, sheets.titles, strict=True)):
        write_text(ws, first + n, 0, name, s["label"])
        write_text(ws, first + n, 1, title, s["label"])
        ws.write_number(first + n, 2, n + 1, s["label"])
    ws.hide_gridlines(2)
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    # "Control" needs no quotes: a shorter reference in every cell of the Active sheet.
    return f"{CONTROL_SHEET}!" + cell_name(NUMBER_ROW, CHOICE_COL, absolute=True)


def write_active(
    workbook: Any,
    control_ws: Any,
    active_ws: Any,
    project: Project,
    styles: Styles,
    sheets: ScenarioSheets,
    row_texts: RowTexts,
    on_row: Callable[[float], None] | None = None,
) -> SheetPlan:
    """Fill the Control and Active scenario sheets, once every scenario sheet is planned."""
    number = write_control(control_ws, styles, sheets)
    return ActiveSheet(active_ws, project, styles, sheets, number, row_texts).write(on_row)


def _kind(item: LineItem) -> str:
    if item.formula is not None:
        return "formula"
    return "input" if item.inputs is not None else "constant"


class ActiveSheet(ScenarioSheet):
    """The Active scenario sheet: the scenario sheets' layout over the chosen scenario."""

    key_figures_title = "Key figures of the scenario shown"

    def __init__(
        self,
        worksheet: Any,
        project: Project,
        styles: Styles,
        sheets: ScenarioSheets,
        number: str,
        row_texts: RowTexts,
    ) -> None:
        result = sheets.results[sheets.chosen]
        heading = sheets.names[sheets.chosen]
        super().__init__(worksheet, ACTIVE_SHEET, heading, project, result, styles, None, row_texts)
        self.sheets = sheets
        self.number = number
        self.scenario = None
        self.refs = [sheet_ref(title) for title in sheets.titles]
        self.models = [r.resolved for r in sheets.results]
        self.variants: set[str] = set()  # rows that choose between the scenarios' own formulas
        self.mirrored: set[str] = set()  # rows that read each scenario sheet's result
        self.round_slots: dict[str, list[int | None]] = {}
        self.contract_slots: dict[str, list[int | None]] = {}
        self.resolved = self._merged_model()

    # --- the merged model -------------------------------------------------------------

    def _merged_model(self) -> ResolvedScenario:
        chosen = self.resolved
        by_id = [{item.id: item for item in model.items} for model in self.models]
        members = [self._sums(model.items) for model in self.models]
        items = []
        for item in chosen.items:
            versions = [found[item.id] for found in by_id]
            kinds = {_kind(v) for v in versions}
            formulas = {v.formula for v in versions}
            sums = {tuple(m.get(item.id, ())) for m in members}
            alike = len(formulas) == 1 and len(sums) == 1
            if len(kinds) == 1 and (alike or kinds != {"formula"}):
                items.append(item)
            else:
                self.variants.add(item.id)
                formula = next(v.formula for v in versions if v.formula is not None)
                items.append(item.model_copy(update={"formula": formula, "inputs": None}))
                if item.value is not None:
                    items[-1] = items[-1].model_copy(update={"value": None})
        rounds = self._slots(
            [m.funding_rounds for m in self.models], self.round_slots, self._empty_round
        )
        contracts = self._slots(
            [m.compute_contracts for m in self.models], self.contract_slots, self._empty_contract
        )
        return ResolvedScenario(
            name=chosen.name,
            periods=chosen.periods,
            items=tuple(items),
            funding_rounds=tuple(rounds),
            compute_contracts=tuple(contracts),
            reference_period=chosen.reference_period,
        )

    @staticmethod
    def _sums(items: Sequence[LineItem]) -> dict[str, list[tuple[str, ...]]]:
        """Item -> the members of each group its formula sums, in this scenario."""
        sums: dict[str, list[tuple[str, ...]]] = {}
        for item in items:
            if item.formula is None or "sum_of" not in item.formula:
                continue
            groups = sorted(parse(item.formula, item.id).groups)
            sums[item.id] = [tuple(group_members(items, g, item.id)) for g in groups]
        return sums

    def _slots(
        self,
        tables: list[Sequence[Any]],
        slots: dict[str, list[int | None]],
        empty: Callable[[int], Any],
    ) -> list[Any]:
        """Row n of the merged table: the chosen scenario's n-th row, or an empty one."""
        rows = []
        plans = self.sheets.plans
        for n in range(max((len(t) for t in tables), default=0)):
            mine = tables[self.sheets.chosen]
            row = mine[n] if n < len(mine) else empty(n)
            sources: list[int | None] = []
            for table, plan in zip(tables, plans, strict=True):
                if n < len(table):
                    table_rows = {**plan.round_rows, **plan.contract_rows}
                    sources.append(table_rows[table[n].id])
                else:
                    sources.append(None)
            slots[row.id] = sources
            rows.append(row)
        return rows

    def _empty_round(self, n: int) -> FundingRound:
        # Never validated: an empty row of the table, which no project holds.
        return FundingRound.model_construct(
            id=f"(round {n + 1})",
            period=self.periods[0],
            investor="",
            amount=0.0,
            pre_money=None,
            tranche_per_gw=None,
            note="",
        )

    def _empty_contract(self, n: int) -> ComputeContract:
        year = int(self.periods[0][:4])
        return ComputeContract.model_construct(
            id=f"(contract {n + 1})",
            counterparty="",
            gw=0.0,
            total_value=0.0,
            first_year=year,
            last_year=year,
            service_years=1,
            custom_chip_share=0.0,
            note="",
        )

    # --- choosing ---------------------------------------------------------------------

    def choose(self, terms: Sequence[str]) -> str:
        return f"CHOOSE({self.number}," + ",".join(terms) + ")"

    def _write_header(self) -> None:
        super()._write_header()
        ws, s = self.ws, self.styles
        name = self.sheets.names[self.sheets.chosen]
        control = sheet_ref(CONTROL_SHEET) + cell_name(CHOICE_ROW, CHOICE_COL, absolute=True)
        title = f"{ACTIVE_SHEET}: "
        write_formula(ws, 0, COL_LABEL, f'"{title}"&{control}', s["title"], title + name)
        ws.write_string(
            1,
            COL_LABEL,
            f"The scenario chosen on the {CONTROL_SHEET} sheet: its inputs and event rows "
            "picked from its sheet, every calculation live. Rows a scenario lacks show zeros.",
            s["subtitle"],
        )
        legend = (("Picked", "link"), ("Formula", "calc"), ("", "calc"), ("", "calc"))
        for n, (text, style) in enumerate(legend):
            ws.write_string(0, self.col(0) + n, text, s[style])

    def _write_input(self, row: int, item: LineItem) -> None:
        assert item.inputs is not None
        self._label(row, item.label, item.unit, item.id)
        self._comment(row, COL_LABEL, item.note)
        rows = [plan.items[item.id] for plan in self.sheets.plans]

        def text(t: int) -> str:
            return self.choose(
                [ref + self.at(r, t) for ref, r in zip(self.refs, rows, strict=True)]
            )

        self._checked_row(row, item, text, self.styles.get("link", _format(item)))

    def _write_constant(self, row: int, item: LineItem) -> None:
        assert item.value is not None
        self._label(row, item.label, item.unit, item.id)
        self._comment(row, COL_LABEL, item.note)
        terms = [
            ref + cell_name(plan.constants[item.id], COL_VALUE, absolute=True)
            for ref, plan in zip(self.refs, self.sheets.plans, strict=True)
        ]
        text = self.choose(terms)
        check_formula(f"line item {item.id!r} on sheet {self.title!r}", text)
        write_formula(
            self.ws, row, COL_VALUE, text, self.styles.get("link", _format(item)), item.value
        )

    def _write_formula_row(self, row: int, item: LineItem) -> None:
        if item.id not in self.variants:
            super()._write_formula_row(row, item)
            return
        self._label(row, item.label, item.unit, item.id)
        style = self.styles.get("calc", _format(item))
        try:
            self._checked_row(row, item, functools.partial(self._variant_text, item.id), style)
        except (ExportError, FormulaError):
            # Too long for one cell: read each scenario sheet's own result instead.
            self.mirrored.add(item.id)
            self._checked_row(row, item, functools.partial(self._variant_text, item.id), style)
        self._comment(
            row,
            COL_LABEL,
            "The scenarios compute this row differently: it picks the chosen scenario's "
            + ("result from its sheet." if item.id in self.mirrored else "formula or inputs."),
        )

    def _variant_text(self, ident: str, t: int) -> str:
        terms = []
        for ref, plan, model in zip(self.refs, self.sheets.plans, self.models, strict=True):
            item = next(i for i in model.items if i.id == ident)
            if item.formula is None or ident in self.mirrored:
                if item.value is not None:
                    terms.append(ref + cell_name(plan.constants[ident], COL_VALUE, absolute=True))
                else:
                    terms.append(ref + self.at(plan.items[ident], t))
                continue
            terms.append(
                to_excel(
                    parse(item.formula, ident),
                    functools.partial(self._shifted_ref, t),
                    first_period=False,
                    group_members=functools.partial(_members, model.items, ident),
                    first_flag=self.first_flag(t),
                )
            )
        return self.choose(terms)

    def _checked_row(
        self, row: int, item: LineItem, text: Callable[[int], str], style: Any
    ) -> None:
        texts = self.period_texts(text)
        what = f"line item {item.id!r} on sheet {self.title!r}"
        for formula_text in {texts[0], max(texts, key=len)}:
            check_formula(what, formula_text)
        values = self.result.series(item.id)
        write_formula_row(self.ws, row, self.col(0), texts, style, cached_numbers(values))

    def _calculation_order(self) -> list[LineItem]:
        """Formula rows in an order valid for every scenario at once, the model's where free.

        When the scenarios' formulas read one another in a circle, the differing
        rows caught in it read each scenario sheet's result instead, which breaks it.
        """
        while True:
            order, stuck = self._order()
            caught = (stuck & self.variants) - self.mirrored
            if not caught:  # each scenario alone is acyclic, so nothing is ever left over
                rest = [i for i in self.resolved.items if i.id in stuck]
                return order + rest
            self.mirrored |= caught

    def _order(self) -> tuple[list[LineItem], set[str]]:
        """The rows in order, and those left over because they wait on one another."""
        items = [i for i in self.resolved.items if i.formula is not None]
        position = {item.id: n for n, item in enumerate(items)}
        waiting: dict[str, set[str]] = {item.id: set() for item in items}
        for model in self.models:
            same = dependencies(model.items).same_period
            for ident in waiting:
                if ident not in self.mirrored:
                    waiting[ident].update(d for d in same.get(ident, ()) if d in position)
        ordered = in_dependency_order(items, waiting)
        done = {item.id for item in ordered}
        return ordered, {i for i in waiting if i not in done}

    # --- event tables ---------------------------------------------------------------------

    def _plan_tables(self) -> None:
        ActiveTableRows(self).plan()

    def _comment(self, row: int, col: int, note: str) -> None:
        # An event row's note belongs to one scenario's row, not to whatever row n shows.
        tables = (*self.plan.round_rows.values(), *self.plan.contract_rows.values())
        if row not in tables:
            super()._comment(row, col, note)

    def event_label(self, row: int, table_row: int, name: str, what: str, unit: str) -> None:
        s = self.styles
        source = cell_name(table_row, COL_LABEL, absolute=True)
        text = f'{source}&": {what}"'
        write_formula(self.ws, row, COL_LABEL, text, s["label"], f"{name}: {what}")
        self.ws.write_string(row, COL_UNIT, unit, s["unit"])


class ActiveTableRows(TableRows):
    """The event tables of the Active sheet: each field picked from the chosen scenario's row."""

    sheet: ActiveSheet

    def _table_cells(
        self, row: int, row_id: str, cells: Sequence[tuple[int, str | float | None, str]]
    ) -> None:
        sheet = self.sheet
        is_round = row_id in sheet.round_slots
        sources = (sheet.round_slots if is_round else sheet.contract_slots)[row_id]
        shown = "" if row_id.startswith("(") else row_id
        for col, value, fmt in [*cells, (COL_ID, shown, "@")]:
            terms = []
            optional = is_round and col - COL_VALUE in OPTIONAL_ROUND_FIELDS
            for ref, source in zip(sheet.refs, sources, strict=True):
                if source is None:
                    terms.append(self._empty_field(col, is_round))
                    continue
                cell = ref + cell_name(source, col, absolute=True)
                terms.append(f'IF(ISNUMBER({cell}),{cell},"")' if optional else cell)
            style = self.styles["ident"] if col == COL_ID else self.styles.get("link", fmt)
            cached: float | str = "" if value is None else value
            text = sheet.choose(terms)
            check_formula(f"event row {row_id!r} on sheet {sheet.title!r}", text)
            write_formula(self.ws, row, col, text, style, cached)

    def _empty_field(self, col: int, is_round: bool) -> str:
        """What a field shows in a row the scenario lacks: nothing, zero, or a harmless date."""
        field = col - COL_VALUE
        if col in (COL_LABEL, COL_ID):
            return '""'
        if is_round:
            if field == 0:  # the period: the first one, so that MATCH finds it
                return cell_name(HEADER_ROW, FIRST_PERIOD_COL, absolute=True)
            return "0" if field == 1 else '""'
        if field in (2, 3):  # first and last year of delivery
            return str(int(self.periods[0][:4]))
        return "1" if field == 5 else "0"  # one year in service avoids a division by zero


def _format(item: LineItem) -> str:
    return number_format(item.unit)


def _members(items: Sequence[LineItem], exclude: str, group: str) -> list[str]:
    return group_members(items, group, exclude)
