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
    Call,
    Chain,
    Cmp,
    FormulaError,
    Logic,
    Neg,
    Node,
    Not,
    Num,
    Power,
    Prev,
    Ref,
    SumOf,
)
from planner.scenarios import ResolvedScenario

_ARITHMETIC: dict[str, Callable[[float, float], float]] = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "/": operator.truediv,
}
_COMPARE: dict[str, Callable[[float, float], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "==": operator.eq,
    "!=": operator.ne,
}
ERROR = math.nan
"""A cell in error, as #DIV/0! or #NUM! in a spreadsheet: every operation passes it on."""


def evaluate_reference(
    resolved: ResolvedScenario, *, keep_errors: bool = False
) -> dict[str, list[float]]:
    """Every line item's and event series' values (first sample only).

    A cell in error raises :class:`FormulaError`, or with ``keep_errors`` is NaN.
    """
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
            result = cell.eval(deps.formulas[item_id].root)
            if math.isnan(result) and not keep_errors:
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
                total = _number_or_error(total + self.values[name][self.t])
            return total
        if isinstance(node, Neg):
            return -self.eval(node.operand)
        if isinstance(node, Chain):
            value = self.eval(node.first)
            for op, term in node.rest:
                value = _arithmetic(op, value, self.eval(term))
            return value
        if isinstance(node, Power):
            return _power(self.eval(node.base), self.eval(node.exponent))
        if isinstance(node, Not):
            inner = self.eval(node.operand)
            return ERROR if math.isnan(inner) else float(inner == 0.0)
        if isinstance(node, Cmp):
            left, right = self.eval(node.left), self.eval(node.right)
            if math.isnan(left) or math.isnan(right):
                return ERROR
            return float(_COMPARE[node.op](left, right))
        if isinstance(node, Logic):
            values = [self.eval(o) for o in node.operands]
            if any(math.isnan(v) for v in values):
                return ERROR
            truth = all if node.op == "and" else any
            return float(truth(v != 0.0 for v in values))
        if isinstance(node, Call):
            if node.func == "if":
                cond, then, other = node.args
                condition = self.eval(cond)
                if math.isnan(condition):
                    return ERROR
                return self.eval(then) if condition != 0.0 else self.eval(other)
            args = [self.eval(a) for a in node.args]
            if any(math.isnan(a) for a in args):
                return ERROR
            if node.func == "abs":
                return abs(args[0])
            return min(args) if node.func == "min" else max(args)
        raise FormulaError(self.item_id, f"cannot evaluate {node!r}")


def _number_or_error(value: float) -> float:
    """Overflow to infinity is an error (#NUM!) like any other."""
    return value if math.isfinite(value) else ERROR


def _arithmetic(op: str, left: float, right: float) -> float:
    if math.isnan(left) or math.isnan(right) or (op == "/" and right == 0.0):
        return ERROR
    return _number_or_error(_ARITHMETIC[op](left, right))


def _power(base: float, exponent: float) -> float:
    if math.isnan(base) or math.isnan(exponent) or (base == 0.0 and exponent < 0.0):
        return ERROR
    try:
        result = base**exponent
    except OverflowError:
        return ERROR
    return ERROR if isinstance(result, complex) else _number_or_error(result)
