"""Undoable edits of uncertainty ranges and correlations, as :mod:`planner.commands` does edits.

Each command applies itself to a project and returns the command that reverts
it. Ranges and correlations are validated exactly as the project file is.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from planner.analysis.sampling import correlation_problem
from planner.commands import Command, CommandError
from planner.model import Correlation, Project, Scenario, Uncertainty, validation_problem

DISTRIBUTIONS = ("triangular", "uniform", "pert", "lognormal")


def _validated(model: type[Uncertainty] | type[Correlation], data: Mapping[str, Any]) -> Any:
    try:
        return model.model_validate(dict(data))
    except ValidationError as exc:
        first = exc.errors()[0]
        raise CommandError(validation_problem(first)) from None


def make_range(
    item: str, distribution: str, low: float, high: float, note: str = ""
) -> Uncertainty:
    """A range checked as the project file checks it, or a CommandError saying why not."""
    data = {"item": item, "distribution": distribution, "low": low, "high": high}
    range_: Uncertainty = _validated(Uncertainty, {**data, "note": note.strip()})
    return range_


def make_correlation(first: str, second: str, rank: float, note: str = "") -> Correlation:
    """A correlation checked as the project file checks it, or a CommandError saying why not."""
    data = {"items": (first, second), "rank": rank, "note": note.strip()}
    correlation: Correlation = _validated(Correlation, data)
    return correlation


def _scenario(project: Project, name: str | None) -> Scenario | None:
    try:
        return None if name is None else project.scenario(name)
    except KeyError:
        raise CommandError(f"there is no scenario '{name}'") from None


def _ranges(project: Project, name: str | None) -> list[Uncertainty]:
    scenario = _scenario(project, name)
    return project.uncertainty if scenario is None else scenario.uncertainty


def _set_ranges(project: Project, name: str | None, ranges: list[Uncertainty]) -> None:
    scenario = _scenario(project, name)
    if scenario is None:
        project.uncertainty = ranges
    else:
        scenario.uncertainty = ranges


@dataclass(frozen=True)
class RestoreRanges:
    """The ranges of the base or one scenario as they were: the inverse of range edits."""

    scenario: str | None
    ranges: tuple[Uncertainty, ...]
    label: str = "Edit ranges"

    @property
    def description(self) -> str:
        return self.label

    def apply(self, project: Project) -> Command:
        before = RestoreRanges(self.scenario, tuple(_ranges(project, self.scenario)), self.label)
        _set_ranges(project, self.scenario, list(self.ranges))
        return before


@dataclass(frozen=True)
class PutRange:
    """Add a range, or replace the range of the same item; in a scenario, as an override."""

    scenario: str | None
    range: Uncertainty

    @property
    def description(self) -> str:
        return f"Set range of {self.range.item}"

    def apply(self, project: Project) -> Command:
        spec = make_range(**self.range.model_dump())
        try:
            item = project.item(spec.item)
        except KeyError:
            raise CommandError(f"there is no line item '{spec.item}'") from None
        scenario = _scenario(project, self.scenario)
        formula = item.formula is not None or (
            scenario is not None and spec.item in scenario.formulas
        )
        if formula:
            raise CommandError(
                f"'{item.label}' is calculated by a formula; only inputs and constants can vary"
            )
        before = _ranges(project, self.scenario)
        inverse = RestoreRanges(self.scenario, tuple(before), self.description)
        items = [r.item for r in before]
        ranges = list(before)
        if spec.item in items:
            ranges[items.index(spec.item)] = spec
        else:
            ranges.append(spec)
        _set_ranges(project, self.scenario, ranges)
        return inverse


@dataclass(frozen=True)
class RemoveRange:
    """Delete a base range, or drop a scenario's own range (back to the base's)."""

    scenario: str | None
    item: str

    @property
    def description(self) -> str:
        return f"Delete range of {self.item}"

    def apply(self, project: Project) -> Command:
        before = _ranges(project, self.scenario)
        if self.item not in [r.item for r in before]:
            where = "the base" if self.scenario is None else f"scenario '{self.scenario}'"
            raise CommandError(f"{where} has no range of '{self.item}'")
        if self.scenario is None:
            partners = [c for c in project.correlations if self.item in c.items]
            if partners:
                other = next(i for i in partners[0].items if i != self.item)
                raise CommandError(
                    f"'{self.item}' is correlated with '{other}'; "
                    "delete the correlation before the range"
                )
        inverse = RestoreRanges(self.scenario, tuple(before), self.description)
        _set_ranges(project, self.scenario, [r for r in before if r.item != self.item])
        return inverse


@dataclass(frozen=True)
class RestoreCorrelations:
    """The project's correlations as they were: the inverse of correlation edits."""

    correlations: tuple[Correlation, ...]
    label: str = "Edit correlations"

    @property
    def description(self) -> str:
        return self.label

    def apply(self, project: Project) -> Command:
        before = RestoreCorrelations(tuple(project.correlations), self.label)
        project.correlations = list(self.correlations)
        return before


@dataclass(frozen=True)
class PutCorrelation:
    """Add a correlation, or replace the one of the same pair (in either order)."""

    correlation: Correlation

    @property
    def description(self) -> str:
        a, b = self.correlation.items
        return f"Correlate {a} and {b}"

    def apply(self, project: Project) -> Command:
        a, b = self.correlation.items
        new = make_correlation(a, b, self.correlation.rank, self.correlation.note)
        ranged = {r.item for r in project.uncertainty}
        for item in new.items:
            if item not in ranged:
                raise CommandError(
                    f"'{item}' has no range in the base; give it one before correlating it"
                )
        pairs = [c.pair() for c in project.correlations]
        correlations = list(project.correlations)
        if new.pair() in pairs:
            correlations[pairs.index(new.pair())] = new
        else:
            correlations.append(new)
        problem = correlation_problem(correlations)
        if problem is not None:
            raise CommandError(problem)
        inverse = RestoreCorrelations(tuple(project.correlations), self.description)
        project.correlations = correlations
        return inverse


@dataclass(frozen=True)
class RemoveCorrelation:
    """Delete the correlation between two items (named in either order)."""

    items: tuple[str, str]

    @property
    def description(self) -> str:
        return f"Delete correlation of {self.items[0]} and {self.items[1]}"

    def apply(self, project: Project) -> Command:
        pair = frozenset(self.items)
        kept = [c for c in project.correlations if c.pair() != pair]
        if len(kept) == len(project.correlations):
            a, b = self.items
            raise CommandError(f"'{a}' and '{b}' are not correlated")
        inverse = RestoreCorrelations(tuple(project.correlations), self.description)
        project.correlations = kept
        return inverse


def describe_risk(project: Project, command: Command) -> str:
    """A risk command's description with line items named by their labels, not their ids.

    Call it before applying the command, as :func:`planner.commands.describe`.
    """
    labels = {item.id: item.label for item in project.items}
    if isinstance(command, PutRange):
        item = command.range.item
        known = item in [r.item for r in _ranges(project, command.scenario)]
        return f"{'Edit' if known else 'Add'} range of {labels.get(item, item)}"
    if isinstance(command, RemoveRange):
        label = labels.get(command.item, command.item)
        if command.scenario is None:
            return f"Delete range of {label}"
        return f"Reset range of {label} to base"
    if isinstance(command, PutCorrelation | RemoveCorrelation):
        items = command.correlation.items if isinstance(command, PutCorrelation) else command.items
        a, b = (labels.get(i, i) for i in items)
        if isinstance(command, RemoveCorrelation):
            return f"Delete correlation of {a} and {b}"
        known = frozenset(items) in [c.pair() for c in project.correlations]
        return f"{'Edit' if known else 'Add'} correlation of {a} and {b}"
    return command.description
