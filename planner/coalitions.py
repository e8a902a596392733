"""The game behind an attribution: the KPI of scenario A with any set of B's changes applied.

Each line item, funding round and compute contract that differs from A to B
is one group of changes. Coalitions are evaluated many at a time: groups that
only change inputs, single values or event rows become rows of the engine's
(samples, periods) arrays; only groups that change formulas need a model of
their own, so the coalitions are grouped by their formula changes.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final, Literal, TypeVar

import numpy as np
import numpy.typing as npt

from planner.compiled import Array
from planner.engine import Result, evaluate_resolved
from planner.formula import FormulaError
from planner.kpis import KPI_LABELS, cash_zero_month, reference_year_span
from planner.model import (
    ComputeContract,
    FundingRound,
    LineItem,
    period_months,
    period_year,
)
from planner.scenarios import ResolvedScenario
from planner.schedules import expand_events

# Cells evaluated per engine call: a bound on memory for large models and many coalitions.
_CELLS_PER_CALL: Final = 8_000_000

Membership = npt.NDArray[np.bool_]
Row = TypeVar("Row", FundingRound, ComputeContract)
Progress = Callable[[int, int], None]


class AttributionError(ValueError):
    """A question the attribution cannot answer; the message says why and what would do."""


@dataclass(frozen=True)
class ChangeGroup:
    """The changes from A to B to one line item, funding round or compute contract."""

    key: str  # "item_id", "round:ROW_ID" or "contract:ROW_ID"
    label: str
    kind: Literal["item", "round", "contract"]
    structural: bool  # changes a formula: needs a model of its own


class Coalitions:
    """The KPI of A with any set of groups of B's changes applied, many at a time."""

    def __init__(self, a: ResolvedScenario, b: ResolvedScenario, kpi: str) -> None:
        self.a, self.b, self.kpi = a, b, kpi
        self.periods = a.periods
        self.groups: list[ChangeGroup] = []
        self._items: list[tuple[int, int]] = []  # (group, index of the item)
        self._rounds: dict[int, tuple[FundingRound | None, FundingRound | None]] = {}
        self._contracts: dict[int, tuple[ComputeContract | None, ComputeContract | None]] = {}
        self._find_groups()
        self.evaluated = 0
        self.engine_calls = 0
        self._censored = 0
        self.progress: Progress | None = None
        self._ends_checked = False

    def _find_groups(self) -> None:
        for index, (old, new) in enumerate(zip(self.a.items, self.b.items, strict=True)):
            if old != new:
                self._items.append((len(self.groups), index))
                structural = old.formula is not None or new.formula is not None
                self.groups.append(ChangeGroup(old.id, _item_label(old, new), "item", structural))
        for old_r, new_r in _row_pairs(self.a.funding_rounds, self.b.funding_rounds):
            known_r = old_r or new_r
            assert known_r is not None
            self._rounds[len(self.groups)] = (old_r, new_r)
            name = f"Funding round: {known_r.investor}, {known_r.period}"
            label = _row_label(name, old_r, new_r)
            self.groups.append(ChangeGroup(f"round:{known_r.id}", label, "round", False))
        for old_c, new_c in _row_pairs(self.a.compute_contracts, self.b.compute_contracts):
            known_c = old_c or new_c
            assert known_c is not None
            self._contracts[len(self.groups)] = (old_c, new_c)
            label = _row_label(f"Compute contract: {known_c.counterparty}", old_c, new_c)
            self.groups.append(ChangeGroup(f"contract:{known_c.id}", label, "contract", False))

    # --- evaluation ---------------------------------------------------------

    def values(self, membership: Membership) -> Array:
        """The KPI of each coalition, one row of ``membership`` (groups of B applied) each."""
        out = np.empty(len(membership))
        done = 0
        structural = [i for i, g in enumerate(self.groups) if g.structural]
        keys, inverse = np.unique(membership[:, structural], axis=0, return_inverse=True)
        inverse = inverse.reshape(-1)
        for k, key in enumerate(keys):
            rows = np.flatnonzero(inverse == k)
            resolved = self._resolution(dict(zip(structural, key.tolist(), strict=True)))
            per_call = max(1, _CELLS_PER_CALL // (len(self.periods) * (len(resolved.items) + 6)))
            for start in range(0, len(rows), per_call):
                chunk = rows[start : start + per_call]
                out[chunk] = self._evaluate(resolved, membership[chunk])
                done += len(chunk)
                if self.progress is not None:
                    self.progress(done, len(membership))
        self.evaluated += len(membership)
        if self._ends_checked and not np.isfinite(out).all():
            raise AttributionError(
                f"{KPI_LABELS[self.kpi][0]} has no value for some mixes of {self.a.name!r} and "
                f"{self.b.name!r} (no priced round, or no revenue in the reference year), so "
                "it cannot be split"
            )
        return out

    def _resolution(self, applied: dict[int, bool]) -> ResolvedScenario:
        items = list(self.a.items)
        for group, index in self._items:
            if applied.get(group, False):
                items[index] = self.b.items[index]
        return ResolvedScenario(
            name=f"{self.a.name} -> {self.b.name}",
            periods=self.periods,
            items=tuple(items),
            funding_rounds=self.a.funding_rounds,
            compute_contracts=self.a.compute_contracts,
            reference_period=self.a.reference_period,
        )

    def _evaluate(self, resolved: ResolvedScenario, membership: Membership) -> Array:
        overrides: dict[str, Array] = {}
        for group, index in self._items:
            if self.groups[group].structural:
                continue
            old, new = _input_row(self.a.items[index]), _input_row(self.b.items[index])
            overrides[self.a.items[index].id] = np.where(membership[:, group, None], new, old)
        row_groups = [*self._rounds, *self._contracts]
        row_keys, row_of = np.unique(membership[:, row_groups], axis=0, return_inverse=True)
        row_of = row_of.reshape(-1)
        tables = [self._rows(dict(zip(row_groups, key.tolist(), strict=True))) for key in row_keys]
        if row_groups:
            events = [
                expand_events(self.periods, rounds, contracts) for rounds, contracts in tables
            ]
            for name in events[0]:
                overrides[name] = np.stack([e[name] for e in events])[row_of]
        try:
            result = evaluate_resolved(resolved, overrides or None)
        except FormulaError as exc:
            raise AttributionError(
                f"a mix of {self.a.name!r} and {self.b.name!r} cannot be evaluated: {exc}"
            ) from None
        self.engine_calls += 1
        if result.samples != len(membership):
            result.values = {
                k: np.broadcast_to(v, (len(membership), v.shape[1]))
                for k, v in result.values.items()
            }
        return self._kpi(result, [tables[i] for i in row_of])

    def _rows(
        self, applied: dict[int, bool]
    ) -> tuple[tuple[FundingRound, ...], tuple[ComputeContract, ...]]:
        rounds = _mixed_rows(self.a.funding_rounds, self._rounds, applied)
        contracts = _mixed_rows(self.a.compute_contracts, self._contracts, applied)
        return rounds, contracts

    # --- the KPI as a number ------------------------------------------------

    def _kpi(
        self,
        result: Result,
        tables: Sequence[tuple[tuple[FundingRound, ...], tuple[ComputeContract, ...]]],
    ) -> Array:
        values = result.values
        burn = values["burn"]
        kpi = self.kpi
        if kpi == "cumulative_burn":
            return np.asarray(burn.sum(axis=1), dtype=np.float64)
        if kpi == "total_raised":
            return np.asarray(values["funding"].sum(axis=1), dtype=np.float64)
        if kpi == "peak_funding_need":
            return np.asarray(
                np.maximum(0.0, np.cumsum(burn, axis=1).max(axis=1)), dtype=np.float64
            )
        if kpi == "breakeven_year":
            return self._breakeven(burn)
        if kpi == "cash_zero":
            return self._cash_zero(values["cash"], burn, values["funding"])
        commitments = np.array([sum(c.total_value for c in t[1]) for t in tables], dtype=float)
        if kpi == "commitments_total":
            return commitments
        if kpi == "last_post_money":
            return np.array([_last_post_money(t[0], self.periods) for t in tables], dtype=float)
        span = reference_year_span(self.periods, self.a.reference_period)
        revenue = values["revenue"][:, span.start : span.stop].sum(axis=1)
        with np.errstate(all="ignore"):
            return np.where(revenue > 0, commitments / revenue, np.nan)

    def _breakeven(self, burn: Array) -> Array:
        """Sustained break-even year as a number; the year after the horizon when never."""
        losing = burn > 0
        last_losing = losing.shape[1] - 1 - np.argmax(losing[:, ::-1], axis=1)
        years = np.array([period_year(p) for p in self.periods] + [_NEVER], dtype=float)
        after = np.where(losing.any(axis=1), last_losing + 1, 0)
        return self._censor(years[after])

    def _cash_zero(self, cash: Array, burn: Array, funding: Array) -> Array:
        out = np.full(len(cash), float(_NEVER))
        for s in np.flatnonzero((cash < 0).any(axis=1)):
            month = cash_zero_month(self.periods, cash[s], burn[s], funding[s])
            assert month is not None
            out[s] = self._month_number(month)
        return self._censor(out)

    def _month_number(self, month: str) -> float:
        """Months from the start of the horizon to the start of ``month`` ("YYYY-MM")."""
        first = self.periods[0]
        first_month = 1 if "-Q" not in first else 3 * (int(first[-1]) - 1) + 1
        return float((int(month[:4]) - period_year(first)) * 12 + int(month[5:7]) - first_month)

    def _censor(self, values: Array) -> Array:
        """ "Never" counts as the first step after the horizon; the count goes in the note."""
        never = values == _NEVER
        self._censored += int(never.sum())
        after = self._after_horizon()
        return np.where(never, after, values)

    def _after_horizon(self) -> float:
        last = self.periods[-1]
        if self.kpi == "breakeven_year":
            return float(period_year(last) + 1)
        return self._month_number(f"{period_year(last) + 1:04d}-01")

    # --- checks and notes ---------------------------------------------------

    def check_ends(self, from_name: str, to_name: str) -> tuple[float, float]:
        """The KPI in A and in B; refused where it is not a number in one of them."""
        ends = self.values(np.array([[False] * len(self.groups), [True] * len(self.groups)]))
        never_count, self._censored = self._censored, 0
        label = KPI_LABELS[self.kpi][0]
        if self.kpi in ("cash_zero", "breakeven_year") and never_count:
            what = "cash never runs out" if self.kpi == "cash_zero" else "it never breaks even"
            after = self._after_horizon()
            in_a = bool(ends[0] == after)
            in_b = bool(ends[1] == after)
            where = (
                f"in both {from_name!r} and {to_name!r}"
                if in_a and in_b
                else f"in {(from_name if in_a else to_name)!r}"
            )
            raise AttributionError(
                f"{label}: {what} {where} within the horizon, so there is no date to "
                "compare; explain peak_funding_need or cumulative_burn instead"
            )
        for name, value in ((from_name, ends[0]), (to_name, ends[1])):
            if not np.isfinite(value):
                raise AttributionError(
                    f"{label} has no value in {name!r} (no priced round, or no revenue in the "
                    "reference year), so it cannot be split"
                )
        self._ends_checked = True
        return float(ends[0]), float(ends[1])

    def note(self) -> str:
        if self.kpi == "cash_zero":
            text = f"Cash runs out is counted in months from the start of {self.periods[0]}"
        elif self.kpi == "breakeven_year":
            text = "Break-even year is counted as a number, so parts are in years"
        else:
            return ""
        if self._censored:
            text += (
                f"; {self._censored} mixes of the two scenarios never get there within the "
                "horizon and count as the first month (or year) after it"
            )
        return text + "."


_NEVER: Final = -(10**9)


def first_month(period: str) -> int:
    """The horizon's first month counted from year 0 (year * 12 + month - 1)."""
    return period_year(period) * 12 + period_months(period)[0] - 1


def _input_row(item: LineItem) -> Array:
    if item.inputs is not None:
        return np.asarray(item.inputs, dtype=np.float64)
    return np.asarray(item.value, dtype=np.float64)


def _item_label(old: LineItem, new: LineItem) -> str:
    if old.formula != new.formula:
        return f"{new.label} (formula)"
    return new.label


def _row_label(
    name: str,
    old: FundingRound | ComputeContract | None,
    new: FundingRound | ComputeContract | None,
) -> str:
    if new is None:
        return f"{name} (removed)"
    if old is None:
        return f"{name} (added)"
    if old.model_copy(update={"note": new.note}) == new:
        return f"{name} (note only)"
    return name


def _row_pairs(old: Sequence[Row], new: Sequence[Row]) -> list[tuple[Row | None, Row | None]]:
    """Rows that differ from A to B (changed, removed or added), A's order, then B's additions."""
    before: dict[str, Row] = {row.id: row for row in old}
    after: dict[str, Row] = {row.id: row for row in new}
    ids = [*before, *(i for i in after if i not in before)]
    return [(before.get(i), after.get(i)) for i in ids if before.get(i) != after.get(i)]


def _mixed_rows(
    base: Sequence[Row],
    groups: dict[int, tuple[Row | None, Row | None]],
    applied: dict[int, bool],
) -> tuple[Row, ...]:
    """A's rows with the groups in ``applied`` taken from B (changed, removed or added)."""
    chosen: dict[str, Row | None] = {}
    for group, (old, new) in groups.items():
        known = old or new
        assert known is not None
        chosen[known.id] = new if applied.get(group, False) else old
    rows = [chosen.get(row.id, row) if row.id in chosen else row for row in base]
    base_ids = {row.id for row in base}
    rows.extend(row for row_id, row in chosen.items() if row_id not in base_ids)
    return tuple(row for row in rows if row is not None)


def _last_post_money(rounds: Sequence[FundingRound], periods: tuple[str, ...]) -> float:
    priced = [r for r in rounds if r.period in periods and r.pre_money is not None]
    priced.sort(key=lambda r: periods.index(r.period))
    post = priced[-1].post_money if priced else None
    return math.nan if post is None else post
