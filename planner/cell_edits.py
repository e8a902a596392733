"""Edits over blocks of cells, as a modeller makes them: growth paths and fills.

A cell is a line item and a period index. An input row has one cell per
period; a single value (a constant) lives in the first period's cell and the
others are blank. Every edit here is one :class:`~planner.commands.Macro`, so
it is one undo step, and it is refused whole, with the first problem named,
rather than applied in part.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from planner.commands import Command, CommandError, Macro, SetConstant, SetInput
from planner.model import LineItem, Project
from planner.numbers import grown
from planner.scenarios import ResolvedScenario, resolve

CellRef = tuple[str, int]  # (line item id, period index)
CONSTANT_PERIOD = 0  # a single value is shown and edited in the first period's cell


class _Cells:
    """The effective line items of one scenario, to read and write cells by reference."""

    def __init__(self, project: Project, scenario: str | None) -> None:
        self.project = project
        self.scenario = scenario
        self.resolved: ResolvedScenario = resolve(project, scenario)
        self.items = {item.id: item for item in self.resolved.items}

    def item(self, item_id: str) -> LineItem:
        try:
            return self.items[item_id]
        except KeyError:
            raise CommandError(f"there is no line item '{item_id}'") from None

    def where(self, ref: CellRef) -> str:
        item = self.item(ref[0])
        if item.kind == "constant":
            return f"'{item.label}'"
        return f"'{item.label}', {self.project.periods[ref[1]]}"

    def value(self, ref: CellRef) -> float | None:
        """The cell's value; None for a calculated cell or a single value's blank periods."""
        item = self.item(ref[0])
        if item.inputs is not None:
            return item.inputs[ref[1]]
        if item.value is not None and ref[1] == CONSTANT_PERIOD:
            return item.value
        return None

    def setter(self, ref: CellRef, value: float) -> Command:
        """The command that puts ``value`` in the cell; CommandError if it takes no typing."""
        item = self.item(ref[0])
        if item.kind == "formula":
            raise CommandError(f"{self.where(ref)} is calculated, not an input")
        if item.kind == "constant":
            if ref[1] != CONSTANT_PERIOD:
                first = self.project.periods[CONSTANT_PERIOD]
                raise CommandError(f"'{item.label}' is a single value, kept in the {first} column")
            return SetConstant(self.scenario, item.id, value)
        return SetInput(self.scenario, item.id, self.project.periods[ref[1]], value)


def set_cell(project: Project, scenario: str | None, ref: CellRef, value: float) -> Command:
    """The command that sets one cell of ``scenario`` (None: the base) to ``value``."""
    return _Cells(project, scenario).setter(ref, value)


def growth_edit(
    project: Project, scenario: str | None, cells: Iterable[CellRef], rate: float
) -> Macro:
    """Grow each row's cells by ``rate`` per period from the row's value before them.

    Within a row the first chosen cell is its previous period's value grown
    once, the next one grown again, and so on: a growth path.
    """
    sheet = _Cells(project, scenario)
    by_item: dict[str, list[int]] = {}
    for item_id, period in cells:
        by_item.setdefault(item_id, []).append(period)
    commands: list[Command] = []
    for item_id, periods in by_item.items():
        item = sheet.item(item_id)
        first = min(periods)
        if item.kind == "constant":
            raise CommandError(f"'{item.label}' is a single value: it has no previous period")
        if item.kind == "formula":
            raise CommandError(f"{sheet.where((item_id, first))} is calculated, not an input")
        if first == 0:
            raise CommandError(
                f"{sheet.where((item_id, first))} is the first period: "
                "there is no previous value to grow"
            )
        start = sheet.value((item_id, first - 1))
        assert start is not None  # an input row has a value in every period
        path = grown(start, rate, max(periods) - first + 1)
        for period in sorted(set(periods)):
            commands.append(sheet.setter((item_id, period), path[period - first]))
    if not commands:
        raise CommandError("no cells are selected")
    return Macro(tuple(commands), f"Grow by {rate * 100:+.4g}%")


def fill_edit(
    project: Project,
    scenario: str | None,
    pairs: Sequence[tuple[CellRef, CellRef]],
    label: str,
) -> Macro:
    """Copy each (source, target) pair's value; refused whole if any pair does not fit.

    A target must take typing (an input, or a single value's own cell), and a
    value moves only between rows of the same unit: a $B figure never lands in
    a % row.
    """
    sheet = _Cells(project, scenario)
    commands: list[Command] = []
    for source, target in pairs:
        value = sheet.value(source)
        if value is None:
            what = "calculated" if sheet.item(source[0]).kind == "formula" else "blank"
            raise CommandError(f"{sheet.where(source)} is {what}: there is nothing to copy")
        source_unit, target_unit = sheet.item(source[0]).unit, sheet.item(target[0]).unit
        if source_unit != target_unit:
            raise CommandError(
                f"{sheet.where(target)} is in {target_unit or 'no unit'}, "
                f"{sheet.where(source)} in {source_unit or 'no unit'}: the units differ"
            )
        commands.append(sheet.setter(target, value))
    if not commands:
        raise CommandError("there is nothing to fill: select the cells to fill as well")
    return Macro(tuple(commands), label)


def fill_down_pairs(
    item_ids: Sequence[str], periods: Sequence[int]
) -> list[tuple[CellRef, CellRef]]:
    """The first row's cells copied to the rows below it, column by column."""
    return [
        ((item_ids[0], period), (item_id, period)) for item_id in item_ids[1:] for period in periods
    ]


def fill_right_pairs(
    item_ids: Sequence[str], periods: Sequence[int]
) -> list[tuple[CellRef, CellRef]]:
    """Each row's first cell copied to the cells to its right."""
    return [
        ((item_id, periods[0]), (item_id, period)) for item_id in item_ids for period in periods[1:]
    ]
