"""The event tables' per-period expansion as live formulas.

The formulas reproduce :mod:`planner.schedules` exactly: a contract delivers
its GW evenly over its n delivery periods, and each delivery is paid evenly
over its L periods in service, so the k-th period since the first delivery
pays (min(k, n) - max(1, k - L + 1) + 1) / (n L) of the value; a round pays
its amount in its period, or ``tranche_per_gw`` per GW delivered from its
period on, up to its amount; each priced payment dilutes existing holders by
paid / (pre-money + paid).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from planner.io.workbook_layout import COL_VALUE, DELIVERY_PERIODS_FIELD, cell_name
from planner.model import EVENT_SERIES, ComputeContract, FundingRound
from planner.schedules import contract_schedule, round_payments

if TYPE_CHECKING:
    from planner.io.workbook_sheet import ScenarioSheet


def _field(row: int, offset: int) -> str:
    """A field of an event table row, column fixed: $E12."""
    return "$" + cell_name(row, COL_VALUE + offset)


class EventRows:
    """Plans and writes the expansion rows and the six event series of one sheet."""

    def __init__(self, sheet: ScenarioSheet) -> None:
        self.sheet = sheet
        self.since: dict[str, int] = {}
        self.delivered: dict[str, int] = {}
        self.payments: dict[str, int] = {}
        self.gw_since: dict[str, int] = {}
        self.cash: dict[str, int] = {}
        self.kept: dict[str, int] = {}

    def plan(self) -> None:
        sheet = self.sheet
        contracts = sheet.resolved.compute_contracts
        rounds = sheet.resolved.funding_rounds
        if contracts:
            sheet._section("Compute contracts, per period", "group")
            for c in contracts:
                self.since[c.id] = sheet._take(self._write_since, c)
            for c in contracts:
                self.delivered[c.id] = sheet._take(self._write_delivered, c)
            for c in contracts:
                self.payments[c.id] = sheet._take(self._write_payment, c)
        if rounds:
            sheet._section("Funding rounds, per period", "group")
            for r in rounds:
                self.gw_since[r.id] = sheet._take(self._write_gw_since, r)
            for r in rounds:
                self.cash[r.id] = sheet._take(self._write_cash, r)
            for r in rounds:
                self.kept[r.id] = sheet._take(self._write_kept, r)
        sheet._section("Event series", "group")
        for name in EVENT_SERIES:
            sheet.plan.items[name] = sheet._take(self._write_series, name)

    # --- contracts ------------------------------------------------------------------

    def _write_since(self, row: int, contract: ComputeContract) -> None:
        """k, the number of the period within the contract's deliveries: 1 in the first."""
        s = self.sheet
        table_row = s.plan.contract_rows[contract.id]
        s.event_label(row, table_row, contract.counterparty, "delivery period no.", "no.")
        years, per_year, index = (
            s.series_of_timeline(name) for name in ("year", "periods_per_year", "period_in_year")
        )
        values = (years - contract.first_year) * per_year + index

        def text(t: int) -> str:
            year, first = s.tl("year", t), _field(table_row, 2)
            return f"({year}-{first})*{s.tl('periods_per_year', t)}+{s.tl('period_in_year', t)}"

        s.formula_row(row, text, values, s.styles.get("calc", "0"))

    def _write_delivered(self, row: int, contract: ComputeContract) -> None:
        s = self.sheet
        table_row = s.plan.contract_rows[contract.id]
        s.event_label(row, table_row, contract.counterparty, "GW delivered", "GW")
        delivered, _ = contract_schedule(contract, s.periods)
        n = _field(table_row, DELIVERY_PERIODS_FIELD)

        def text(t: int) -> str:
            k = s.at(self.since[contract.id], t)
            return f"IF(AND({k}>=1,{k}<={n}),{_field(table_row, 0)}/{n},0)"

        s.formula_row(row, text, contract.gw * delivered, s.styles.get("calc", "#,##0.00"))

    def _write_payment(self, row: int, contract: ComputeContract) -> None:
        s = self.sheet
        table_row = s.plan.contract_rows[contract.id]
        s.event_label(row, table_row, contract.counterparty, "payment due", "$B")
        _, paid = contract_schedule(contract, s.periods)
        n = _field(table_row, DELIVERY_PERIODS_FIELD)

        def text(t: int) -> str:
            k = s.at(self.since[contract.id], t)
            service = f"{_field(table_row, 5)}*{s.tl('periods_per_year', t)}"
            in_service = f"MAX(0,MIN({k},{n})-MAX(1,{k}-{service}+1)+1)"
            return f"IF({k}>=1,{_field(table_row, 1)}*{in_service}/({n}*{service}),0)"

        s.formula_row(row, text, contract.total_value * paid, s.styles.get("calc", "#,##0.0"))

    # --- rounds ----------------------------------------------------------------------

    def _write_gw_since(self, row: int, funding_round: FundingRound) -> None:
        s = self.sheet
        table_row = s.plan.round_rows[funding_round.id]
        what = "GW delivered since the round"
        s.event_label(row, table_row, funding_round.investor, what, "GW")
        gw = s.series("contracted_gw")
        start = s.periods.index(funding_round.period)
        values = np.zeros(s.n)
        values[start:] = np.cumsum(gw[start:])
        number = _field(table_row, 4)

        def text(t: int) -> str:
            delivered = s.at(s.plan.items["contracted_gw"], t)
            running = s.opening_or(t, "0", s.at(row, t - 1)) + f"+{delivered}"
            return f"IF({s.tl('period_number', t)}>={number},{running},0)"

        s.formula_row(row, text, values, s.styles.get("calc", "#,##0.00"))

    def _write_cash(self, row: int, funding_round: FundingRound) -> None:
        s = self.sheet
        table_row = s.plan.round_rows[funding_round.id]
        s.event_label(row, table_row, funding_round.investor, "cash paid", "$B")
        paid = round_payments(funding_round, s.periods, s.series("contracted_gw"))
        amount, tranche, number = (_field(table_row, n) for n in (1, 3, 4))
        since = self.gw_since[funding_round.id]

        def text(t: int) -> str:
            before = f"{tranche}*" + s.opening_or(t, "0", s.at(since, t - 1))
            tranche_paid = f"MIN({amount},{tranche}*{s.at(since, t)})-MIN({amount},{before})"
            in_period = f"IF({s.tl('period_number', t)}={number},{amount},0)"
            return f"IF(ISNUMBER({tranche}),{tranche_paid},{in_period})"

        s.formula_row(row, text, paid, s.styles.get("calc", "#,##0.0"))

    def _write_kept(self, row: int, funding_round: FundingRound) -> None:
        s = self.sheet
        table_row = s.plan.round_rows[funding_round.id]
        s.event_label(row, table_row, funding_round.investor, "share holders keep", "%")
        paid = round_payments(funding_round, s.periods, s.series("contracted_gw"))
        pre = _field(table_row, 2)

        def text(t: int) -> str:
            cash = s.at(self.cash[funding_round.id], t)
            return f"IF(ISNUMBER({pre}),1-{cash}/({pre}+{cash}),1)"

        if funding_round.pre_money is None:
            values = [1.0] * s.n
        else:
            values = [1.0 - float(p) / (funding_round.pre_money + float(p)) for p in paid]
        s.formula_row(row, text, values, s.styles.get("calc", "0.00%"))

    # --- the six series ----------------------------------------------------------------

    def _write_series(self, row: int, name: str) -> None:
        s = self.sheet
        label, unit = EVENT_SERIES[name]
        s._label(row, label, unit, name)
        contract_rows = [s.plan.contract_rows[c] for c in self.delivered]
        s.formula_row(
            row,
            lambda t: self._series_formula(name, t, contract_rows),
            s.series(name),
            s.styles.get("calc", "0.00%" if unit == "%" else "#,##0.00"),
        )

    def _series_formula(self, name: str, t: int, contract_rows: list[int]) -> str:
        s = self.sheet
        blocks = {
            "contracted_gw": self.delivered,
            "contracted_custom_gw": self.delivered,
            "committed_spend": self.payments,
            "committed_custom_spend": self.payments,
            "round_funding": self.cash,
            "round_share_kept": self.kept,
        }
        rows = list(blocks[name].values())
        if not rows:
            return "1" if name == "round_share_kept" else "0"
        column = f"{s.at(rows[0], t)}:{s.at(rows[-1], t)}"
        if name in ("contracted_custom_gw", "committed_custom_spend"):
            shares = f"{_field(contract_rows[0], 4)}:{_field(contract_rows[-1], 4)}"
            return f"SUMPRODUCT({column},{shares})"
        if name == "round_share_kept":
            return f"PRODUCT({column})"
        return f"SUM({column})"
