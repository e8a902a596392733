"""An imported project must evaluate in every scenario; if it does not, name the cell why.

A number can be valid on its own and still break the model: 1e308 in an input
makes every sum over it overflow, and the project could then be neither shown
nor exported. The engine names the line item and period that came out as
infinity or not a number. The inputs that item reads, directly or through
other items, are then set to zero one at a time, the largest first, until the
scenario evaluates: the cell whose change made the difference is named.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable

from planner.compiled import Array
from planner.engine import dependencies, evaluate, evaluate_resolved, input_arrays
from planner.formula import FormulaError
from planner.io.workbook_safety import WorkbookError
from planner.model import Project
from planner.scenarios import ResolvedScenario, resolve

MAX_SUSPECTS = 5

# (scenario, item id, period index or None for a constant) -> "Sheet!K13", or None
CellFinder = Callable[[str, str, int | None], str | None]


def check_evaluates(project: Project, book: str, cell_of: CellFinder) -> None:
    """Raise :class:`WorkbookError` naming the culprit when a scenario does not evaluate."""
    for name in project.scenario_names:
        try:
            evaluate(project, name)
        except (ValueError, ArithmeticError) as exc:
            raise WorkbookError(_message(project, name, book, exc, cell_of)) from None


def _message(
    project: Project, scenario: str, book: str, exc: Exception, cell_of: CellFinder
) -> str:
    culprit = None
    if isinstance(exc, FormulaError):
        culprit = find_culprit(resolve(project, scenario), exc.item_id)
    if culprit is None:
        return f"{book}: scenario '{scenario}' cannot be evaluated: {exc}"
    item_id, period, value = culprit
    cell = cell_of(scenario, item_id, period)
    if cell is not None:
        where = f"cell {cell}"
    elif period is None:
        where = f"the value of '{item_id}'"
    else:
        where = f"'{item_id}' in {project.periods[period]}"
    return f"{book}: {where} holds {value:.6g}, which breaks scenario '{scenario}': {exc}"


def find_culprit(resolved: ResolvedScenario, failing: str) -> tuple[str, int | None, float] | None:
    """The input cell (item id, period index or None, value) without which ``failing`` computes.

    None when setting the largest few inputs it reads to zero does not help
    (a division by zero, say).
    """
    deps = dependencies(resolved.items)
    reads: set[str] = set()
    stack = [failing]
    while stack:
        for source in (*deps.same_period.get(stack[-1], ()), *deps.previous.get(stack.pop(), ())):
            if source not in reads:
                reads.add(source)
                stack.append(source)
    suspects: list[tuple[float, str, int | None, float]] = []
    for item in resolved.items:
        if item.id not in reads:
            continue
        if item.inputs is not None:
            suspects.extend((abs(v), item.id, t, v) for t, v in enumerate(item.inputs))
        elif item.value is not None:
            suspects.append((abs(item.value), item.id, None, item.value))
    arrays = input_arrays(resolved)
    changed: dict[str, Array] = {}
    for size, item_id, period, value in heapq.nlargest(MAX_SUSPECTS, suspects, key=lambda s: s[0]):
        if size == 0:
            break
        row = changed.get(item_id)
        if row is None:
            row = changed[item_id] = arrays[item_id].copy()
        if period is None:
            row[:] = 0.0
        else:
            row[0, period] = 0.0
        try:
            evaluate_resolved(resolved, changed)
        except (ValueError, ArithmeticError):
            continue
        return item_id, period, value
    return None
