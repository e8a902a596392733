"""The part of a scenario that Monte Carlo samples have to evaluate.

A sample changes only what its varied inputs reach, and a run reads only a few
series. So before the samples go through the engine the model is cut down:
items that no read series depends on are left out, and items that the varied
inputs cannot reach are fixed at their planned values (as inputs), which the
engine then shares between samples instead of computing once per sample. The
values of what is left are exactly those of the whole model.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import replace

from planner.compiled import Array
from planner.engine import dependencies, evaluate_resolved, formula_of
from planner.model import LineItem
from planner.scenarios import ResolvedScenario

# A group no project can use (ids are lower case): a fixed item that summed its own
# group leaves it, so that other sums of that group do not count it as a member.
_FIXED_GROUP = "Fixed"


def _closure(start: Iterable[str], edges: Mapping[str, Iterable[str]]) -> set[str]:
    found = set(start)
    todo = list(found)
    while todo:
        for nxt in edges.get(todo.pop(), ()):
            if nxt not in found:
                found.add(nxt)
                todo.append(nxt)
    return found


def sampled_scenario(
    resolved: ResolvedScenario, varied: Collection[str], read: Sequence[str]
) -> ResolvedScenario:
    """``resolved`` cut down to what the ``read`` series need when ``varied`` inputs change."""
    deps = dependencies(resolved.items)
    reads = {
        item.id: set(deps.same_period.get(item.id, ())) | set(deps.previous.get(item.id, ()))
        for item in resolved.items
    }
    needed = _closure((sid for sid in read if sid in reads), reads)
    readers: dict[str, set[str]] = {}
    for item_id, sources in reads.items():
        for source in sources:
            readers.setdefault(source, set()).add(item_id)
    reached = _closure(varied, readers)
    fixed = needed - reached
    if not fixed and len(needed) == len(resolved.items):
        return resolved
    plan = evaluate_resolved(resolved).values if fixed else {}
    items = tuple(
        _fixed(item, plan[item.id]) if item.id in fixed else item
        for item in resolved.items
        if item.id in needed
    )
    return replace(resolved, items=items)


def _fixed(item: LineItem, values: Array) -> LineItem:
    formula = formula_of(item)
    group = _FIXED_GROUP if formula is not None and item.group in formula.groups else item.group
    return item.model_copy(
        update={"inputs": values[0].tolist(), "value": None, "formula": None, "group": group}
    )
