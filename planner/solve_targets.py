"""What goal seek aims at, each as a margin per candidate: zero or more means the target is met.

Margins are continuous where the target allows (the lowest cash, the highest
burn), so that the solver can interpolate between candidates; the chance that
cash runs out is a step function of the candidate and is bisected.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Literal

import numpy as np

from planner.compiled import Array
from planner.engine import Result, input_arrays
from planner.model import EVENT_SERIES, Correlation, Project, Uncertainty, period_year
from planner.numbers import money_text
from planner.scenarios import ResolvedScenario
from planner.solve_variables import SolveError
from planner.uncertainty import (
    NEVER,
    check_varied,
    draw_factors,
    ranges_for,
    sample_kpis,
)

# The draws behind a chance target: fixed, so the same question gets the same answer.
CHANCE_SAMPLES = 1000
CHANCE_SEED = 1


def plain(value: float) -> str:
    """A number to three decimals at most, trailing zeros dropped: "1,234.5", "0"."""
    text = f"{value:,.3f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _years(periods: tuple[str, ...]) -> list[int]:
    return [period_year(p) for p in periods]


def _check_year(periods: tuple[str, ...], year: int) -> None:
    years = _years(periods)
    if year not in years:
        raise SolveError(
            f"{year} is not in the horizon; choose a year from {years[0]} to {years[-1]}"
        )


class Target(ABC):
    """A condition on a scenario's results; ``two_sided`` targets ask for an exact value."""

    @property
    def two_sided(self) -> bool:
        return False

    @property
    @abstractmethod
    def spec(self) -> str:
        """The ``--target`` text that names this target."""

    @abstractmethod
    def label(self) -> str:
        """In words: "cash never below zero through 2035"."""

    def check(self, project: Project, resolved: ResolvedScenario) -> None:  # noqa: B027
        """Raise :class:`SolveError` when the target does not apply to the scenario."""

    @abstractmethod
    def margins(self, result: Result) -> Array:
        """One margin per row of ``result``; met where it is zero or more."""

    @abstractmethod
    def reached(self, margin: float) -> str:
        """What a margin means in the target's own terms, for a result that falls short."""

    def rows_per_candidate(self) -> int:
        return 1

    def widen(self, resolved: ResolvedScenario, overrides: dict[str, Array]) -> dict[str, Array]:
        """Overrides for every row the engine evaluates (one per candidate by default)."""
        return overrides


@dataclass(frozen=True)
class CashNeverBelowZero(Target):
    year: int | None = None  # None: to the end of the horizon

    @property
    def spec(self) -> str:
        return "cash_never_below_zero" + ("" if self.year is None else f":{self.year}")

    def label(self) -> str:
        return "cash never below zero" + ("" if self.year is None else f" through {self.year}")

    def check(self, project: Project, resolved: ResolvedScenario) -> None:
        if self.year is not None:
            _check_year(resolved.periods, self.year)

    def _through(self, periods: tuple[str, ...]) -> int:
        if self.year is None:
            return len(periods)
        return sum(1 for year in _years(periods) if year <= self.year)

    def margins(self, result: Result) -> Array:
        cash = result.values["cash"][:, : self._through(result.periods)]
        lowest: Array = cash.min(axis=1)
        return lowest

    def reached(self, margin: float) -> str:
        through = "" if self.year is None else f" through {self.year}"
        return f"the lowest cash{through} is {money_text(margin)}"


@dataclass(frozen=True)
class BreakevenBy(Target):
    """Break-even as :mod:`planner.kpis` defines it: burn at or below zero from then on."""

    year: int

    @property
    def spec(self) -> str:
        return f"breakeven_by:{self.year}"

    def label(self) -> str:
        return f"break-even by {self.year} (burn at or below zero from then on)"

    def check(self, project: Project, resolved: ResolvedScenario) -> None:
        _check_year(resolved.periods, self.year)

    def margins(self, result: Result) -> Array:
        # Break-even within the year: burn <= 0 from the year's last period to the end.
        last = max(t for t, year in enumerate(_years(result.periods)) if year <= self.year)
        highest: Array = result.values["burn"][:, last:].max(axis=1)
        return -highest

    def reached(self, margin: float) -> str:
        return f"the highest burn from {self.year} on is {money_text(-margin)}"


AtMostKpi = Literal["peak_funding_need", "cumulative_burn"]


@dataclass(frozen=True)
class AtMost(Target):
    """A KPI in $B at most a limit: ``peak_funding_need`` or ``cumulative_burn``."""

    kpi: AtMostKpi
    limit: float

    @property
    def spec(self) -> str:
        return f"{self.kpi}<={self.limit:g}"

    def label(self) -> str:
        return f"{self.kpi.replace('_', ' ')} at most {money_text(self.limit)}"

    def margins(self, result: Result) -> Array:
        burn = result.values["burn"]
        if self.kpi == "cumulative_burn":
            value: Array = burn.sum(axis=1)
        else:
            value = np.maximum(0.0, np.cumsum(burn, axis=1).max(axis=1))
        return self.limit - value

    def reached(self, margin: float) -> str:
        return f"{self.kpi.replace('_', ' ')} is {money_text(self.limit - margin)}"


Comparison = Literal["<=", ">=", "="]


@dataclass(frozen=True)
class SeriesValue(Target):
    """Any series' value in one period: at most, at least or equal to a number."""

    series: str
    period: str
    op: Comparison
    value: float

    @property
    def two_sided(self) -> bool:
        return self.op == "="

    @property
    def spec(self) -> str:
        return f"series:{self.series}:{self.period}{self.op}{self.value:g}"

    def label(self) -> str:
        words = {"<=": "at most", ">=": "at least", "=": "equal to"}[self.op]
        return f"{self.series} in {self.period} {words} {plain(self.value)}"

    def check(self, project: Project, resolved: ResolvedScenario) -> None:
        known = [item.id for item in resolved.items] + list(EVENT_SERIES)
        if self.series not in known:
            raise SolveError(f"there is no series '{self.series}'; series: {', '.join(known)}")
        if self.period not in resolved.periods:
            raise SolveError(
                f"there is no period '{self.period}'; periods run from "
                f"{resolved.periods[0]} to {resolved.periods[-1]}"
            )

    def margins(self, result: Result) -> Array:
        values: Array = result.values[self.series][:, result.periods.index(self.period)]
        return self.value - values if self.op == "<=" else values - self.value

    def reached(self, margin: float) -> str:
        value = self.value - margin if self.op == "<=" else self.value + margin
        return f"{self.series} in {self.period} is {plain(value)}"


@dataclass(frozen=True)
class CashZeroChance(Target):
    """The chance that cash runs out by a year at most ``chance``, over the scenario's ranges.

    The factors are drawn once, as the risk view draws them (Latin hypercube, the
    project's correlations), and reused for every candidate (common random
    numbers), so the answer does not move with the draw from one step to the next.
    """

    year: int
    chance: float
    ranges: tuple[Uncertainty, ...] = ()
    correlations: tuple[Correlation, ...] = ()
    samples: int = CHANCE_SAMPLES
    seed: int = CHANCE_SEED

    @classmethod
    def of_scenario(
        cls, project: Project, scenario: str, year: int, chance: float
    ) -> CashZeroChance:
        """The target over the ranges ``scenario`` has (its own or the base's)."""
        return cls(year, chance, ranges_for(project, scenario), tuple(project.correlations))

    @property
    def spec(self) -> str:
        return f"p_cash_zero_by:{self.year}<={self.chance:g}"

    def label(self) -> str:
        return f"chance that cash runs out by {self.year} at most {self.chance:.1%}"

    def check(self, project: Project, resolved: ResolvedScenario) -> None:
        _check_year(resolved.periods, self.year)
        if not 0.0 <= self.chance <= 1.0:
            raise SolveError(f"a chance is from 0 to 1, not {self.chance:g}")
        if not self.ranges:
            raise SolveError(
                "the project defines no ranges (an 'uncertainty' list), so there is no chance "
                "to aim at; use cash_never_below_zero instead"
            )
        check_varied(resolved, self.ranges)

    def rows_per_candidate(self) -> int:
        return self.samples

    def widen(self, resolved: ResolvedScenario, overrides: dict[str, Array]) -> dict[str, Array]:
        factors = draw_factors(self.ranges, self.samples, self.seed, "lhs", self.correlations)
        candidates = next(iter(overrides.values())).shape[0]
        widened = {name: np.repeat(rows, self.samples, axis=0) for name, rows in overrides.items()}
        base = input_arrays(resolved)
        for column, spec in enumerate(self.ranges):
            rows = widened.get(spec.item)
            if rows is None:
                rows = np.broadcast_to(
                    base[spec.item], (candidates * self.samples, base[spec.item].shape[1])
                )
            widened[spec.item] = rows * np.tile(factors[:, column], candidates)[:, None]
        return widened

    def chances(self, result: Result) -> Array:
        months = sample_kpis(result).cash_zero_month
        runs_out = (months != NEVER) & (months // 12 <= self.year)
        share: Array = runs_out.reshape(-1, self.samples).mean(axis=1)
        return share

    def margins(self, result: Result) -> Array:
        return self.chance - self.chances(result)

    def reached(self, margin: float) -> str:
        return f"cash runs out by {self.year} in {self.chance - margin:.1%} of samples"
