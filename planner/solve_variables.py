"""What goal seek may vary: a cell, a row by a factor, a row's growth, a value, an event row.

Each variable turns a vector of candidate values into engine overrides of shape
(candidates, periods), so that many candidates are evaluated in one engine call,
and turns the chosen value into an undoable command on a scenario.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from planner.commands import Command, Macro, PutRow, SetConstant, SetInput
from planner.compiled import Array
from planner.engine import evaluate_resolved
from planner.model import ComputeContract, FundingRound, LineItem
from planner.scenarios import ResolvedScenario
from planner.schedules import expand_events


class SolveError(ValueError):
    """A question goal seek cannot answer as asked; the message says why and what would do."""


def _item(resolved: ResolvedScenario, item_id: str) -> LineItem:
    for item in resolved.items:
        if item.id == item_id:
            return item
    raise SolveError(f"there is no line item '{item_id}'")


def _input_row(resolved: ResolvedScenario, item_id: str) -> list[float]:
    item = _item(resolved, item_id)
    if item.inputs is None:
        raise SolveError(
            f"'{item_id}' is not an input row in scenario '{resolved.name}'"
            + ("; it is calculated by a formula" if item.formula is not None else "")
        )
    return list(item.inputs)


def _first_forecast(resolved: ResolvedScenario) -> int:
    """The index of the first period after the reference period; 0 without one."""
    reference = resolved.reference_period
    if reference in resolved.periods:
        start = resolved.periods.index(reference) + 1
        if start < len(resolved.periods):
            return start
    return 0


def _unit(item: LineItem) -> str:
    return item.unit or "value"


class Variable(ABC):
    """One number that goal seek moves; ``before`` is where the scenario has it now."""

    def bounds(self) -> tuple[float, float]:
        """Values the project file accepts, whatever the range a person asks for."""
        return (-1e15, 1e15)

    @property
    @abstractmethod
    def spec(self) -> str:
        """The ``--vary`` text that names this variable."""

    @abstractmethod
    def label(self, resolved: ResolvedScenario) -> str:
        """In words, for the window and the report."""

    @abstractmethod
    def unit(self, resolved: ResolvedScenario) -> str: ...

    @abstractmethod
    def before(self, resolved: ResolvedScenario) -> float | None:
        """The value that changes nothing (None when the scenario implies none)."""

    @abstractmethod
    def overrides(self, resolved: ResolvedScenario, values: Array) -> dict[str, Array]:
        """Engine overrides that put each of ``values`` in place, one row per value."""

    @abstractmethod
    def command(self, resolved: ResolvedScenario, scenario: str | None, value: float) -> Command:
        """The edit that applies ``value`` to ``scenario`` (None for the base)."""

    def default_range(self, resolved: ResolvedScenario) -> tuple[float, float]:
        """Where to search when not told: around the current value, within the bounds."""
        current = self.before(resolved) or 0.0
        reach = 10.0 * max(abs(current), 1.0)
        # A value at or above zero stays there (amounts, prices, users); a negative one
        # may cross zero.
        return self._clip(0.0 if current >= 0 else -reach, reach)

    def _clip(self, low: float, high: float) -> tuple[float, float]:
        lowest, highest = self.bounds()
        return max(low, lowest), min(high, highest)


@dataclass(frozen=True)
class InputCell(Variable):
    """One input cell: ``ITEM:PERIOD``."""

    item_id: str
    period: str

    @property
    def spec(self) -> str:
        return f"{self.item_id}:{self.period}"

    def label(self, resolved: ResolvedScenario) -> str:
        return f"{_item(resolved, self.item_id).label} in {self.period}"

    def unit(self, resolved: ResolvedScenario) -> str:
        return _unit(_item(resolved, self.item_id))

    def _index(self, resolved: ResolvedScenario) -> int:
        if self.period not in resolved.periods:
            raise SolveError(f"there is no period '{self.period}'")
        return resolved.periods.index(self.period)

    def before(self, resolved: ResolvedScenario) -> float:
        return _input_row(resolved, self.item_id)[self._index(resolved)]

    def overrides(self, resolved: ResolvedScenario, values: Array) -> dict[str, Array]:
        row = np.asarray(_input_row(resolved, self.item_id), dtype=np.float64)
        out = np.tile(row, (len(values), 1))
        out[:, self._index(resolved)] = values
        return {self.item_id: out}

    def command(self, resolved: ResolvedScenario, scenario: str | None, value: float) -> Command:
        return SetInput(scenario, self.item_id, self.period, float(value))


@dataclass(frozen=True)
class ConstantValue(Variable):
    """A single value (a constant): ``ITEM`` when the item is a constant."""

    item_id: str

    @property
    def spec(self) -> str:
        return self.item_id

    def label(self, resolved: ResolvedScenario) -> str:
        return _item(resolved, self.item_id).label

    def unit(self, resolved: ResolvedScenario) -> str:
        return _unit(_item(resolved, self.item_id))

    def before(self, resolved: ResolvedScenario) -> float:
        value = _item(resolved, self.item_id).value
        if value is None:
            raise SolveError(f"'{self.item_id}' is not a constant in scenario '{resolved.name}'")
        return value

    def overrides(self, resolved: ResolvedScenario, values: Array) -> dict[str, Array]:
        return {self.item_id: np.repeat(values[:, None], len(resolved.periods), axis=1)}

    def command(self, resolved: ResolvedScenario, scenario: str | None, value: float) -> Command:
        return SetConstant(scenario, self.item_id, float(value))


@dataclass(frozen=True)
class RowScale(Variable):
    """Input rows multiplied by one factor in every forecast period, or constants by it.

    The periods up to the project's reference period hold actual figures, so they
    stay as they are; without a reference period every period is scaled.
    """

    item_ids: tuple[str, ...]

    def bounds(self) -> tuple[float, float]:
        return (0.0, 1000.0)

    @property
    def spec(self) -> str:
        return ",".join(self.item_ids)

    def label(self, resolved: ResolvedScenario) -> str:
        labels = [_item(resolved, i).label for i in self.item_ids]
        joined = labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1]
        start = _first_forecast(resolved)
        return f"{joined}, scaled" + (f" from {resolved.periods[start]}" if start else "")

    def unit(self, resolved: ResolvedScenario) -> str:
        return "factor"

    def before(self, resolved: ResolvedScenario) -> float:
        return 1.0

    def default_range(self, resolved: ResolvedScenario) -> tuple[float, float]:
        return 0.0, 10.0

    def _base(self, resolved: ResolvedScenario, item_id: str) -> Array:
        item = _item(resolved, item_id)
        if item.inputs is not None:
            return np.asarray(item.inputs, dtype=np.float64)
        if item.value is not None:
            return np.full(len(resolved.periods), item.value)
        raise SolveError(
            f"'{item_id}' is calculated by a formula in scenario '{resolved.name}'; "
            "scale an input row or a constant"
        )

    def _factors(self, resolved: ResolvedScenario, values: Array) -> Array:
        """(candidates, periods): each candidate's factor, 1 where the row is not scaled."""
        factors = np.ones((len(values), len(resolved.periods)))
        factors[:, _first_forecast(resolved) :] = values[:, None]
        return factors

    def overrides(self, resolved: ResolvedScenario, values: Array) -> dict[str, Array]:
        overrides = {}
        for item_id in self.item_ids:
            item, base = _item(resolved, item_id), self._base(resolved, item_id)[None, :]
            factors = values[:, None] if item.inputs is None else self._factors(resolved, values)
            overrides[item_id] = factors * base
        return overrides

    def command(self, resolved: ResolvedScenario, scenario: str | None, value: float) -> Command:
        commands: list[Command] = []
        for item_id in self.item_ids:
            item = _item(resolved, item_id)
            if item.value is not None:
                commands.append(SetConstant(scenario, item_id, float(item.value * value)))
                continue
            start = _first_forecast(resolved)
            scaled = self._base(resolved, item_id) * value
            commands.extend(
                SetInput(scenario, item_id, period, float(new))
                for period, new in zip(
                    resolved.periods[start:], scaled[start:].tolist(), strict=True
                )
            )
        return Macro(tuple(commands), f"Scale {self.spec} by {value:.4g}")


@dataclass(frozen=True)
class RowGrowth(Variable):
    """An input row grown at one rate per period from ``from_period`` on.

    The row keeps its values before ``from_period``; from there each period is the
    previous one times (1 + rate). ``before`` is the rate that reaches the row's
    current last value: the compound growth it already implies.
    """

    item_id: str
    from_period: str

    def bounds(self) -> tuple[float, float]:
        return (-0.99, 100.0)

    @property
    def spec(self) -> str:
        return f"{self.item_id}:growth:{self.from_period}"

    def label(self, resolved: ResolvedScenario) -> str:
        return f"Growth of {_item(resolved, self.item_id).label} from {self.from_period}"

    def unit(self, resolved: ResolvedScenario) -> str:
        return "growth per period"

    def _start(self, resolved: ResolvedScenario) -> tuple[list[float], int]:
        row = _input_row(resolved, self.item_id)
        if self.from_period not in resolved.periods:
            raise SolveError(f"there is no period '{self.from_period}'")
        start = resolved.periods.index(self.from_period)
        if start == 0:
            raise SolveError(
                f"growth needs a period before it to grow from; choose a period after "
                f"{resolved.periods[0]}"
            )
        if row[start - 1] <= 0:
            raise SolveError(
                f"'{self.item_id}' is {row[start - 1]:g} in {resolved.periods[start - 1]}; "
                "growth needs a positive value to grow from"
            )
        return row, start

    def before(self, resolved: ResolvedScenario) -> float | None:
        row, start = self._start(resolved)
        if row[-1] <= 0:
            return None
        return float((row[-1] / row[start - 1]) ** (1.0 / (len(row) - start)) - 1.0)

    def default_range(self, resolved: ResolvedScenario) -> tuple[float, float]:
        current = self.before(resolved)
        low, high = -0.5, 1.0
        if current is not None:
            low, high = min(low, current - 0.5), max(high, current + 0.5)
        return self._clip(low, high)

    def _grown(self, resolved: ResolvedScenario, values: Array) -> Array:
        row, start = self._start(resolved)
        out = np.tile(np.asarray(row, dtype=np.float64), (len(values), 1))
        steps = np.arange(1, len(row) - start + 1, dtype=np.float64)
        out[:, start:] = row[start - 1] * (1.0 + values[:, None]) ** steps[None, :]
        return out

    def overrides(self, resolved: ResolvedScenario, values: Array) -> dict[str, Array]:
        return {self.item_id: self._grown(resolved, values)}

    def command(self, resolved: ResolvedScenario, scenario: str | None, value: float) -> Command:
        _, start = self._start(resolved)
        grown = self._grown(resolved, np.array([value]))[0]
        commands: tuple[Command, ...] = tuple(
            SetInput(scenario, self.item_id, period, float(grown[t]))
            for t, period in enumerate(resolved.periods)
            if t >= start
        )
        return Macro(commands, f"Grow {self.item_id} {value:.2%} a period")


EventField = Literal["amount", "total_value", "gw"]


@dataclass(frozen=True)
class EventTerm(Variable):
    """A funding round's amount, or a compute contract's total value or GW."""

    row_id: str
    field: EventField

    def bounds(self) -> tuple[float, float]:
        return (0.0, 1e4) if self.field == "gw" else (0.0, 1e6)

    @property
    def spec(self) -> str:
        prefix = "round" if self.field == "amount" else "contract"
        return f"{prefix}:{self.row_id}:{self.field}"

    def row(self, resolved: ResolvedScenario) -> FundingRound | ComputeContract:
        rows: Sequence[FundingRound | ComputeContract] = (
            resolved.funding_rounds if self.field == "amount" else resolved.compute_contracts
        )
        for row in rows:
            if row.id == self.row_id:
                return row
        what = "funding round" if self.field == "amount" else "compute contract"
        known = ", ".join(r.id for r in rows) or "none"
        raise SolveError(
            f"scenario '{resolved.name}' has no {what} '{self.row_id}'; its {what}s: {known}"
        )

    def label(self, resolved: ResolvedScenario) -> str:
        row = self.row(resolved)
        if isinstance(row, FundingRound):
            return f"Amount raised from {row.investor} in {row.period}"
        what = "Total value" if self.field == "total_value" else "GW"
        return f"{what} of the {row.counterparty} contract {row.first_year}-{row.last_year}"

    def unit(self, resolved: ResolvedScenario) -> str:
        return "GW" if self.field == "gw" else "$B"

    def before(self, resolved: ResolvedScenario) -> float:
        return float(getattr(self.row(resolved), self.field))

    def default_range(self, resolved: ResolvedScenario) -> tuple[float, float]:
        current = self.before(resolved)
        if self.field == "amount":
            # No round need exceed every cost of the horizon: a range that surely suffices.
            costs = float(np.abs(evaluate_resolved(resolved).values["total_costs"]).sum())
            return self._clip(0.0, max(10.0 * current, costs, 100.0))
        return self._clip(0.0, max(4.0 * current, 1.0))

    def _with(self, resolved: ResolvedScenario, value: float) -> FundingRound | ComputeContract:
        row = self.row(resolved)
        return row.model_copy(update={self.field: float(value)})

    def overrides(self, resolved: ResolvedScenario, values: Array) -> dict[str, Array]:
        series: dict[str, list[Array]] = {}
        for value in values.tolist():
            changed = self._with(resolved, value)
            rounds = [changed if r.id == self.row_id else r for r in resolved.funding_rounds]
            contracts = [changed if c.id == self.row_id else c for c in resolved.compute_contracts]
            events = expand_events(
                resolved.periods,
                [r for r in rounds if isinstance(r, FundingRound)],
                [c for c in contracts if isinstance(c, ComputeContract)],
            )
            for name, values_of_name in events.items():
                series.setdefault(name, []).append(values_of_name)
        return {name: np.vstack(rows) for name, rows in series.items()}

    def command(self, resolved: ResolvedScenario, scenario: str | None, value: float) -> Command:
        return PutRow(scenario, self._with(resolved, value))
