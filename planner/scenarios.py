"""Scenarios: merging a scenario's overrides over the base, and checking a project."""

from __future__ import annotations

from collections.abc import KeysView, Mapping, Sequence
from dataclasses import dataclass
from itertools import chain
from typing import TypeVar

from planner.analysis.sampling import correlation_problem
from planner.model import (
    EVENT_SERIES,
    FIRST_YEAR,
    LAST_YEAR,
    REQUIRED_ITEMS,
    ComputeContract,
    FundingRound,
    LineItem,
    Project,
    Scenario,
    Uncertainty,
)


class ProjectError(ValueError):
    """A project whose structure is inconsistent; the message says where."""


@dataclass(frozen=True)
class ResolvedScenario:
    """The base with one scenario's overrides applied: what the engine evaluates."""

    name: str
    periods: tuple[str, ...]
    items: tuple[LineItem, ...]
    funding_rounds: tuple[FundingRound, ...]
    compute_contracts: tuple[ComputeContract, ...]
    reference_period: str | None


def resolve(project: Project, name: str | None = None) -> ResolvedScenario:
    """The effective model of scenario ``name`` (the base when None)."""
    scenario = project.scenario(name or project.base_name)
    if scenario is None:
        return ResolvedScenario(
            name=project.base_name,
            periods=tuple(project.periods),
            items=tuple(project.items),
            funding_rounds=tuple(project.funding_rounds),
            compute_contracts=tuple(project.compute_contracts),
            reference_period=project.reference_period,
        )
    items = []
    for item in project.items:
        changes: dict[str, object] = {}
        if item.id in scenario.formulas:
            changes = {"formula": scenario.formulas[item.id], "inputs": None, "value": None}
        elif item.inputs is not None and item.id in scenario.inputs:
            cells = scenario.inputs[item.id]
            changes = {
                "inputs": [
                    cells.get(period, base)
                    for period, base in zip(project.periods, item.inputs, strict=True)
                ]
            }
        elif item.value is not None and item.id in scenario.values:
            changes = {"value": scenario.values[item.id]}
        items.append(item.model_copy(update=changes) if changes else item)
    removed = set(scenario.removed_rows)
    rounds = _merge_rows(project.funding_rounds, scenario.funding_rounds, removed)
    contracts = _merge_rows(project.compute_contracts, scenario.compute_contracts, removed)
    return ResolvedScenario(
        name=scenario.name,
        periods=tuple(project.periods),
        items=tuple(items),
        funding_rounds=tuple(rounds),
        compute_contracts=tuple(contracts),
        reference_period=project.reference_period,
    )


Row = TypeVar("Row", FundingRound, ComputeContract)


def _merge_rows(base: list[Row], overrides: dict[str, Row], removed: set[str]) -> list[Row]:
    merged = [overrides.get(row.id, row) for row in base if row.id not in removed]
    base_ids = {row.id for row in base}
    merged.extend(row for row_id, row in overrides.items() if row_id not in base_ids)
    return merged


def check_structure(project: Project) -> None:
    """Raise :class:`ProjectError` for anything the schema alone cannot catch."""
    check_periods(project.periods)
    periods = set(project.periods)
    if project.reference_period is not None and project.reference_period not in periods:
        raise ProjectError(f"reference_period '{project.reference_period}' is not a period")
    items: dict[str, LineItem] = {}
    for item in project.items:
        where = f"line item '{item.id}'"
        if item.id in items:
            raise ProjectError(f"{where}: the id is used twice")
        if item.id in EVENT_SERIES:
            raise ProjectError(f"{where}: the id is reserved for a series of the event tables")
        items[item.id] = item
        kinds = [item.inputs is not None, item.value is not None, item.formula is not None]
        if sum(kinds) != 1:
            raise ProjectError(f"{where}: give exactly one of inputs, value or formula")
        if item.inputs is not None and len(item.inputs) != len(periods):
            raise ProjectError(
                f"{where}: {len(item.inputs)} input values for {len(periods)} periods"
            )
        for period in item.input_notes:
            if period not in periods:
                raise ProjectError(f"{where}: a note names the unknown period '{period}'")
    _check_required(items)
    input_rows = {i.id for i in project.items if i.inputs is not None}
    constants = {i.id for i in project.items if i.value is not None}
    _check_rows(project.funding_rounds, project.compute_contracts, periods, "base")
    names = {project.base_name}
    for scenario in project.scenarios:
        where = f"scenario '{scenario.name}'"
        if scenario.name in names:
            raise ProjectError(f"{where}: the name is used twice")
        names.add(scenario.name)
        _check_overrides(scenario, input_rows, constants, items.keys(), periods)
        removed = set(scenario.removed_rows)
        rounds = _merge_rows(project.funding_rounds, scenario.funding_rounds, removed)
        contracts = _merge_rows(project.compute_contracts, scenario.compute_contracts, removed)
        _check_rows(rounds, contracts, periods, where)
    _check_uncertainty(project, items)


def _check_overrides(
    scenario: Scenario,
    input_rows: set[str],
    constants: set[str],
    items: KeysView[str],
    periods: set[str],
) -> None:
    # Set operations rather than a loop per cell: a scenario may override thousands.
    where = f"scenario '{scenario.name}'"
    if not input_rows.issuperset(scenario.inputs):
        bad = next(i for i in scenario.inputs if i not in input_rows)
        raise ProjectError(f"{where}: overrides inputs of '{bad}', not an input row")
    if not periods.issuperset(chain.from_iterable(scenario.inputs.values())):
        cells = chain.from_iterable(scenario.inputs.values())
        unknown = next(p for p in cells if p not in periods)
        raise ProjectError(f"{where}: overrides the unknown period '{unknown}'")
    if not constants.issuperset(scenario.values):
        bad = next(i for i in scenario.values if i not in constants)
        raise ProjectError(f"{where}: overrides the value of '{bad}', not a constant")
    if not items >= scenario.formulas.keys():
        bad = next(i for i in scenario.formulas if i not in items)
        raise ProjectError(f"{where}: overrides the formula of unknown '{bad}'")


def check_periods(periods: Sequence[str]) -> None:
    """Periods run forward one year, or one quarter, at a time, from 1900 to 2200."""
    if not periods:
        raise ProjectError("periods: the project has no periods")
    quarterly = "-Q" in periods[0]
    step = "one quarter" if quarterly else "one year"
    previous: str | None = None
    for period in periods:
        year = int(period[:4])
        if not FIRST_YEAR <= year <= LAST_YEAR:
            raise ProjectError(
                f"periods: '{period}' is not a year from {FIRST_YEAR} to {LAST_YEAR}"
            )
        if ("-Q" in period) != quarterly:
            raise ProjectError(
                f"periods: '{period}' follows '{previous}'; "
                "periods are all years or all quarters, not both"
            )
        if previous is not None and period != _next_period(previous):
            raise ProjectError(
                f"periods: '{period}' follows '{previous}'; periods must run forward {step} "
                "at a time"
            )
        previous = period


def _next_period(period: str) -> str:
    year = int(period[:4])
    if "-Q" not in period:
        return str(year + 1)
    quarter = int(period[-1])
    return f"{year + 1}-Q1" if quarter == 4 else f"{year}-Q{quarter + 1}"


def _check_required(items: dict[str, LineItem]) -> None:
    for item_id in REQUIRED_ITEMS:
        if item_id not in items:
            needed = ", ".join(REQUIRED_ITEMS[:-1]) + f" and {REQUIRED_ITEMS[-1]}"
            raise ProjectError(
                f"the project has no line item '{item_id}'; Burnrate needs {needed} "
                "to compute its key figures"
            )


def _check_uncertainty(project: Project, items: dict[str, LineItem]) -> None:
    _check_ranges(project.uncertainty, items, {}, "")
    for scenario in project.scenarios:
        where = f"scenario '{scenario.name}': "
        _check_ranges(scenario.uncertainty, items, scenario.formulas, where)
    base_ranges = {entry.item for entry in project.uncertainty}
    for correlation in project.correlations:
        for item in correlation.items:
            if item not in base_ranges:
                a, b = correlation.items
                raise ProjectError(
                    f"the correlation of '{a}' and '{b}': '{item}' has no range in the base; "
                    "only inputs with a range can be correlated"
                )
    problem = correlation_problem(project.correlations)
    if problem is not None:
        raise ProjectError(problem)


def _check_ranges(
    ranges: Sequence[Uncertainty],
    items: dict[str, LineItem],
    formulas: Mapping[str, str],
    where_prefix: str,
) -> None:
    varied: set[str] = set()
    for entry in ranges:
        where = f"{where_prefix}uncertainty of '{entry.item}'"
        if entry.item in varied:
            raise ProjectError(f"{where}: the item is listed twice; give one range per item")
        varied.add(entry.item)
        if entry.item not in items:
            raise ProjectError(f"{where}: there is no line item '{entry.item}'")
        if items[entry.item].formula is not None or entry.item in formulas:
            raise ProjectError(
                f"{where}: '{entry.item}' is calculated by a formula; "
                "only inputs and constants can vary"
            )


def _check_rows(
    rounds: Sequence[FundingRound],
    contracts: Sequence[ComputeContract],
    periods: set[str],
    where: str,
) -> None:
    row_ids: set[str] = set()
    for row in rounds:
        if row.id in row_ids:
            raise ProjectError(f"{where}: the row id '{row.id}' is used twice")
        row_ids.add(row.id)
        if row.period not in periods:
            raise ProjectError(
                f"{where}: the funding round from {row.investor} is in the unknown period "
                f"'{row.period}'"
            )
    for contract in contracts:
        if contract.id in row_ids:
            raise ProjectError(f"{where}: the row id '{contract.id}' is used twice")
        row_ids.add(contract.id)
        if contract.last_year < contract.first_year:
            raise ProjectError(
                f"{where}: the compute contract with {contract.counterparty} "
                f"ends ({contract.last_year}) "
                f"before it starts ({contract.first_year})"
            )
