"""Why two scenarios differ: a KPI's difference split among the groups of changes.

Going from scenario A to scenario B changes some line items (inputs, single
values, formulas), some funding rounds and some compute contracts. Each line
item, round and contract that differs is one group. The difference
KPI(B) - KPI(A) is split among the groups by their Shapley values: each
group's part is its average effect over every order of applying the groups,
so no order is favoured and the parts add up to the difference. With few
groups every coalition is evaluated (exact); with many, orderings are sampled,
each ordering's effects adding up to the difference, so the estimate adds up too.
The evaluation of coalitions lives in :mod:`planner.coalitions`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final, Literal

import numpy as np

from planner.coalitions import (
    AttributionError,
    ChangeGroup,
    Coalitions,
    Progress,
    first_month,
)
from planner.compiled import Array
from planner.kpis import KPI_LABELS
from planner.model import Project, period_year
from planner.scenarios import resolve

__all__ = ["AttributionError", "ChangeGroup", "Coalitions", "explain"]

MAX_EXACT_GROUPS: Final = 12  # 4,096 coalitions
DEFAULT_ORDERINGS: Final = 400


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
            start = first_month(self.first_period)
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
