"""A plain cell-by-cell evaluator: the oracle for the engine and its benchmark peer.

It walks each formula tree with Python floats, one period at a time, in a
single same-period order. Slow and obvious on purpose.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Mapping

from planner.engine import dependencies, input_arrays, same_period_order
from planner.formula import (
    Bin,
    Call,
    Cmp,
    FormulaError,
    Logic,
    Neg,
    Node,
    Not,
    Num,
    Prev,
    Ref,
    SumOf,
)
from planner.scenarios import ResolvedScenario

_BINARY: dict[str, Callable[[float, float], float]] = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "/": operator.truediv,
    "**": operator.pow,
}
_COMPARE: dict[str, Callable[[float, float], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "==": operator.eq,
    "!=": operator.ne,
}


def evaluate_reference(resolved: ResolvedScenario) -> dict[str, list[float]]:
    """Every line item's and event series' values (first sample only)."""
    deps = dependencies(resolved.items)
    values: dict[str, list[float]] = {
        name: [float(v) for v in array[0]] for name, array in input_arrays(resolved).items()
    }
    order = same_period_order(list(deps.formulas), deps)
    for item_id in order:
        values[item_id] = []
    for t, period in enumerate(resolved.periods):
        for item_id in order:
            cell = _Cell(values, t, item_id, deps.members)
            try:
                result = cell.eval(deps.formulas[item_id].root)
            except ZeroDivisionError:
                result = math.nan
            except OverflowError:
                result = math.inf
            if isinstance(result, complex) or not math.isfinite(result):
                raise FormulaError(
                    item_id,
                    f"the result in {period} is not a number (division by zero or overflow)",
                )
            values[item_id].append(float(result))
    return values


class _Cell:
    def __init__(
        self,
        values: Mapping[str, list[float]],
        t: int,
        item_id: str,
        members: Mapping[tuple[str, str], tuple[str, ...]],
    ) -> None:
        self.values = values
        self.t = t
        self.item_id = item_id
        self.members = members

    def eval(self, node: Node) -> float:
        if isinstance(node, Num):
            return node.value
        if isinstance(node, Ref):
            return self.values[node.name][self.t]
        if isinstance(node, Prev):
            if self.t > 0:
                return self.values[node.name][self.t - 1]
            return 0.0 if node.default is None else self.eval(node.default)
        if isinstance(node, SumOf):
            total = 0.0
            for name in self.members[(self.item_id, node.group)]:
                total += self.values[name][self.t]
            return total
        if isinstance(node, Neg):
            return -self.eval(node.operand)
        if isinstance(node, Not):
            operand = self.eval(node.operand)
            return math.nan if math.isnan(operand) else float(operand == 0.0)
        if isinstance(node, Bin):
            left, right = self.eval(node.left), self.eval(node.right)
            if node.op == "/" and right == 0.0:
                raise ZeroDivisionError
            if node.op == "**" and (
                (left < 0 and right != int(right)) or (left == 0 and right < 0)
            ):
                return math.nan
            return _BINARY[node.op](left, right)
        if isinstance(node, Cmp):
            left, right = self.eval(node.left), self.eval(node.right)
            if math.isnan(left) or math.isnan(right):
                return math.nan
            return float(_COMPARE[node.op](left, right))
        if isinstance(node, Logic):
            values = [self.eval(o) for o in node.operands]
            if any(math.isnan(v) for v in values):
                return math.nan
            truth = all if node.op == "and" else any
            return float(truth(v != 0.0 for v in values))
        if isinstance(node, Call):
            if node.func == "if":
                cond, then, other = node.args
                condition = self.eval(cond)
                if math.isnan(condition):
                    return math.nan
                return self.eval(then) if condition != 0.0 else self.eval(other)
            args = [self.eval(a) for a in node.args]
            if any(math.isnan(a) for a in args):
                return math.nan
            if node.func == "abs":
                return abs(args[0])
            return min(args) if node.func == "min" else max(args)
        raise FormulaError(self.item_id, f"cannot evaluate {node!r}")
