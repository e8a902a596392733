"""Goal seek: the change to one variable that just meets a target on a scenario's results.

The solver brackets, then narrows: a grid of candidates across the range
searched, all in one engine call, finds the met candidate nearest the current
value; then each further call places candidates inside the bracket (one at the
interpolated crossing, one either side of it within the tolerance, the rest
evenly), which is bisection with many points at once and closes in one or two
calls where the margin is close to linear. The answer is always on the met
side of the crossing, so it meets the target, and the value a tolerance
nearer the current one does not.

When the scenario already meets the target, the answer is how far the variable
can move before it stops meeting it: the same crossing, approached from the
other side.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np

from planner.commands import AddScenario, Command, Macro, duplicate_scenario, unused_name
from planner.compiled import Array
from planner.engine import Result, compile_items, input_arrays
from planner.formula import FormulaError
from planner.kpis import KpiValue, compute_kpis
from planner.model import EVENT_SERIES, Project
from planner.scenarios import ResolvedScenario, resolve
from planner.solve_targets import (
    AtMost,
    BreakevenBy,
    CashNeverBelowZero,
    CashZeroChance,
    SeriesValue,
    Target,
)
from planner.solve_variables import (
    ConstantValue,
    EventTerm,
    InputCell,
    RowGrowth,
    RowScale,
    SolveError,
    Variable,
)
from planner.uncertainty import samples_per_call

__all__ = [
    "AtMost",
    "BreakevenBy",
    "CashNeverBelowZero",
    "CashZeroChance",
    "ConstantValue",
    "EventTerm",
    "InputCell",
    "RowGrowth",
    "RowScale",
    "SeriesValue",
    "Solution",
    "SolveCancelled",
    "SolveError",
    "Target",
    "Variable",
    "margins_at",
    "outcome_lines",
    "solve",
]

CANDIDATES_PER_CALL = 32
# Rows per engine call for targets that evaluate many samples per candidate.
ROWS_PER_CALL = 8192
MAX_CALLS = 40
RELATIVE_TOLERANCE = 1e-6

Progress = Callable[[int, int], bool]
Outcome = Literal["reached", "holds_to", "met_throughout", "no_solution"]


class SolveCancelled(Exception):
    """The progress callback asked to stop."""


@dataclass(frozen=True)
class Solution:
    """The answer: ``value`` meets the target; ``outcome`` says how it relates to ``before``.

    - ``reached``: the scenario misses the target; ``value`` is the least change that meets it.
    - ``holds_to``: the scenario meets it already; ``value`` is how far the variable can
      move before it no longer does.
    - ``met_throughout``: met across the whole range searched; ``value`` is ``before``.
    - ``no_solution``: nothing in the range meets it; ``value`` came closest.
    """

    scenario: str
    variable: Variable
    target: Target
    outcome: Outcome
    value: float
    before: float | None
    margin: float  # the target's margin at ``value``
    margin_before: float | None  # and at ``before``
    tolerance: float
    search_range: tuple[float, float]
    evaluations: int
    label: str  # the variable in words
    unit: str

    @property
    def status(self) -> Literal["solved", "no_solution"]:
        return "no_solution" if self.outcome == "no_solution" else "solved"


def _run(
    resolved: ResolvedScenario, base: Mapping[str, Array], overrides: dict[str, Array]
) -> Result:
    """One engine call; a candidate whose cells overflow or divide by zero gets NaN, no error."""
    rows = next(iter(overrides.values())).shape[0]
    n = len(resolved.periods)
    arrays = {k: np.broadcast_to(v, (rows, n)) for k, v in base.items()}
    arrays.update({k: np.broadcast_to(v, (rows, n)) for k, v in overrides.items()})
    compiled = compile_items(resolved.items)
    values = compiled.run(arrays, resolved.periods, refuse_errors=False)
    return Result(
        resolved.name, resolved.periods, values, (*compiled.item_ids, *EVENT_SERIES), resolved
    )


class _Search:
    """Margins of candidate values, counted, in as few engine calls as the target allows."""

    def __init__(
        self,
        resolved: ResolvedScenario,
        variable: Variable,
        target: Target,
        progress: Progress | None,
        max_calls: int,
    ) -> None:
        self.resolved = resolved
        self.variable = variable
        self.target = target
        self.progress = progress
        self.base = input_arrays(resolved)
        # A large model fits fewer rows in memory at once, as Monte Carlo's blocks do.
        rows = min(ROWS_PER_CALL, samples_per_call(resolved))
        self.per_call = int(np.clip(rows // target.rows_per_candidate(), 4, CANDIDATES_PER_CALL))
        self.max_calls = max_calls
        self.calls = 0
        self.evaluations = 0
        self.sign = 1.0  # -1 turns an exact-value target into "at most" from above

    def margins(self, values: Array) -> Array:
        out = np.empty(len(values))
        for start in range(0, len(values), self.per_call):
            chunk = values[start : start + self.per_call]
            overrides = self.target.widen(
                self.resolved, self.variable.overrides(self.resolved, chunk)
            )
            with np.errstate(all="ignore"):
                found = self.target.margins(_run(self.resolved, self.base, overrides))
            out[start : start + len(chunk)] = np.where(np.isfinite(found), found, -np.inf)
            self.calls += 1
            self.evaluations += len(chunk)
            if self.progress is not None and not self.progress(self.calls, self.max_calls):
                raise SolveCancelled
        return self.sign * out if self.sign < 0 else out

    @property
    def calls_left(self) -> int:
        return self.max_calls - self.calls


def margins_at(
    project: Project, scenario: str, variable: Variable, target: Target, values: Array
) -> Array:
    """The target's margin at each of ``values``, as the solver sees them (NaN counts as -inf)."""
    resolved = resolve(project, scenario)
    target.check(project, resolved)
    search = _Search(resolved, variable, target, None, max_calls=len(values))
    return search.margins(np.asarray(values, dtype=np.float64))


def solve(
    project: Project,
    scenario: str,
    variable: Variable,
    target: Target,
    *,
    search_range: tuple[float, float] | None = None,
    tolerance: float | None = None,
    progress: Progress | None = None,
    max_calls: int = MAX_CALLS,
) -> Solution:
    """The value of ``variable`` that just meets ``target`` in ``scenario``.

    ``progress(calls_done, max_calls)`` is called after every engine call; it returns
    False to cancel (:class:`SolveCancelled`). Raises :class:`SolveError` for a
    variable, target or range that does not apply. A range that leaves out the
    current value is widened to take it in: the answer is measured from there.
    """
    try:
        resolved = resolve(project, scenario)
    except KeyError:
        known = ", ".join(repr(n) for n in project.scenario_names)
        raise SolveError(f"there is no scenario '{scenario}'; the project has {known}") from None
    before = variable.before(resolved)
    target.check(project, resolved)
    low, high = _checked_range(variable, resolved, search_range)
    tol = tolerance if tolerance is not None else (high - low) * RELATIVE_TOLERANCE
    if not tol > 0:
        raise SolveError("the tolerance must be a positive number")
    if before is not None:
        low, high = min(low, before), max(high, before)
    anchor = before if before is not None else (low + high) / 2
    search = _Search(resolved, variable, target, progress, max(2, max_calls))
    grid = np.unique(np.append(np.linspace(low, high, search.per_call - 1), anchor))
    margins = search.margins(grid)
    at_anchor = float(margins[np.searchsorted(grid, anchor)])
    margin_before = at_anchor if before is not None else None
    if target.two_sided and at_anchor != 0.0:
        # Aim at the value from the side the scenario is on: "= X" becomes ">= X" from below.
        search.sign = 1.0 if at_anchor < 0 else -1.0
        margins = search.sign * margins
        at_anchor = -abs(at_anchor)
    answer = _Answer(resolved, variable, target, before, margin_before, tol, (low, high), search)
    met = margins >= 0
    anchor_met = at_anchor >= 0
    if target.two_sided and anchor_met:
        return answer("reached", anchor, 0.0)
    if not met.any():
        best = int(np.argmax(margins))
        return answer("no_solution", float(grid[best]), float(margins[best]))
    if anchor_met and met.all():
        return answer("met_throughout", anchor, at_anchor)
    # The candidate nearest the anchor whose status differs from the anchor's, and its
    # neighbour towards the anchor, bracket the crossing nearest the current value.
    distance = np.where(met != anchor_met, np.abs(grid - anchor), np.inf)
    far = int(np.argmin(distance))
    near = far - 1 if grid[far] > anchor else far + 1
    met_i, fail_i = (near, far) if anchor_met else (far, near)
    bracket = _Bracket(
        float(grid[met_i]), float(margins[met_i]), float(grid[fail_i]), float(margins[fail_i])
    )
    bracket.narrow(search, tol, from_met_side=anchor_met)
    answer.tolerance = max(tol, bracket.width)
    return answer("holds_to" if anchor_met else "reached", bracket.met_x, bracket.met_m)


@dataclass
class _Answer:
    resolved: ResolvedScenario
    variable: Variable
    target: Target
    before: float | None
    margin_before: float | None
    tolerance: float
    search_range: tuple[float, float]
    search: _Search

    def __call__(self, outcome: Outcome, value: float, margin: float) -> Solution:
        return Solution(
            scenario=self.resolved.name,
            variable=self.variable,
            target=self.target,
            outcome=outcome,
            value=float(value),
            before=self.before,
            margin=margin * self.search.sign,  # back in the target's own terms
            margin_before=self.margin_before,
            tolerance=self.tolerance,
            search_range=self.search_range,
            evaluations=self.search.evaluations,
            label=self.variable.label(self.resolved),
            unit=self.variable.unit(self.resolved),
        )


@dataclass
class _Bracket:
    """A met and a failing value with their margins; the crossing lies between them."""

    met_x: float
    met_m: float
    fail_x: float
    fail_m: float

    @property
    def width(self) -> float:
        return abs(self.fail_x - self.met_x)

    def narrow(self, search: _Search, tol: float, *, from_met_side: bool) -> None:
        """Shrink to ``tol`` or until the calls run out, keeping the crossing nearest the anchor.

        The anchor lies beyond the met end when ``from_met_side``, else beyond the failing end.
        """
        while self.width > tol and search.calls_left > 0:
            points = self._candidates(search.per_call, tol)
            if not len(points):
                break
            margins = search.margins(points)
            walk = list(zip(points.tolist(), margins.tolist(), strict=True))
            if from_met_side:
                self._walk(walk, side_met=True)
            else:
                self._walk(walk[::-1], side_met=False)

    def _candidates(self, count: int, tol: float) -> Array:
        """Points inside the bracket: even steps, and a pair around the interpolated crossing."""
        inner = list(np.linspace(self.met_x, self.fail_x, max(3, count - 1))[1:-1])
        if np.isfinite(self.met_m) and np.isfinite(self.fail_m) and self.met_m != self.fail_m:
            guess = self.met_x + (self.fail_x - self.met_x) * self.met_m / (
                self.met_m - self.fail_m
            )
            step = tol / 3 * np.sign(self.fail_x - self.met_x)
            inner += [guess - step, guess + step]
        low, high = sorted((self.met_x, self.fail_x))
        inside = {float(x) for x in inner if low < x < high}
        return np.array(sorted(inside, key=lambda x: abs(x - self.met_x)))

    def _walk(self, walk: list[tuple[float, float]], *, side_met: bool) -> None:
        """Step from one end towards the other and stop at the first change of status."""
        prev_x, prev_m = (self.met_x, self.met_m) if side_met else (self.fail_x, self.fail_m)
        for x, m in walk:
            if (m >= 0) != side_met:
                if side_met:
                    self.met_x, self.met_m, self.fail_x, self.fail_m = prev_x, prev_m, x, m
                else:
                    self.met_x, self.met_m, self.fail_x, self.fail_m = x, m, prev_x, prev_m
                return
            prev_x, prev_m = x, m
        if side_met:
            self.met_x, self.met_m = prev_x, prev_m
        else:
            self.fail_x, self.fail_m = prev_x, prev_m


def _checked_range(
    variable: Variable, resolved: ResolvedScenario, search_range: tuple[float, float] | None
) -> tuple[float, float]:
    low, high = search_range if search_range is not None else variable.default_range(resolved)
    lowest, highest = variable.bounds()
    if not (np.isfinite(low) and np.isfinite(high)) or not low < high:
        raise SolveError(
            f"the range searched must run from a lower to a higher number, not {low:g} to {high:g}"
        )
    if low < lowest or high > highest:
        raise SolveError(
            f"{variable.label(resolved)} can only be from {lowest:g} to {highest:g}; "
            f"the range {low:g} to {high:g} goes outside that"
        )
    return float(low), float(high)


# --- applying the answer ------------------------------------------------------------


def answer_command(project: Project, solution: Solution) -> Command:
    """The edit that puts the answer into its scenario, as one undo step."""
    resolved = resolve(project, solution.scenario)
    key = None if solution.scenario == project.base_name else solution.scenario
    command = solution.variable.command(resolved, key, solution.value)
    return Macro(
        (command,),
        f"Solve: {solution.variable.label(resolved)} {format_value(solution, solution.value)}",
    )


def question_name(project: Project, solution: Solution) -> str:
    """A scenario name that says what was asked and what moved.

    "Bear case: cash never below zero through 2035 (Enterprise and API, scaled)".
    """
    stem = f"{solution.scenario}: {solution.target.label()} ({solution.label})"
    if len(stem) > 190:
        stem = stem[:189] + "…"
    return unused_name(project, stem)


def new_scenario_command(project: Project, solution: Solution, name: str | None = None) -> Command:
    """A copy of the solved scenario with the answer applied, as one undo step."""
    name = name or question_name(project, solution)
    resolved = resolve(project, solution.scenario)
    added: AddScenario = duplicate_scenario(project, solution.scenario, name)
    command = solution.variable.command(resolved, name, solution.value)
    description = f"{solution.variable.label(resolved)} {format_value(solution, solution.value)}"
    added.scenario.description = description[:200]
    return Macro((added, command), f"Add scenario {name}")


def applied_copy(project: Project, solution: Solution) -> Project:
    """A copy of ``project`` with the answer applied; the project itself is left alone."""
    copy = project.model_copy(deep=True)
    answer_command(copy, solution).apply(copy)
    return copy


def kpis_before_after(
    project: Project, solution: Solution
) -> tuple[dict[str, KpiValue], dict[str, KpiValue]]:
    from planner.engine import evaluate

    before = compute_kpis(evaluate(project, solution.scenario))
    try:
        after = compute_kpis(evaluate(applied_copy(project, solution), solution.scenario))
    except FormulaError as exc:
        raise SolveError(f"the answer does not evaluate: {exc}") from None
    return before, after


def format_value(solution: Solution, value: float | None) -> str:
    """A value of the variable as people read it: "x1.4237", "12.50% a period", "$140.25B"."""
    return format_variable_value(solution.unit, value, solution.tolerance)


def format_variable_value(unit: str, value: float | None, tolerance: float = 0.0) -> str:
    """``value`` with as many digits as ``tolerance`` makes meaningful (at least four)."""
    if value is None:
        return "n/a"
    scale = 100.0 if unit in ("%", "growth per period") else 1.0
    digits = 4
    if tolerance > 0 and value != 0:
        digits = int(np.clip(np.ceil(np.log10(abs(value) / tolerance)) - 1, 4, 6))
    if unit in ("%", "growth per period"):  # stored as fractions: 0.3 is 30%
        decimals = max(0, digits - 1 - int(np.floor(np.log10(max(abs(value) * scale, 1e-12)))))
        text = f"{value * scale:.{min(decimals, 6)}f}%"
        return text + (" a period" if unit == "growth per period" else "")
    if unit == "factor":
        return f"x{value:.{digits}g}"
    if unit == "$B":
        return (
            f"${value:,.{max(1, digits - 3)}f}B"
            if value >= 0
            else f"-${-value:,.{max(1, digits - 3)}f}B"
        )
    return f"{value:,.{digits}g} {unit}"


def outcome_lines(solution: Solution) -> list[str]:
    """What the answer means, in two or three sentences."""
    value = format_value(solution, solution.value)
    now = format_value(solution, solution.before)
    low, high = (format_value(solution, x) for x in solution.search_range)
    tolerance = tolerance_text(solution)
    target = solution.target.label()

    def reached(margin: float) -> str:
        if not np.isfinite(margin):
            return "the model does not evaluate (a division by zero or an overflow)"
        return solution.target.reached(margin)

    now_reached = "" if solution.margin_before is None else reached(solution.margin_before)
    if solution.outcome == "no_solution":
        return [
            f"No value from {low} to {high} meets the target: {target}.",
            *([f"Now {now_reached}."] if now_reached else []),
            f"Closest: {value}, where {reached(solution.margin)}.",
            "Widen the range searched, or vary something else.",
        ]
    if solution.outcome == "met_throughout":
        return [
            f"Already met at every value from {low} to {high}: {target}.",
            f"Nothing needs to change; {solution.label} stays at {now}.",
        ]
    if solution.outcome == "holds_to":
        return [
            f"Already met at {now}: {target}.",
            f"It stays met as far as {value}; {tolerance} further and it is not.",
            *([f"Now {now_reached}; there, {reached(solution.margin)}."] if now_reached else []),
        ]
    return [
        f"Answer: {value} (now {now}) meets the target: {target}.",
        *(
            [f"Now {now_reached}; with the answer, {reached(solution.margin)}."]
            if now_reached
            else []
        ),
        f"Exact to within {tolerance}: a value that much closer to {now} misses it.",
    ]


def tolerance_text(solution: Solution) -> str:
    """The tolerance in the variable's unit: "0.00001", "$0.0017B", "0.00015 percentage points"."""
    unit = solution.unit
    percent = unit in ("%", "growth per period")
    tol = solution.tolerance * (100 if percent else 1)
    text = np.format_float_positional(tol, precision=2, unique=True, fractional=False, trim="-")
    if percent:
        return f"{text} percentage points"
    if unit == "$B":
        return f"${text}B"
    return text if unit == "factor" else f"{text} {unit}"
