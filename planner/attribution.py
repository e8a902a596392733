"""Why two scenarios differ: a KPI's difference split among the groups of changes.

Going from scenario A to scenario B changes some line items (inputs, single
values, formulas), some funding rounds and some compute contracts. Each line
item, round and contract that differs is one group. The difference
KPI(B) - KPI(A) is split among the groups by their Shapley values: each
group's part is its average effect over every order of applying the groups,
so no order is favoured and the parts add up to the difference. With few
groups every coalition is evaluated (exact); with many, orderings are sampled,
each ordering's effects adding up to the difference, so the estimate adds up too.

Coalitions are evaluated many at a time: groups that only change inputs,
single values or event rows become rows of the engine's (samples, periods)
arrays; only groups that change formulas need a model of their own.
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
from planner.kpis import KPI_LABELS, cash_zero_month
from planner.model import (
    ComputeContract,
    FundingRound,
    LineItem,
    Project,
    period_months,
    period_year,
)
from planner.scenarios import ResolvedScenario, resolve
from planner.schedules import expand_events

MAX_EXACT_GROUPS: Final = 12  # 4,096 coalitions
DEFAULT_ORDERINGS: Final = 400
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


@dataclass(frozen=True)
class Part:
    group: str
    label: str
    value: float
    error: float  # standard error of a sampled estimate; 0 when exact


@dataclass(frozen=True)
class Attribution:
    """KPI(B) - KPI(A) split into parts, largest first."""

    from_name: str
    to_name: str
    kpi: str
    unit: str
    value_from: float
    value_to: float
    parts: tuple[Part, ...]
    method: Literal["exact", "sampled"]
    error: float  # the largest standard error of a part
    note: str  # how a date KPI was made a number, and any convention used
    coalitions: int
    engine_calls: int
    orderings: int  # sampled orderings; 0 when exact
    first_period: str

    def level_text(self, value: float) -> str:
        """A value of the KPI itself (not a part): a date KPI reads as its month or year."""
        if self.unit == "years":
            return f"{value:.0f}"
        if self.unit == "months":
            start = _first_month(self.first_period)
            month = start + round(value)
            return f"{month // 12:04d}-{month % 12 + 1:02d} (month {value:.0f})"
        return format_amount(self.unit, value)

    @property
    def method_text(self) -> str:
        """How the parts were found, in a sentence an analyst can quote."""
        count = len(self.parts)
        groups = f"{count} change{'s' if count != 1 else ''}"
        if self.method == "exact":
            return (
                f"Exact Shapley values over {groups}: each change's average effect over "
                "every order of applying them"
            )
        return (
            f"Shapley values over {groups} estimated from {self.orderings:,} sampled orders "
            f"(seeded); standard error at most {format_error(self.unit, self.error)}"
        )

    @property
    def difference(self) -> float:
        return self.value_to - self.value_from

    def as_json(self) -> dict[str, object]:
        return {
            "from": self.from_name,
            "to": self.to_name,
            "kpi": self.kpi,
            "value_from": self.value_from,
            "value_to": self.value_to,
            "parts": [{"group": p.group, "label": p.label, "value": p.value} for p in self.parts],
            "method": self.method,
            "error": self.error,
            "unit": self.unit,
            "note": self.note,
        }


def kpi_unit(kpi: str) -> str:
    """The unit a KPI's parts are given in: dates become months or years."""
    return {"cash_zero": "months", "breakeven_year": "years"}.get(kpi, KPI_LABELS[kpi][1])


def _coalitions(project: Project, from_name: str, to_name: str, kpi: str) -> Coalitions:
    if kpi not in KPI_LABELS:
        raise AttributionError(f"no KPI named {kpi!r}; the KPIs are {', '.join(KPI_LABELS)}")
    for name in (from_name, to_name):
        if name not in project.scenario_names:
            known = ", ".join(repr(n) for n in project.scenario_names)
            raise AttributionError(f"no scenario named {name!r}; the project has {known}")
    return Coalitions(resolve(project, from_name), resolve(project, to_name), kpi)


def explain_cells(
    project: Project,
    from_name: str,
    to_name: str,
    *,
    max_exact_groups: int = MAX_EXACT_GROUPS,
    orderings: int = DEFAULT_ORDERINGS,
) -> int:
    """About how many cells :func:`explain` evaluates: a measure of how long it takes."""
    coalitions = _coalitions(project, from_name, to_name, "cumulative_burn")
    n = len(coalitions.groups)
    count = 2**n if n <= max_exact_groups else orderings * (n + 1)
    return (count + 2) * len(project.periods) * (len(project.items) + 6)


def format_amount(unit: str, value: float, *, signed: bool = False) -> str:
    """A value or part in its unit: "$1,088B", "+$42.5B", "-3.0 months", "1.2x"; a part of
    exactly zero reads "no effect", so that it is not taken for a small one rounded away."""
    if signed and value == 0:
        return "no effect"
    sign = "-" if value < 0 else "+" if signed and value > 0 else ""
    size = abs(value)
    if unit == "$B":
        return f"{sign}${size:,.0f}B" if size >= 100 else f"{sign}${size:,.1f}B"
    if unit == "x":
        return f"{sign}{size:,.1f}x"
    if unit in ("months", "years"):
        return f"{sign}{size:,.1f} {unit}"
    return f"{sign}{size:,.3g} {unit}".rstrip()


def format_error(unit: str, value: float) -> str:
    """A standard error to two significant figures: small errors must not read as zero."""
    if value == 0:
        return "0"
    if unit == "$B":
        return f"${value:,.2g}B" if value < 100 else format_amount(unit, value)
    return f"{value:.2g} {unit}" if unit not in ("", "x") else f"{value:.2g}{unit}"


def explain(
    project: Project,
    from_name: str,
    to_name: str,
    kpi: str,
    *,
    max_exact_groups: int = MAX_EXACT_GROUPS,
    orderings: int = DEFAULT_ORDERINGS,
    seed: int = 0,
    progress: Progress | None = None,
) -> Attribution:
    """Split ``kpi`` of ``to_name`` minus that of ``from_name`` among the groups of changes.

    ``progress(done, total)`` hears of the coalitions evaluated after each engine call.
    """
    coalitions = _coalitions(project, from_name, to_name, kpi)
    n = len(coalitions.groups)
    value_from, value_to = coalitions.check_ends(from_name, to_name)
    coalitions.progress = progress
    if n <= max_exact_groups:
        values, errors = _exact(coalitions, value_to - value_from)
        method: Literal["exact", "sampled"] = "exact"
        orderings = 0
    else:
        orderings = 2 * max(2, (orderings + 1) // 2)
        values, errors = _sampled(coalitions, value_to - value_from, orderings, seed)
        method = "sampled"
    parts = sorted(
        (
            Part(g.key, g.label, float(v), float(e))
            for g, v, e in zip(coalitions.groups, values, errors, strict=True)
        ),
        key=lambda p: (-abs(p.value), p.group),
    )
    return Attribution(
        from_name=from_name,
        to_name=to_name,
        kpi=kpi,
        unit=kpi_unit(kpi),
        value_from=value_from,
        value_to=value_to,
        parts=tuple(parts),
        method=method,
        error=float(max(errors, default=0.0)),
        note=coalitions.note(),
        coalitions=coalitions.evaluated,
        engine_calls=coalitions.engine_calls,
        orderings=orderings,
        first_period=coalitions.periods[0],
    )


@dataclass(frozen=True)
class WaterfallStep:
    """One bar of a waterfall: a scenario's value (from the baseline) or a part."""

    label: str
    start: float
    end: float
    kind: Literal["total", "increase", "decrease"]
    changes: int = 1  # how many parts a gathered "other" bar holds


def waterfall_steps(result: Attribution, bars: int = 8) -> list[WaterfallStep]:
    """A's value, the ``bars`` largest parts, the rest gathered as "other", then B's value.

    Parts of exactly zero get no bar (the table lists them). The two totals rise
    from zero, or, for a year, from the first year of the horizon.
    """
    baseline = float(period_year(result.first_period)) if result.unit == "years" else 0.0
    steps = [WaterfallStep(result.from_name, baseline, result.value_from, "total")]
    moving = [part for part in result.parts if part.value != 0.0]
    level = result.value_from
    shown, gathered = moving[:bars], moving[bars:]
    if len(gathered) == 1:
        shown, gathered = moving, []
    entries = [(part.label, part.value, 1) for part in shown]
    if gathered:
        other = math.fsum(part.value for part in gathered)
        entries.append((f"Other ({len(gathered)} changes)", other, len(gathered)))
    for label, value, count in entries:
        kind: Literal["increase", "decrease"] = "increase" if value > 0 else "decrease"
        steps.append(WaterfallStep(label, level, level + value, kind, count))
        level += value
    steps.append(WaterfallStep(result.to_name, baseline, result.value_to, "total"))
    return steps


# --- Shapley values ----------------------------------------------------------------


def _exact(coalitions: Coalitions, difference: float) -> tuple[Array, Array]:
    n = len(coalitions.groups)
    masks = np.arange(1 << n, dtype=np.int64)
    membership = ((masks[:, None] >> np.arange(n)) & 1).astype(bool)
    worth = coalitions.values(membership)
    size = membership.sum(axis=1)
    # The weight of a coalition of s others in the marginal effect of one group: s!(n-s-1)!/n!.
    weight = np.array(
        [math.factorial(s) * math.factorial(n - s - 1) / math.factorial(n) for s in range(n)]
    )
    values = np.zeros(n)
    for i in range(n):
        without = masks[(masks >> i) & 1 == 0]
        values[i] = np.sum(weight[size[without]] * (worth[without | (1 << i)] - worth[without]))
    return _add_up(values, difference), np.zeros(n)


def _sampled(
    coalitions: Coalitions, difference: float, orderings: int, seed: int
) -> tuple[Array, Array]:
    """Orderings drawn in pairs, each with its reverse: the pair's effects vary less."""
    n = len(coalitions.groups)
    pairs = orderings // 2
    rng = np.random.default_rng(seed)
    forward = np.argsort(rng.random((pairs, n)), axis=1)
    order = np.concatenate([forward, forward[:, ::-1]])
    # position[o, g]: the step at which ordering o adds group g.
    position = np.argsort(order, axis=1)
    steps = np.arange(n + 1)
    membership = (position[:, None, :] < steps[None, :, None]).reshape(-1, n)
    unique, inverse = np.unique(membership, axis=0, return_inverse=True)
    worth = coalitions.values(unique)[inverse.reshape(-1)].reshape(2 * pairs, n + 1)
    effects = np.diff(worth, axis=1)  # effects[o, k]: of the group added at step k
    marginal = np.take_along_axis(effects, position, axis=1)  # per group
    per_pair = (marginal[:pairs] + marginal[pairs:]) / 2
    values = per_pair.mean(axis=0)
    errors = per_pair.std(axis=0, ddof=1) / math.sqrt(pairs)
    # A part every ordering agrees on has no error; what rounding leaves is not one.
    scale = max(abs(difference), float(np.abs(values).max(initial=0.0)), 1.0)
    errors[errors < 1e-12 * scale] = 0.0
    return _add_up(values, difference), errors


def _add_up(values: Array, difference: float) -> Array:
    """Put the rounding left over by the sums into the largest part, so the parts add up."""
    if values.size:
        largest = int(np.argmax(np.abs(values)))
        values[largest] += difference - math.fsum(values.tolist())
    return values


# --- the game: a KPI for any mix of A and B ----------------------------------------


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
        reference = self.a.reference_period or self.periods[0]
        revenue = values["revenue"][:, self.periods.index(reference)]
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


def _first_month(period: str) -> int:
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


def _row_label(name: str, old: object | None, new: object | None) -> str:
    if new is None:
        return f"{name} (removed)"
    if old is None:
        return f"{name} (added)"
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
