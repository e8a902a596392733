"""The event tables on a scenario sheet: funding rounds and compute contracts as input rows.

On a scenario sheet, a row the scenario does not override links each field to
the base sheet's row, so editing the base in a spreadsheet flows through as it
does in the planner; the scenario's own rows are values marked as overrides.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from planner.io.workbook_layout import (
    COL_ID,
    COL_LABEL,
    COL_UNIT,
    COL_VALUE,
    CONTRACT_FIELDS,
    DELIVERY_PERIODS_FIELD,
    FIRST_PERIOD_COL,
    HEADER_ROW,
    LATEST_POST_MONEY_FIELD,
    ROUND_FIELDS,
    cell_name,
    sheet_ref,
)
from planner.io.workbook_sheet import cached_value
from planner.io.workbook_styles import LINE_HEIGHT
from planner.io.workbook_write import write_formula, write_text
from planner.model import ComputeContract, FundingRound
from planner.schedules import periods_per_year

if TYPE_CHECKING:
    from planner.io.workbook_sheet import ScenarioSheet


class TableRows:
    """Plans and writes the two event tables of one scenario sheet."""

    def __init__(self, sheet: ScenarioSheet) -> None:
        self.sheet = sheet
        self.ws = sheet.ws
        self.styles = sheet.styles
        self.scenario = sheet.scenario
        self.links = sheet.links
        self.periods = sheet.periods

    def plan(self) -> None:
        sheet = self.sheet
        sheet._take(self._write_table_header, "Funding rounds", ROUND_FIELDS)
        latest: float | str = ""
        for funding_round in sheet.resolved.funding_rounds:
            latest = self._latest_post_money(funding_round, latest)
            sheet.plan.round_rows[funding_round.id] = sheet._take(
                self._write_round, funding_round, latest
            )
        sheet.plan.spare_rows["round"] = sheet._gap()
        sheet._take(self._write_table_header, "Compute contracts", CONTRACT_FIELDS)
        for contract in sheet.resolved.compute_contracts:
            sheet.plan.contract_rows[contract.id] = sheet._take(self._write_contract, contract)
        sheet.plan.spare_rows["contract"] = sheet._gap()

    def _write_table_header(self, row: int, title: str, fields: Sequence[tuple[str, str]]) -> None:
        s = self.styles
        # Two lines, so that long field names wrap rather than run into their neighbours.
        self.ws.set_row(row, 2 * LINE_HEIGHT)
        self.ws.write_string(row, COL_LABEL, title, s["section"])
        self.ws.write_string(row, COL_UNIT, "", s["header"])
        self.ws.write_string(row, COL_ID, "Id", s["header"])
        for n, (_, text) in enumerate(fields):
            self.ws.write_string(row, COL_VALUE + n, text, s["table_header"])

    def _row_style(self, row_id: str) -> str:
        if self.scenario is None:
            return "input"
        overridden = (
            row_id in self.scenario.funding_rounds or row_id in self.scenario.compute_contracts
        )
        return "override" if overridden else "input"

    def _table_cells(
        self, row: int, row_id: str, cells: Sequence[tuple[int, str | float | None, str]]
    ) -> None:
        """Fields of an event table row: the scenario's own values, or links to the base's row."""
        s, ws = self.styles, self.ws
        style = self._row_style(row_id)
        base_row = None if self.links is None else self.links.table_rows.get(row_id)
        for col, value, fmt in cells:
            if base_row is not None and style == "input":
                source = sheet_ref(self.links.sheet if self.links else "") + cell_name(
                    base_row, col, absolute=True
                )
                text = f'IF(ISBLANK({source}),"",{source})' if col > COL_VALUE else source
                cached = cached_value("" if value is None else value)
                write_formula(ws, row, col, text, s.get("link", fmt), cached)
            elif isinstance(value, str):
                write_text(ws, row, col, value, s[style + "_text"])
            elif value is None:
                ws.write_blank(row, col, None, s.get(style, fmt))
            else:
                ws.write_number(row, col, value, s.get(style, fmt))

    def _priced_period_number(self, funding_round: FundingRound) -> float:
        if funding_round.pre_money is None:
            return 0.0
        return float(self.periods.index(funding_round.period) + 1)

    def _latest_post_money(self, funding_round: FundingRound, before: float | str) -> float | str:
        """What the running column shows on this round's row, as the formula computes it."""
        number = self._priced_period_number(funding_round)
        earlier = [
            self._priced_period_number(r)
            for r in self.sheet.resolved.funding_rounds[
                : self.sheet.resolved.funding_rounds.index(funding_round)
            ]
        ]
        if number > 0 and number >= max(earlier, default=0.0):
            assert funding_round.post_money is not None
            return funding_round.post_money
        return before

    def _write_round(self, row: int, funding_round: FundingRound, latest: float | str) -> None:
        s, ws = self.styles, self.ws
        ws.write_string(row, COL_UNIT, "$B", s["unit"])
        write_text(ws, row, COL_ID, funding_round.id, s["ident"])
        money = "#,##0.0"
        cells = (
            (COL_LABEL, funding_round.investor, "@"),
            (COL_VALUE, funding_round.period, "@"),
            (COL_VALUE + 1, funding_round.amount, money),
            (COL_VALUE + 2, funding_round.pre_money, money),
            (COL_VALUE + 3, funding_round.tranche_per_gw, money),
        )
        self._table_cells(row, funding_round.id, cells)
        self.sheet._comment(row, COL_LABEL, funding_round.note)
        labels = self.sheet.span(HEADER_ROW)
        period_cell = cell_name(row, COL_VALUE)
        write_formula(
            ws,
            row,
            COL_VALUE + 4,
            f"MATCH({period_cell},{labels},0)",
            s.get("calc", "0"),
            float(self.periods.index(funding_round.period) + 1),
        )
        pre, amount = cell_name(row, COL_VALUE + 2), cell_name(row, COL_VALUE + 1)
        post = funding_round.post_money
        write_formula(
            ws,
            row,
            COL_VALUE + 5,
            f'IF(ISNUMBER({pre}),{pre}+{amount},"")',
            s.get("calc", money),
            "" if post is None else post,
        )
        self._write_latest_post_money(row, funding_round, latest)

    def _write_latest_post_money(
        self, row: int, funding_round: FundingRound, latest: float | str
    ) -> None:
        """Carry the post-money of the latest priced round down the table, without arrays.

        A priced round takes over unless an earlier row is priced in a later period;
        of two in the same period the lower row wins, as the engine's last round.
        """
        s, ws = self.styles, self.ws
        pre, number = cell_name(row, COL_VALUE + 2), cell_name(row, COL_VALUE + 4)
        post = cell_name(row, COL_VALUE + 5)
        first = min(self.sheet.plan.round_rows.values(), default=row)
        if row == first:
            text = f'IF(ISNUMBER({pre}),{post},"")'
        else:
            earlier_numbers = (
                cell_name(first, COL_VALUE + 4, absolute=True)
                + ":"
                + cell_name(row - 1, COL_VALUE + 4)
            )
            earlier_pres = (
                cell_name(first, COL_VALUE + 2, absolute=True)
                + ":"
                + cell_name(row - 1, COL_VALUE + 2)
            )
            later_priced = f'COUNTIFS({earlier_numbers},">"&{number},{earlier_pres},">0")'
            before = cell_name(row - 1, COL_VALUE + LATEST_POST_MONEY_FIELD)
            text = f"IF(AND(ISNUMBER({pre}),{later_priced}=0),{post},{before})"
        write_formula(
            ws, row, COL_VALUE + LATEST_POST_MONEY_FIELD, text, s.get("calc", "#,##0.0"), latest
        )

    def _write_contract(self, row: int, contract: ComputeContract) -> None:
        s, ws = self.styles, self.ws
        ws.write_string(row, COL_UNIT, "", s["unit"])
        write_text(ws, row, COL_ID, contract.id, s["ident"])
        cells = (
            (COL_LABEL, contract.counterparty, "@"),
            (COL_VALUE, contract.gw, "#,##0.00"),
            (COL_VALUE + 1, contract.total_value, "#,##0.0"),
            (COL_VALUE + 2, float(contract.first_year), "0"),
            (COL_VALUE + 3, float(contract.last_year), "0"),
            (COL_VALUE + 4, contract.custom_chip_share, "0%"),
            (COL_VALUE + 5, float(contract.service_years), "0"),
        )
        self._table_cells(row, contract.id, cells)
        self.sheet._comment(row, COL_LABEL, contract.note)
        # Worked out once here rather than in every period's delivery and payment formula.
        first, last = cell_name(row, COL_VALUE + 2), cell_name(row, COL_VALUE + 3)
        timeline = self.sheet.plan.timeline["periods_per_year"]
        per_year = cell_name(timeline, FIRST_PERIOD_COL, absolute=True)
        periods = (contract.last_year - contract.first_year + 1) * periods_per_year(self.periods[0])
        write_formula(
            ws,
            row,
            COL_VALUE + DELIVERY_PERIODS_FIELD,
            f"({last}-{first}+1)*{per_year}",
            s.get("calc", "0"),
            float(periods),
        )
