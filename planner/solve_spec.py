"""The ``--vary`` and ``--target`` forms of ``python -m planner solve``, read and checked.

Every refusal is one line that says what would be valid: the forms, or the
items, rows, periods and years the scenario has.
"""

from __future__ import annotations

import math
import re

from planner.model import Project, period_year
from planner.scenarios import ResolvedScenario
from planner.solve_targets import (
    AtMost,
    AtMostKpi,
    BreakevenBy,
    CashNeverBelowZero,
    CashZeroChance,
    Comparison,
    SeriesValue,
    Target,
)
from planner.solve_variables import (
    ConstantValue,
    EventField,
    EventTerm,
    InputCell,
    RowGrowth,
    RowScale,
    SolveError,
    Variable,
)

VARY_FORMS = (
    "ITEM:PERIOD (one cell), ITEM or ITEM,ITEM (rows scaled by one factor after the "
    "reference period; "
    "a constant's value), ITEM:growth:FROM_PERIOD, round:ROW_ID:amount or "
    "contract:ROW_ID:total_value|gw"
)
TARGET_FORMS = (
    "cash_never_below_zero[:YEAR], breakeven_by:YEAR, peak_funding_need<=X, "
    "cumulative_burn<=X, series:ID:PERIOD<=X (or >=X, =X) or p_cash_zero_by:YEAR<=P"
)

_EVENT_FIELDS: dict[str, EventField] = {
    "amount": "amount",
    "total_value": "total_value",
    "gw": "gw",
}
_COMPARISONS: dict[str, Comparison] = {"<=": "<=", ">=": ">=", "=": "="}
_NUMBER = r"([-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?)"
_YEAR = r"([0-9]{4})"
_TARGETS = {
    "cash": re.compile(rf"cash_never_below_zero(?::{_YEAR})?"),
    "breakeven": re.compile(rf"breakeven_by:{_YEAR}"),
    "peak": re.compile(rf"peak_funding_need<={_NUMBER}"),
    "burn": re.compile(rf"cumulative_burn<={_NUMBER}"),
    "series": re.compile(rf"series:([a-z][a-z0-9_]*):([0-9]{{4}}(?:-Q[1-4])?)(<=|>=|=){_NUMBER}"),
    "chance": re.compile(rf"p_cash_zero_by:{_YEAR}<={_NUMBER}"),
}


def _periods_text(resolved: ResolvedScenario) -> str:
    return f"periods run from {resolved.periods[0]} to {resolved.periods[-1]}"


def _check_period(resolved: ResolvedScenario, period: str) -> None:
    if period not in resolved.periods:
        raise SolveError(f"there is no period '{period}'; {_periods_text(resolved)}")


def _variable_items(resolved: ResolvedScenario) -> str:
    return ", ".join(item.id for item in resolved.items if item.formula is None)


def _check_item(resolved: ResolvedScenario, item_id: str, *, constant_ok: bool) -> str:
    """``item_id``'s kind in the scenario: "input" or "constant"; refused otherwise."""
    kinds = {item.id: item.kind for item in resolved.items}
    kind = kinds.get(item_id)
    if kind is None:
        raise SolveError(
            f"there is no line item '{item_id}'; inputs and constants: {_variable_items(resolved)}"
        )
    if kind == "formula" or (kind == "constant" and not constant_ok):
        what = "calculated by a formula" if kind == "formula" else "a constant, not an input row"
        raise SolveError(
            f"'{item_id}' is {what} in scenario '{resolved.name}'; "
            f"input rows{' and constants' if constant_ok else ''}: "
            + ", ".join(
                item.id
                for item in resolved.items
                if item.kind == "input" or (constant_ok and item.kind == "constant")
            )
        )
    return kind


def parse_vary(text: str, resolved: ResolvedScenario) -> Variable:
    """A ``--vary`` form as a variable of ``resolved``; :class:`SolveError` says what is valid."""
    parts = text.strip().split(":")
    if len(parts) == 3 and parts[0] in ("round", "contract"):
        kind, row_id, field = parts
        fields = ("amount",) if kind == "round" else ("total_value", "gw")
        if field not in fields:
            raise SolveError(
                f"a {kind} varies by {' or '.join(fields)}, not '{field}' (in '{text}')"
            )
        variable = EventTerm(row_id, _EVENT_FIELDS[field])
        variable.row(resolved)  # refuses a row the scenario does not have, listing those it has
        return variable
    if len(parts) == 3 and parts[1] == "growth":
        item_id, _, period = parts
        _check_item(resolved, item_id, constant_ok=False)
        _check_period(resolved, period)
        growth = RowGrowth(item_id, period)
        growth.before(resolved)  # refuses a first period or a row that cannot grow
        return growth
    if len(parts) == 2:
        item_id, period = parts
        _check_item(resolved, item_id, constant_ok=False)
        _check_period(resolved, period)
        return InputCell(item_id, period)
    if len(parts) == 1 and parts[0]:
        item_ids = tuple(i.strip() for i in parts[0].split(","))
        kinds = [_check_item(resolved, i, constant_ok=True) for i in item_ids]
        if len(set(item_ids)) != len(item_ids):
            raise SolveError(f"'{text}' names a row twice; name each row once")
        if kinds == ["constant"]:
            return ConstantValue(item_ids[0])
        return RowScale(item_ids)
    raise SolveError(f"--vary '{text}' is not a variable; use {VARY_FORMS}")


def _number(text: str, what: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise SolveError(f"{what} must be a finite number, not {text}")
    return value


def _year(project: Project, text: str) -> int:
    year = int(text)
    years = sorted({period_year(p) for p in project.periods})
    if year not in years:
        raise SolveError(
            f"{year} is not in the horizon; choose a year from {years[0]} to {years[-1]}"
        )
    return year


def parse_target(text: str, project: Project, resolved: ResolvedScenario) -> Target:
    """A ``--target`` form; :class:`SolveError` says what is valid."""
    spec = text.strip().replace(" ", "")
    found = {name: pattern.fullmatch(spec) for name, pattern in _TARGETS.items()}
    match = next(((name, m) for name, m in found.items() if m is not None), None)
    if match is None:
        raise SolveError(f"--target '{text}' is not a target; use {TARGET_FORMS}")
    name, m = match
    target: Target
    if name == "cash":
        target = CashNeverBelowZero(None if m.group(1) is None else _year(project, m.group(1)))
    elif name == "breakeven":
        target = BreakevenBy(_year(project, m.group(1)))
    elif name in ("peak", "burn"):
        kpi: AtMostKpi = "peak_funding_need" if name == "peak" else "cumulative_burn"
        target = AtMost(kpi, _number(m.group(1), kpi))
    elif name == "series":
        series, period, op, value = m.groups()
        target = SeriesValue(series, period, _COMPARISONS[op], _number(value, "the value"))
    else:
        chance = _number(m.group(2), "the chance")
        if not 0 <= chance <= 1:
            raise SolveError(f"a chance is from 0 to 1 (0.05 is 5%), not {m.group(2)}")
        target = CashZeroChance.of_scenario(
            project, resolved.name, _year(project, m.group(1)), chance
        )
    target.check(project, resolved)
    return target
