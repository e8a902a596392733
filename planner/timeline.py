"""The project's timeline: building period labels and moving its first and last year.

:class:`SetTimeline` is an undoable command. Extending adds periods whose inputs
continue the nearest existing value (or grow from it at a rate the user gives);
shortening drops periods together with everything that lives only in them.
:func:`timeline_losses` names that, by label, for the question asked first.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass

from planner.balances import (
    carry_opening_balances,
    last_period_before,
    opening_balances,
    restarting_balances,
    start_labels,
)
from planner.commands import Command, CommandError, row_label
from planner.model import (
    FIRST_YEAR,
    LAST_YEAR,
    ComputeContract,
    FundingRound,
    Project,
    Scenario,
    period_year,
)

MAX_PERIODS = 600  # the project file's limit
QUARTERS = ("Q1", "Q2", "Q3", "Q4")


def timeline_periods(first_year: int, last_year: int, quarterly: bool = False) -> list[str]:
    """Period labels from ``first_year`` to ``last_year``: "2026", or "2026-Q1" to "2026-Q4".

    Raises :class:`CommandError` naming what is allowed.
    """
    if not FIRST_YEAR <= first_year <= LAST_YEAR or not FIRST_YEAR <= last_year <= LAST_YEAR:
        raise CommandError(f"years run from {FIRST_YEAR} to {LAST_YEAR}")
    if last_year < first_year:
        raise CommandError(f"the last year ({last_year}) is before the first ({first_year})")
    per_year = len(QUARTERS) if quarterly else 1
    count = (last_year - first_year + 1) * per_year
    if count > MAX_PERIODS:
        most = MAX_PERIODS // per_year
        kind = "quarters" if quarterly else "years"
        raise CommandError(
            f"{count} periods is too many: a project holds at most {MAX_PERIODS} periods "
            f"({most} years in {kind})"
        )
    years = range(first_year, last_year + 1)
    if not quarterly:
        return [str(year) for year in years]
    return [f"{year}-{quarter}" for year in years for quarter in QUARTERS]


def is_quarterly(project: Project) -> bool:
    return "-Q" in project.periods[0]


def _in_years(years: tuple[int, int], first: int, last: int) -> bool:
    return years[0] <= last and years[1] >= first


def _contract_inside(contract: ComputeContract, first: int, last: int) -> bool:
    """A contract stays when any of its delivery years is within the timeline."""
    return _in_years((contract.first_year, contract.last_year), first, last)


def _round_inside(row: FundingRound, periods: set[str]) -> bool:
    return row.period in periods


@dataclass(frozen=True)
class TimelineLosses:
    """What a new timeline would drop, in words a person recognises."""

    periods: tuple[str, ...] = ()
    overrides: tuple[str, ...] = ()  # "Bull case: Users 2023 to 2024, Price 2035"
    funding_rounds: tuple[str, ...] = ()  # "Microsoft round of 2023", "(Bull case)" added
    compute_contracts: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()  # notes on input cells of dropped periods
    reference_period: str | None = None
    carried: tuple[str, ...] = ()  # opening balances moved to the new start: kept, not lost
    restarted: tuple[str, ...] = ()  # balances whose history is lost: prev(x, 0) starts over

    @property
    def anything(self) -> bool:
        return bool(
            self.periods
            or self.overrides
            or self.funding_rounds
            or self.compute_contracts
            or self.notes
            or self.reference_period
        )

    def lines(self) -> list[str]:
        """One line per kind of loss, for the question before shortening."""
        out: list[str] = []
        if self.periods:
            count = len(self.periods)
            spans = ", ".join(_spans(self.periods))
            out.append(f"{count} period{'s' if count != 1 else ''} ({spans}) and their inputs")
        for title, names in (
            ("Scenario overrides", self.overrides),
            ("Funding rounds", self.funding_rounds),
            ("Compute contracts", self.compute_contracts),
            ("Notes on input cells", self.notes),
            ("Balances that start again from a fixed number", self.restarted),
        ):
            if names:
                out.append(f"{title}: " + _listed(names, "; "))
        if self.reference_period:
            out.append(
                f"The reference period {self.reference_period} "
                "(commitments to revenue then use the first year's revenue)"
            )
        return out


MOST_NAMED = 10  # a question is read, not scrolled: the rest are counted


def _listed(names: Sequence[str], separator: str) -> str:
    if len(names) <= MOST_NAMED:
        return separator.join(names)
    return separator.join(names[:MOST_NAMED]) + f"{separator}and {len(names) - MOST_NAMED} more"


def timeline_losses(project: Project, first_year: int, last_year: int) -> TimelineLosses:
    """Everything outside ``first_year`` to ``last_year`` that the change would drop."""
    kept = {p for p in project.periods if first_year <= period_year(p) <= last_year}
    dropped = tuple(p for p in project.periods if p not in kept)
    labels = {item.id: item.label for item in project.items}
    overrides: list[str] = []
    rounds = [
        row_label(r) for r in project.funding_rounds if not _round_inside(r, kept) and dropped
    ]
    contracts = [
        row_label(c)
        for c in project.compute_contracts
        if not _contract_inside(c, first_year, last_year)
    ]
    for scenario in project.scenarios:
        lost = [
            f"{labels.get(item_id, item_id)} "
            + ", ".join(_spans(tuple(p for p in project.periods if p in cells and p not in kept)))
            for item_id, cells in scenario.inputs.items()
            if any(p not in kept for p in cells)
        ]
        if lost:
            overrides.append(f"{scenario.name}: {_listed(lost, ', ')}")
        rounds += [
            f"{row_label(r)} ({scenario.name})"
            for r in scenario.funding_rounds.values()
            if not _round_inside(r, kept)
        ]
        contracts += [
            f"{row_label(c)} ({scenario.name})"
            for c in scenario.compute_contracts.values()
            if not _contract_inside(c, first_year, last_year)
        ]
    notes = [
        f"{item.label} {period}"
        for item in project.items
        for period in item.input_notes
        if period not in kept
    ]
    reference = project.reference_period
    cut = last_period_before(project.periods, first_year)
    labels_of = {item.id: item.label for item in project.items}
    balances = opening_balances(project) if cut is not None else []
    restarting = restarting_balances(project) if cut is not None else []
    renamed = start_labels(
        project,
        [b.constant for b in balances] + restarting,
        period_year(project.periods[0]),
        first_year,
    )

    def as_renamed(item_id: str, joint: str) -> str:
        return f"{joint} {renamed[item_id]}" if item_id in renamed else ""

    carried = tuple(
        f"{labels_of[b.constant]} takes the {cut} value of {labels_of[b.balance]}"
        + as_renamed(b.constant, " and is renamed")
        for b in balances
    )
    restarted = tuple(labels_of[i] + as_renamed(i, ", renamed") for i in restarting)
    return TimelineLosses(
        carried=carried,
        restarted=restarted,
        periods=dropped,
        overrides=tuple(overrides),
        funding_rounds=tuple(rounds),
        compute_contracts=tuple(contracts),
        notes=tuple(notes),
        reference_period=reference if reference is not None and reference not in kept else None,
    )


def earlier_start_balances(project: Project, first_year: int) -> list[str]:
    """The opening balances an earlier first year reads at its start, labelled as after the
    change: their values stand for a year they were not entered for."""
    old_first = period_year(project.periods[0])
    if first_year >= old_first:
        return []
    constants = [b.constant for b in opening_balances(project)]
    renamed = start_labels(project, constants, old_first, first_year)
    return [renamed.get(item_id, project.item(item_id).label) for item_id in constants]


@dataclass(frozen=True)
class _TimelineSnapshot:
    """Everything a timeline change touches, as it was: the exact inverse of the change."""

    periods: list[str]
    reference_period: str | None
    inputs: dict[str, list[float]]
    input_notes: dict[str, dict[str, str]]
    values: dict[str, float]
    labels: dict[str, str]
    notes: dict[str, str]
    funding_rounds: list[FundingRound]
    compute_contracts: list[ComputeContract]
    scenarios: list[Scenario]
    label: str = "Change timeline"

    @classmethod
    def of(cls, project: Project, label: str) -> _TimelineSnapshot:
        return cls(
            periods=list(project.periods),
            reference_period=project.reference_period,
            inputs={i.id: list(i.inputs) for i in project.items if i.inputs is not None},
            input_notes={i.id: dict(i.input_notes) for i in project.items},
            values={i.id: i.value for i in project.items if i.value is not None},
            labels={i.id: i.label for i in project.items},
            notes={i.id: i.note for i in project.items},
            funding_rounds=list(project.funding_rounds),
            compute_contracts=list(project.compute_contracts),
            scenarios=[s.model_copy(deep=True) for s in project.scenarios],
            label=label,
        )

    @property
    def description(self) -> str:
        return self.label

    def apply(self, project: Project) -> Command:
        before = _TimelineSnapshot.of(project, self.label)
        project.periods = list(self.periods)
        project.reference_period = self.reference_period
        for item in project.items:
            if item.id in self.inputs:
                item.inputs = list(self.inputs[item.id])
            item.input_notes = dict(self.input_notes.get(item.id, {}))
            if item.id in self.values:
                item.value = self.values[item.id]
            item.label = self.labels.get(item.id, item.label)
            item.note = self.notes.get(item.id, item.note)
        project.funding_rounds = list(self.funding_rounds)
        project.compute_contracts = list(self.compute_contracts)
        _restore_scenarios(project, self.scenarios)
        return before


def _restore_scenarios(project: Project, saved: list[Scenario]) -> None:
    """Put back each scenario's overrides and rows, keeping the scenario objects in place."""
    by_name = {s.name: s for s in saved}
    for scenario in project.scenarios:
        old = by_name.get(scenario.name)
        if old is None:
            continue
        scenario.inputs = copy.deepcopy(old.inputs)
        scenario.values = dict(old.values)
        scenario.funding_rounds = dict(old.funding_rounds)
        scenario.compute_contracts = dict(old.compute_contracts)
        scenario.removed_rows = list(old.removed_rows)


@dataclass(frozen=True)
class SetTimeline:
    """Move the first and last year; ``growth`` (0.08 for 8% a year) shapes added periods.

    Added periods continue the nearest value (grown by ``growth`` per year when given;
    rows in % stay flat: a share does not compound). Dropped periods take their inputs,
    overrides and notes with them, as do funding rounds in them and contracts wholly
    outside the new years.
    """

    first_year: int
    last_year: int
    growth: float | None = None

    @property
    def description(self) -> str:
        return f"Change timeline to {self.first_year}-{self.last_year}"

    def apply(self, project: Project) -> Command:
        if self.growth is not None and not -1 < self.growth <= 10:
            raise CommandError("a growth rate is above -100% and at most 1,000% a year")
        new_periods = timeline_periods(self.first_year, self.last_year, is_quarterly(project))
        before = _TimelineSnapshot.of(project, self.description)
        old_periods = list(project.periods)
        if new_periods == old_periods:
            return before
        old_first = period_year(old_periods[0])
        # An earlier start reads the opening balances as they stand, before the new first year.
        opening = opening_balances(project) if self.first_year < old_first else []
        carried = carry_opening_balances(project, self.first_year)
        if self.first_year != old_first:
            # What starts at the first year is dated by it: opening balances, carried to a
            # later start or read at an earlier one, and balances that start over from a
            # fixed number.
            dated = [b.constant for b in (*carried, *opening)] + restarting_balances(project)
            for item_id, label in start_labels(project, dated, old_first, self.first_year).items():
                project.item(item_id).label = label
        per_year = 4 if is_quarterly(project) else 1
        kept = set(new_periods)
        for item in project.items:
            if item.inputs is not None:
                rate = self._rate(project, item.id)
                item.inputs = _extended(item.inputs, old_periods, new_periods, rate, per_year)
            item.input_notes = {p: n for p, n in item.input_notes.items() if p in kept}
        for scenario in project.scenarios:
            extended = {
                item_id: _extended_cells(
                    cells, old_periods, new_periods, self._rate(project, item_id), per_year
                )
                for item_id, cells in scenario.inputs.items()
            }
            scenario.inputs = {item_id: cells for item_id, cells in extended.items() if cells}
            scenario.funding_rounds = {
                k: r for k, r in scenario.funding_rounds.items() if _round_inside(r, kept)
            }
            scenario.compute_contracts = {
                k: c
                for k, c in scenario.compute_contracts.items()
                if _contract_inside(c, self.first_year, self.last_year)
            }
        project.funding_rounds = [r for r in project.funding_rounds if _round_inside(r, kept)]
        project.compute_contracts = [
            c
            for c in project.compute_contracts
            if _contract_inside(c, self.first_year, self.last_year)
        ]
        base_rows = {r.id for r in project.funding_rounds} | {
            c.id for c in project.compute_contracts
        }
        for scenario in project.scenarios:
            scenario.removed_rows = [r for r in scenario.removed_rows if r in base_rows]
        project.periods = new_periods
        if project.reference_period not in kept:
            project.reference_period = None
        return before

    def _rate(self, project: Project, item_id: str) -> float | None:
        """The growth of an input row: none for shares and rates in %, which do not compound."""
        try:
            unit = project.item(item_id).unit
        except KeyError:
            unit = ""
        return None if unit.strip() == "%" else self.growth


def _grown(value: float, rate: float | None, steps: int, per_year: int) -> float:
    """``value`` moved ``steps`` periods on (negative: back) at ``rate`` a year."""
    if rate is None or steps == 0:
        return value
    return float(value * (1.0 + rate) ** (steps / per_year))


def _ordinal(period: str) -> int:
    """A period's place on a calendar of its own kind: years count 1, quarters 1 each."""
    if "-Q" in period:
        return period_year(period) * 4 + int(period[-1]) - 1
    return period_year(period)


def _extended(
    values: list[float],
    old: list[str],
    new: list[str],
    rate: float | None,
    per_year: int,
) -> list[float]:
    """A row of inputs on the new periods: kept where the period was, continued elsewhere."""
    by_period = dict(zip(old, values, strict=True))
    first, last = _ordinal(old[0]), _ordinal(old[-1])
    out: list[float] = []
    for period in new:
        if period in by_period:
            out.append(by_period[period])
            continue
        at = _ordinal(period)
        edge = old[-1] if at > last else old[0]
        steps = at - (last if at > last else first)
        out.append(_grown(by_period[edge], rate, steps, per_year))
    return out


def _extended_cells(
    cells: dict[str, float],
    old: list[str],
    new: list[str],
    rate: float | None,
    per_year: int,
) -> dict[str, float]:
    """A scenario's overrides of one row on the new periods.

    An override of the old last (first) period continues into the periods added after
    (before) it, as the base's values do; overrides of dropped periods go.
    """
    kept = set(new)
    out = {p: v for p, v in cells.items() if p in kept}
    first, last = _ordinal(old[0]), _ordinal(old[-1])
    for period in new:
        at = _ordinal(period)
        edge = old[-1] if at > last else old[0] if at < first else None
        if edge is not None and edge in cells:
            steps = at - _ordinal(edge)
            out[period] = _grown(cells[edge], rate, steps, per_year)
    return out


def _spans(periods: tuple[str, ...]) -> list[str]:
    """Runs of consecutive periods: "2023 to 2024", "2031 to 2035"."""
    runs: list[list[str]] = []
    for period in periods:
        if runs and _ordinal(period) == _ordinal(runs[-1][-1]) + 1:
            runs[-1].append(period)
        else:
            runs.append([period])
    return [run[0] if len(run) == 1 else f"{run[0]} to {run[-1]}" for run in runs]
