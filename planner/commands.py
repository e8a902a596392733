"""Edits as plain command objects: each applies itself to a project and returns its inverse.

The window wraps them in an undo stack; tests and scripts use them directly.
:func:`apply_checked` applies a command and undoes it again if the project no
longer evaluates, so a bad edit is refused with a message and nothing changes.
"""

from __future__ import annotations

from collections.abc import Container
from dataclasses import dataclass, field
from typing import Protocol

from planner.engine import Result, compile_items, evaluate
from planner.formula import FormulaError
from planner.model import (
    FIRST_YEAR,
    LAST_YEAR,
    ComputeContract,
    FundingRound,
    LineItem,
    Project,
    Scenario,
    check_colour,
    check_text,
)
from planner.scenario_colours import next_free_colour, scenario_colours
from planner.scenarios import ProjectError, check_structure, resolve

EventRow = FundingRound | ComputeContract


class CommandError(ValueError):
    """An edit that cannot be applied; the message says why."""


class Command(Protocol):
    """An edit: ``apply`` changes the project and returns the command that reverts it."""

    @property
    def description(self) -> str: ...

    def apply(self, project: Project) -> Command: ...


def _scenario(project: Project, name: str | None) -> Scenario | None:
    try:
        return None if name is None else project.scenario(name)
    except KeyError:
        raise CommandError(f"there is no scenario '{name}'") from None


def _checked_text(text: str, what: str, *, multiline: bool = False) -> str:
    """``text`` if a project may hold it, else a CommandError saying why."""
    try:
        return check_text(text, multiline=multiline)
    except ValueError as exc:
        raise CommandError(f"{what} {exc}") from None


def _item(project: Project, item_id: str) -> LineItem:
    try:
        return project.item(item_id)
    except KeyError:
        raise CommandError(f"there is no line item '{item_id}'") from None


@dataclass(frozen=True)
class SetInput:
    """Set one input cell; in a scenario, ``None`` removes the override (back to the base)."""

    scenario: str | None
    item_id: str
    period: str
    value: float | None

    @property
    def description(self) -> str:
        if self.value is None:
            return f"Reset {self.item_id} {self.period} to base"
        return f"Edit {self.item_id} {self.period}"

    @property
    def merge_key(self) -> tuple[str, str | None, str, str]:
        return ("input", self.scenario, self.item_id, self.period)

    def apply(self, project: Project) -> Command:
        item = _item(project, self.item_id)
        if item.inputs is None:
            raise CommandError(f"'{item.label}' is not an input row")
        if self.period not in project.periods:
            raise CommandError(f"there is no period '{self.period}'")
        index = project.period_index(self.period)
        scenario = _scenario(project, self.scenario)
        if scenario is None:
            if self.value is None:
                raise CommandError("the base scenario has no override to reset")
            old: float | None = item.inputs[index]
            values = list(item.inputs)
            values[index] = self.value
            item.inputs = values
        else:
            cells = dict(scenario.inputs.get(self.item_id, {}))
            old = cells.pop(self.period, None)
            if self.value is not None:
                cells[self.period] = self.value
            if cells:
                scenario.inputs[self.item_id] = cells
            else:
                scenario.inputs.pop(self.item_id, None)
        return SetInput(self.scenario, self.item_id, self.period, old)


@dataclass(frozen=True)
class SetConstant:
    """Set a constant; in a scenario, ``None`` removes the override."""

    scenario: str | None
    item_id: str
    value: float | None

    @property
    def description(self) -> str:
        return f"Edit {self.item_id}"

    @property
    def merge_key(self) -> tuple[str, str | None, str, str]:
        return ("constant", self.scenario, self.item_id, "")

    def apply(self, project: Project) -> Command:
        item = _item(project, self.item_id)
        if item.value is None:
            raise CommandError(f"'{item.label}' is not a constant")
        scenario = _scenario(project, self.scenario)
        old: float | None
        if scenario is None:
            if self.value is None:
                raise CommandError("the base scenario has no override to reset")
            old, item.value = item.value, self.value
        else:
            old = scenario.values.pop(self.item_id, None)
            if self.value is not None:
                scenario.values[self.item_id] = self.value
        return SetConstant(self.scenario, self.item_id, old)


def check_formula(project: Project, scenario: str | None, item_id: str, text: str) -> None:
    """Raise :class:`FormulaError` if ``text`` as ``item_id``'s formula does not compile."""
    if not text.strip():
        raise FormulaError(item_id, "the formula is empty")
    resolved = resolve(project, scenario)
    items = [
        item.model_copy(update={"formula": text, "inputs": None, "value": None})
        if item.id == item_id
        else item
        for item in resolved.items
    ]
    compile_items(items)


@dataclass(frozen=True)
class SetFormula:
    """Replace a formula (compiled first; refused with the formula's error); ``None`` resets."""

    scenario: str | None
    item_id: str
    text: str | None

    @property
    def description(self) -> str:
        return f"Edit formula of {self.item_id}"

    def apply(self, project: Project) -> Command:
        item = _item(project, self.item_id)
        scenario = _scenario(project, self.scenario)
        if self.text is not None:
            check_formula(project, self.scenario, self.item_id, self.text)
        old: str | None
        if scenario is None:
            if item.formula is None or self.text is None:
                raise CommandError(f"'{item.label}' is not calculated by a formula")
            old, item.formula = item.formula, self.text.strip()
        else:
            old = scenario.formulas.pop(self.item_id, None)
            if self.text is not None:
                scenario.formulas[self.item_id] = self.text.strip()
        return SetFormula(self.scenario, self.item_id, old)


@dataclass(frozen=True)
class SetNote:
    """The source note of a line item, or of one of its input cells when ``period`` is given."""

    item_id: str
    period: str | None
    text: str

    @property
    def description(self) -> str:
        return f"Edit note of {self.item_id}"

    def apply(self, project: Project) -> Command:
        item = _item(project, self.item_id)
        text = self.text.strip()
        if len(text) > 4000:
            raise CommandError("a note is at most 4,000 characters")
        _checked_text(text, "the note", multiline=True)
        if self.period is None:
            old, item.note = item.note, text
            return SetNote(self.item_id, None, old)
        if self.period not in project.periods:
            raise CommandError(f"there is no period '{self.period}'")
        notes = dict(item.input_notes)
        old = notes.pop(self.period, "")
        if text:
            notes[self.period] = text
        item.input_notes = notes
        return SetNote(self.item_id, self.period, old)


def scenario_name_problem(project: Project, name: str) -> str | None:
    """Why ``name`` cannot name a new scenario, or None if it can."""
    try:
        _check_name(project, name)
    except CommandError as exc:
        return str(exc)
    return None


def _check_name(project: Project, name: str) -> str:
    name = name.strip()
    if not name:
        raise CommandError("a scenario needs a name")
    if len(name) > 200:
        raise CommandError("a scenario name is at most 200 characters")
    _checked_text(name, "the scenario name")
    if name in project.scenario_names:
        raise CommandError(f"there is already a scenario named '{name}'")
    return name


@dataclass(frozen=True)
class AddScenario:
    """Insert a scenario (a new one, a duplicate, or one being restored) at ``index``."""

    scenario: Scenario
    index: int | None = None
    restoring: bool = False  # undoing a deletion: exactly as it was, colour or none

    @property
    def description(self) -> str:
        return f"Add scenario {self.scenario.name}"

    def apply(self, project: Project) -> Command:
        _check_name(project, self.scenario.name)
        index = len(project.scenarios) if self.index is None else self.index
        scenario = self.scenario.model_copy(deep=True)
        if scenario.colour is None and not self.restoring:
            scenario.colour = next_free_colour(project)
        project.scenarios.insert(index, scenario)
        return RemoveScenario(self.scenario.name)


@dataclass(frozen=True)
class RemoveScenario:
    name: str

    @property
    def description(self) -> str:
        return f"Delete scenario {self.name}"

    def apply(self, project: Project) -> Command:
        scenario = _scenario(project, self.name)
        if scenario is None:
            raise CommandError("the base scenario cannot be deleted")
        index = project.scenarios.index(scenario)
        project.scenarios.pop(index)
        return AddScenario(scenario, index, restoring=True)


def duplicate_scenario(project: Project, name: str, new_name: str) -> AddScenario:
    """A command adding a copy of ``name`` (the base copies as an empty scenario)."""
    source = _scenario(project, name)
    base = _scenario(project, None)
    copy = (source or base or Scenario(name=new_name)).model_copy(deep=True)
    copy.name = new_name
    copy.colour = None  # a colour of its own, given when it is added
    if source is None:
        copy.description = project.base_description
    index = project.scenarios.index(source) + 1 if source is not None else 0
    return AddScenario(copy, index)


def unused_name(project: Project, stem: str) -> str:
    """``stem``, or ``stem 2``, ``stem 3``... whichever is free."""
    names = set(project.scenario_names)
    if stem not in names:
        return stem
    n = 2
    while f"{stem} {n}" in names:
        n += 1
    return f"{stem} {n}"


@dataclass(frozen=True)
class RenameScenario:
    old: str
    new: str

    @property
    def description(self) -> str:
        return f"Rename scenario {self.old}"

    def apply(self, project: Project) -> Command:
        scenario = _scenario(project, self.old)
        new = self.new.strip()
        if new == self.old:
            return RenameScenario(self.old, self.old)
        new = _check_name(project, new)
        if scenario is None:
            project.base_name = new
        else:
            scenario.name = new
        return RenameScenario(new, self.old)


@dataclass(frozen=True)
class SetDescription:
    name: str
    text: str

    @property
    def description(self) -> str:
        return f"Describe scenario {self.name}"

    def apply(self, project: Project) -> Command:
        scenario = _scenario(project, self.name)
        text = " ".join(self.text.split())
        if len(text) > 200:
            raise CommandError("a description is at most 200 characters")
        _checked_text(text, "the description")
        if scenario is None:
            old, project.base_description = project.base_description, text
        else:
            old, scenario.description = scenario.description, text
        return SetDescription(self.name, old)


@dataclass(frozen=True)
class SetScenarioColour:
    """The colour a scenario is drawn in ("#rrggbb"); the base's colour is fixed."""

    name: str
    colour: str

    @property
    def description(self) -> str:
        return f"Colour of scenario {self.name}"

    def apply(self, project: Project) -> Command:
        scenario = _scenario(project, self.name)
        if scenario is None:
            raise CommandError("the base scenario keeps its own colour")
        try:
            colour = check_colour(self.colour)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        old = scenario_colours(project)[self.name]
        scenario.colour = colour
        return SetScenarioColour(self.name, old)


@dataclass(frozen=True)
class _RowsState:
    """Everything the event tables of the base or one scenario hold; the inverse of row edits."""

    scenario: str | None
    funding_rounds: tuple[FundingRound, ...]
    compute_contracts: tuple[ComputeContract, ...]
    removed: tuple[str, ...] = ()
    label: str = "Edit event rows"

    @property
    def description(self) -> str:
        return self.label

    def apply(self, project: Project) -> Command:
        before = _rows_state(project, self.scenario, self.label)
        scenario = _scenario(project, self.scenario)
        if scenario is None:
            project.funding_rounds = list(self.funding_rounds)
            project.compute_contracts = list(self.compute_contracts)
        else:
            scenario.funding_rounds = {r.id: r for r in self.funding_rounds}
            scenario.compute_contracts = {c.id: c for c in self.compute_contracts}
            scenario.removed_rows = list(self.removed)
        return before


def _rows_state(project: Project, name: str | None, label: str) -> _RowsState:
    scenario = _scenario(project, name)
    if scenario is None:
        return _RowsState(
            None, tuple(project.funding_rounds), tuple(project.compute_contracts), (), label
        )
    return _RowsState(
        name,
        tuple(scenario.funding_rounds.values()),
        tuple(scenario.compute_contracts.values()),
        tuple(scenario.removed_rows),
        label,
    )


def _base_row_ids(project: Project) -> set[str]:
    return {r.id for r in project.funding_rounds} | {c.id for c in project.compute_contracts}


@dataclass(frozen=True)
class PutRow:
    """Add an event row or replace the row with the same id; in a scenario, as an override."""

    scenario: str | None
    row: EventRow

    @property
    def description(self) -> str:
        return f"Edit row {self.row.id}"

    def apply(self, project: Project) -> Command:
        row = self.row
        if isinstance(row, FundingRound):
            _checked_text(row.investor, "the investor's name")
        else:
            _checked_text(row.counterparty, "the counterparty's name")
        _checked_text(row.note, f"the note of the {row_label(row)}", multiline=True)
        before = _rows_state(project, self.scenario, self.description)
        scenario = _scenario(project, self.scenario)
        if scenario is None:
            is_round = isinstance(row, FundingRound)
            rows: list[EventRow] = list(
                project.funding_rounds if is_round else project.compute_contracts
            )
            ids = [r.id for r in rows]
            if row.id in ids:
                rows[ids.index(row.id)] = row
            else:
                rows.append(row)
            if isinstance(row, FundingRound):
                project.funding_rounds = [r for r in rows if isinstance(r, FundingRound)]
            else:
                project.compute_contracts = [r for r in rows if isinstance(r, ComputeContract)]
        else:
            if isinstance(row, FundingRound):
                scenario.funding_rounds = {**scenario.funding_rounds, row.id: row}
            else:
                scenario.compute_contracts = {**scenario.compute_contracts, row.id: row}
            scenario.removed_rows = [r for r in scenario.removed_rows if r != row.id]
        return before


@dataclass(frozen=True)
class RemoveRow:
    """Remove an event row; in a scenario a base row is marked removed, an added one deleted."""

    scenario: str | None
    row_id: str

    @property
    def description(self) -> str:
        return f"Delete row {self.row_id}"

    def apply(self, project: Project) -> Command:
        before = _rows_state(project, self.scenario, self.description)
        scenario = _scenario(project, self.scenario)
        if scenario is None:
            if self.row_id not in _base_row_ids(project):
                raise CommandError(f"there is no row '{self.row_id}'")
            project.funding_rounds = [r for r in project.funding_rounds if r.id != self.row_id]
            project.compute_contracts = [
                c for c in project.compute_contracts if c.id != self.row_id
            ]
            return before
        scenario.funding_rounds = {
            k: v for k, v in scenario.funding_rounds.items() if k != self.row_id
        }
        scenario.compute_contracts = {
            k: v for k, v in scenario.compute_contracts.items() if k != self.row_id
        }
        if self.row_id in _base_row_ids(project) and self.row_id not in scenario.removed_rows:
            scenario.removed_rows = [*scenario.removed_rows, self.row_id]
        return before


@dataclass(frozen=True)
class ResetRow:
    """Drop a scenario's own version of a base event row (or its removal): back to the base."""

    scenario: str
    row_id: str

    @property
    def description(self) -> str:
        return f"Reset row {self.row_id} to base"

    def apply(self, project: Project) -> Command:
        before = _rows_state(project, self.scenario, self.description)
        scenario = _scenario(project, self.scenario)
        if scenario is None:
            raise CommandError("the base scenario has no override to reset")
        if self.row_id not in _base_row_ids(project):
            raise CommandError(f"'{self.row_id}' is not a row of the base scenario")
        scenario.funding_rounds = {
            k: v for k, v in scenario.funding_rounds.items() if k != self.row_id
        }
        scenario.compute_contracts = {
            k: v for k, v in scenario.compute_contracts.items() if k != self.row_id
        }
        scenario.removed_rows = [r for r in scenario.removed_rows if r != self.row_id]
        return before


def new_row_id(project: Project, stem: str) -> str:
    """A row id not used by the base or any scenario."""
    used = _base_row_ids(project)
    for scenario in project.scenarios:
        used |= set(scenario.funding_rounds) | set(scenario.compute_contracts)
    return numbered_id(stem, used)


def numbered_id(stem: str, used: Container[str]) -> str:
    """``stem`` numbered from 1 ("round1", "round2", …): the first not in ``used``."""
    n = 1
    while f"{stem}{n}" in used:
        n += 1
    return f"{stem}{n}"


NEW_CONTRACT_YEARS = 5


def first_forecast_year(project: Project) -> int:
    """The year of the first period after the reference period (the last one with actual data).

    Without a reference period, or when it is the last period, the first period's year.
    """
    periods = project.periods
    reference = project.reference_period
    if reference in periods and periods.index(reference) + 1 < len(periods):
        return int(periods[periods.index(reference) + 1][:4])
    return int(periods[0][:4])


def new_contract_years(project: Project) -> tuple[int, int]:
    """First and last delivery year of a new contract: the first forecast year, then a few more.

    The span stays within the horizon where it can, so the contract is seen at once.
    """
    first = first_forecast_year(project)
    horizon_end = int(project.periods[-1][:4])
    last = max(first, min(first + NEW_CONTRACT_YEARS - 1, horizon_end))
    return first, last


def with_delivery_year(contract: ComputeContract, field: str, year: int) -> ComputeContract:
    """``contract`` with its first or last delivery year set to ``year``.

    The two years can be edited in either order: a first year past the last moves the
    last along (and a last year before the first moves the first back), keeping the span.
    Raises ``ValueError`` (pydantic's) for a year out of range.
    """
    span = contract.last_year - contract.first_year
    first, last = contract.first_year, contract.last_year
    if field == "first_year":
        first = year
        if last < first:
            last = min(first + span, LAST_YEAR)
    elif field == "last_year":
        last = year
        if last < first:
            first = max(last - span, FIRST_YEAR)
    else:
        raise ValueError(f"'{field}' is not a delivery year")
    return ComputeContract.model_validate(
        {**contract.model_dump(), "first_year": first, "last_year": last}
    )


@dataclass(frozen=True)
class Macro:
    """Several commands as one edit (a paste); applied in order, reverted in reverse."""

    commands: tuple[Command, ...]
    label: str = "Paste"

    @property
    def description(self) -> str:
        return self.label

    def apply(self, project: Project) -> Command:
        inverses: list[Command] = []
        try:
            for command in self.commands:
                inverses.append(command.apply(project))
        except Exception:
            for inverse in reversed(inverses):
                inverse.apply(project)
            raise
        return Macro(tuple(reversed(inverses)), self.label)


def row_label(row: EventRow) -> str:
    """How people tell event rows apart: "Microsoft round of 2025", "Oracle contract 2027-2031".

    Ids are internal: messages and undo steps name rows this way instead.
    """
    if isinstance(row, FundingRound):
        return f"{row.investor} round of {row.period}"
    return f"{row.counterparty} contract {row.first_year}-{row.last_year}"


def _find_row(project: Project, scenario: str | None, row_id: str) -> EventRow | None:
    try:
        resolved = resolve(project, scenario)
    except (KeyError, ProjectError):
        resolved = resolve(project, None)
    rows: list[EventRow] = [*resolved.funding_rounds, *resolved.compute_contracts]
    rows += [*project.funding_rounds, *project.compute_contracts]
    return next((row for row in rows if row.id == row_id), None)


def describe(project: Project, command: Command) -> str:
    """``command``'s description with line items and rows named by their labels, not their ids.

    Call it before applying the command: a row about to be deleted is still there to name.
    """
    labels = {item.id: item.label for item in project.items}
    if isinstance(command, SetInput):
        label = labels.get(command.item_id, command.item_id)
        if command.value is None:
            return f"Reset {label} {command.period} to base"
        return f"Edit {label} {command.period}"
    if isinstance(command, SetConstant):
        return f"Edit {labels.get(command.item_id, command.item_id)}"
    if isinstance(command, SetFormula):
        label = labels.get(command.item_id, command.item_id)
        if command.text is None:
            return f"Use the base formula of {label}"
        return f"Edit formula of {label}"
    if isinstance(command, SetNote):
        label = labels.get(command.item_id, command.item_id)
        return f"Edit note of {label}" + (f" {command.period}" if command.period else "")
    if isinstance(command, PutRow):
        known = _find_row(project, command.scenario, command.row.id)
        verb = "Edit" if known is not None else "Add"
        return f"{verb} {row_label(command.row)}"
    if isinstance(command, RemoveRow | ResetRow):
        found = _find_row(project, command.scenario, command.row_id)
        name = row_label(found) if found is not None else command.row_id
        return f"Delete {name}" if isinstance(command, RemoveRow) else f"Reset {name} to base"
    described = getattr(command, "described", None)  # commands that name items themselves
    if callable(described):
        return str(described(project))
    return command.description


@dataclass
class Applied:
    """An applied command: its inverse and every scenario's fresh result."""

    inverse: Command
    results: dict[str, Result] = field(default_factory=dict)


def evaluate_all(project: Project) -> dict[str, Result]:
    """Check the structure and evaluate every scenario; raises ProjectError or FormulaError."""
    check_structure(project)
    return {name: evaluate(project, name) for name in project.scenario_names}


_SCENARIO_SCOPED = (SetInput, SetConstant, SetFormula, PutRow, RemoveRow, ResetRow)


def affected_scenarios(command: Command) -> set[str] | None:
    """The scenarios whose values ``command`` can change; None when it may change any."""
    if isinstance(command, Macro):
        names: set[str] = set()
        for part in command.commands:
            found = affected_scenarios(part)
            if found is None:
                return None
            names |= found
        return names
    if isinstance(command, _SCENARIO_SCOPED) and command.scenario is not None:
        return {command.scenario}
    if isinstance(command, SetScenarioColour):
        return set()  # how it is drawn, not what it computes
    return None


def _values_only(command: Command) -> bool:
    """True for edits of numbers that cannot make the project's structure inconsistent."""
    if isinstance(command, Macro):
        return all(_values_only(part) for part in command.commands)
    return isinstance(command, SetInput | SetConstant | SetScenarioColour)


def apply_checked(
    project: Project, command: Command, previous: dict[str, Result] | None = None
) -> Applied:
    """Apply ``command``; if any scenario then fails to evaluate, revert and raise CommandError.

    With ``previous`` results, scenarios the command cannot affect are not evaluated again.
    """
    try:
        inverse = command.apply(project)
    except (FormulaError, ProjectError, ValueError) as exc:
        raise CommandError(str(exc)) from None
    affected = affected_scenarios(command)
    try:
        if not _values_only(command):
            check_structure(project)
        stale = set(project.scenario_names) if affected is None else affected
        kept = previous or {}
        results = {
            name: evaluate(project, name) if name in stale or name not in kept else kept[name]
            for name in project.scenario_names
        }
    except (FormulaError, ProjectError, KeyError) as exc:
        inverse.apply(project)
        raise CommandError(str(exc)) from None
    return Applied(inverse, results)


def override_summary(project: Project, name: str) -> str:
    """What a scenario changes, in words: "6 input cells, 1 constant, 2 rows removed"."""
    scenario = _scenario(project, name)
    if scenario is None:
        return "The base: other scenarios follow it wherever they do not override it."
    cells = sum(len(c) for c in scenario.inputs.values())
    parts = [
        (cells, "input cell", "input cells"),
        (len(scenario.values), "constant", "constants"),
        (len(scenario.formulas), "formula", "formulas"),
        (
            len(scenario.funding_rounds) + len(scenario.compute_contracts),
            "event row changed",
            "event rows changed",
        ),
        (len(scenario.removed_rows), "event row removed", "event rows removed"),
    ]
    words = [f"{n} {one if n == 1 else many}" for n, one, many in parts if n]
    if not words:
        return "Overrides nothing yet: it follows the base everywhere."
    return "Overrides " + ", ".join(words) + "."
