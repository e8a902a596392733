"""Formula trees compiled to closures: over all periods at once, one period at a time
(numpy, vectorised over samples), or one period of one sample (plain floats).

All three follow spreadsheet semantics for errors: a division by zero or an
overflow makes the cell NaN (or infinite), and an error in any operand spreads
through every operator and function, as #DIV/0! and #NUM! do in a spreadsheet:
``(a/0) ** 0``, ``1 ** (a/0)``, ``min(a/0, 1)`` and ``1 / (1e200 * 1e200)`` are
errors, not 1, 1, 1 and 0 as IEEE arithmetic would have them. Only ``if`` looks
at just the branch it takes.
"""

from __future__ import annotations

import functools
import math
import operator
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

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

Array = npt.NDArray[np.float64]
Value = Array | float
VecFn = Callable[[dict[str, Array]], Value]
StepFn = Callable[[dict[str, Array], int], Value]
ScalarFn = Callable[[dict[str, list[float]], int], float]


class Compiler:
    """Turns formula trees into closures over the value environment."""

    def __init__(self, item_id: str, members: Mapping[tuple[str, str], Sequence[str]]) -> None:
        self.item_id = item_id
        self.members = members

    def vector(self, node: Node) -> VecFn:
        """A closure computing ``node`` for all periods at once."""
        if isinstance(node, Num):
            value = node.value
            return lambda env: value
        if isinstance(node, Ref):
            name = node.name
            return lambda env: env[name]
        if isinstance(node, Prev):
            name = node.name
            default = self.vector(node.default) if node.default is not None else None

            def shifted(env: dict[str, Array]) -> Value:
                source = env[name]
                out = np.empty_like(source)
                out[:, 1:] = source[:, :-1]
                if default is None:
                    out[:, 0] = 0.0
                else:
                    first = default(env)
                    out[:, 0] = first_period(first)
                return out

            return shifted
        if isinstance(node, SumOf):
            names = tuple(self.members[(self.item_id, node.group)])
            return lambda env: _total(env[n] for n in names)
        return self._combine(node, self.vector)

    def step(self, node: Node) -> StepFn:
        """A closure computing ``node`` for one period ``t``."""
        if isinstance(node, Num):
            value = node.value
            return lambda env, t: value
        if isinstance(node, Ref):
            name = node.name
            return lambda env, t: env[name][:, t]
        if isinstance(node, Prev):
            name = node.name
            default = self.step(node.default) if node.default is not None else None

            def previous(env: dict[str, Array], t: int) -> Value:
                if t > 0:
                    return env[name][:, t - 1]
                return 0.0 if default is None else default(env, t)

            return previous
        if isinstance(node, SumOf):
            names = tuple(self.members[(self.item_id, node.group)])
            return lambda env, t: _total(env[n][:, t] for n in names)
        return self._combine(node, self.step)

    def _combine(
        self, node: Node, sub: Callable[[Node], Callable[..., Value]]
    ) -> Callable[..., Value]:
        if isinstance(node, Chain):
            first = sub(node.first)
            rest = [(_BINARY[op], sub(operand)) for op, operand in node.rest]

            def chain(*a: object) -> Value:
                value = first(*a)
                for op, operand in rest:
                    value = op(value, operand(*a))
                return value

            return chain
        if isinstance(node, Power):
            base, exponent = sub(node.base), sub(node.exponent)
            return lambda *a: _power(base(*a), exponent(*a))
        if isinstance(node, Neg):
            inner = sub(node.operand)
            return lambda *a: np.negative(inner(*a))
        if isinstance(node, Cmp):
            left, right = sub(node.left), sub(node.right)
            cmp = _COMPARE[node.op]

            def compare(*a: object) -> Value:
                x, y = left(*a), right(*a)
                return _keep_errors(cmp(x, y), x, y)

            return compare
        if isinstance(node, Not):
            inner = sub(node.operand)

            def negate(*a: object) -> Value:
                x = inner(*a)
                return _keep_errors(np.equal(x, 0.0), x)

            return negate
        if isinstance(node, Logic):
            parts = [sub(o) for o in node.operands]
            logic = np.logical_and if node.op == "and" else np.logical_or

            def combine(*a: object) -> Value:
                values = [p(*a) for p in parts]
                truth = functools.reduce(logic, (np.not_equal(v, 0.0) for v in values))
                return _keep_errors(truth, *values)

            return combine
        if isinstance(node, Call):
            args = [sub(arg) for arg in node.args]
            if node.func == "if":
                cond, then, other = args

                def choose(*a: object) -> Value:
                    c = cond(*a)
                    picked = np.where(np.not_equal(c, 0.0), then(*a), other(*a))
                    return np.add(picked, _errors(c))

                return choose
            if node.func == "abs":
                (only,) = args
                return lambda *a: np.abs(only(*a))
            reducer = np.minimum if node.func == "min" else np.maximum

            def extreme(*a: object) -> Value:
                values = [f(*a) for f in args]
                return np.add(functools.reduce(reducer, values), _errors(*values))

            return extreme
        raise FormulaError(self.item_id, f"cannot evaluate {node!r}")


def first_period(value: Value) -> Value:
    """The first period of a result; one computed from numbers alone (a float, or a
    0-d array from numpy) is the same in every period."""
    if isinstance(value, np.ndarray) and value.ndim == 2:
        return value[:, 0]
    return value


def _total(parts: Iterable[Value]) -> Value:
    total: Value = 0.0
    for part in parts:
        total = np.add(total, part)
    return total


def _errors(*operands: Value) -> Value:
    """0 where every operand is a number, NaN where any is an error (NaN or infinite)."""
    total: Value = 0.0
    for operand in operands:
        total = np.add(total, np.multiply(operand, 0.0))
    return total


def _keep_errors(truth: npt.NDArray[np.bool_] | np.bool_ | bool, *operands: Value) -> Value:
    """1.0/0.0 for a truth value, NaN where an operand was an error."""
    return np.add(np.asarray(truth, dtype=np.float64), _errors(*operands))


def _divide_or_nan(numerator: Value, denominator: Value) -> Value:
    # 0 / (1 / 0) and 1 / (1e200 * 1e200) would be 0 in IEEE arithmetic but errors in a
    # spreadsheet: the division passes its denominator's error on.
    quotient = np.add(np.divide(numerator, denominator), _errors(denominator))
    return np.where(np.equal(denominator, 0.0), np.nan, quotient)


def _power(base: Value, exponent: Value) -> Value:
    # IEEE has nan ** 0 == 1 ** nan == 1: a spreadsheet keeps the operand's error.
    result = np.power(np.asarray(base, dtype=np.float64), exponent)
    result = np.add(result, _errors(base, exponent))
    return np.where(np.isinf(result), np.nan, result)


_BINARY: dict[str, Callable[[Value, Value], Value]] = {
    "+": np.add,
    "-": np.subtract,
    "*": np.multiply,
    "/": _divide_or_nan,
}
_COMPARE: dict[str, Callable[[Value, Value], npt.NDArray[np.bool_]]] = {
    "<": np.less,
    "<=": np.less_equal,
    ">": np.greater,
    ">=": np.greater_equal,
    "==": np.equal,
    "!=": np.not_equal,
}


def _neg(fn: VecFn) -> VecFn:
    return lambda env: np.negative(fn(env))


def _join(op: Callable[[Value, Value], Value], a: VecFn | None, b: VecFn | None) -> VecFn | None:
    if a is None and b is None:
        return None
    if b is None:
        return a
    if a is None:
        return b if op is np.add else _neg(b)
    return lambda env: op(a(env), b(env))


def _scale(fn: VecFn, factor: VecFn) -> VecFn:
    return lambda env: np.multiply(factor(env), fn(env))


def children(node: Node) -> tuple[Node, ...]:
    if isinstance(node, Neg | Not):
        return (node.operand,)
    if isinstance(node, Chain):
        return (node.first, *(operand for _, operand in node.rest))
    if isinstance(node, Power):
        return (node.base, node.exponent)
    if isinstance(node, Cmp):
        return (node.left, node.right)
    if isinstance(node, Logic):
        return node.operands
    if isinstance(node, Call):
        return node.args
    if isinstance(node, Prev) and node.default is not None:
        return (node.default,)
    return ()


def count_prev(node: Node, target: str) -> int:
    own = 1 if isinstance(node, Prev) and node.name == target else 0
    return own + sum(count_prev(child, target) for child in children(node))


def self_prev_default(node: Node, target: str) -> Node | None:
    if isinstance(node, Prev) and node.name == target:
        return node.default
    for child in children(node):
        found = self_prev_default(child, target)
        if found is not None:
            return found
    return None


def _scalar_divide(numerator: float, denominator: float) -> float:
    return math.nan if denominator == 0.0 else numerator / denominator + denominator * 0.0


def _scalar_power(base: float, exponent: float) -> float:
    if not (math.isfinite(base) and math.isfinite(exponent)):
        return math.nan
    try:
        result = base**exponent
    except (OverflowError, ZeroDivisionError):
        return math.nan
    if isinstance(result, complex) or math.isinf(result):
        return math.nan
    return float(result)


_SCALAR_BINARY: dict[str, Callable[[float, float], float]] = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "/": _scalar_divide,
}
_SCALAR_COMPARE: dict[str, Callable[[float, float], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "==": operator.eq,
    "!=": operator.ne,
}


class ScalarCompiler:
    """Closures over plain floats for one period of one sample: the fast path for
    items linked through ``prev`` when there are no samples to vectorise over.

    Sub-formulas that read nothing of the loop are computed for all periods first
    (appended to ``hoisted`` as a name and a vector closure) and only looked up here.
    """

    def __init__(
        self,
        item_id: str,
        members: Mapping[tuple[str, str], Sequence[str]],
        loop: set[str],
        hoisted: list[tuple[str, VecFn]],
    ) -> None:
        self.item_id = item_id
        self.members = members
        self.loop = loop
        self.hoisted = hoisted

    def compile(self, node: Node) -> ScalarFn:
        if not isinstance(node, Num | Ref) and not self._reads_loop(node):
            name = f"\0hoisted{len(self.hoisted)}"
            self.hoisted.append((name, Compiler(self.item_id, self.members).vector(node)))
            return lambda v, t: v[name][t]
        if isinstance(node, Num):
            value = node.value
            return lambda v, t: value
        if isinstance(node, Ref):
            name = node.name
            return lambda v, t: v[name][t]
        if isinstance(node, Prev):
            name = node.name
            default = self.compile(node.default) if node.default is not None else None

            def previous(v: dict[str, list[float]], t: int) -> float:
                if t > 0:
                    return v[name][t - 1]
                return 0.0 if default is None else default(v, t)

            return previous
        if isinstance(node, SumOf):
            names = tuple(self.members[(self.item_id, node.group)])
            return lambda v, t: sum((v[n][t] for n in names), 0.0)
        if isinstance(node, Chain):
            first = self.compile(node.first)
            rest = [(_SCALAR_BINARY[op], self.compile(operand)) for op, operand in node.rest]

            def chain(v: dict[str, list[float]], t: int) -> float:
                value = first(v, t)
                for op, operand in rest:
                    value = op(value, operand(v, t))
                return value

            return chain
        if isinstance(node, Power):
            base, exponent = self.compile(node.base), self.compile(node.exponent)
            return lambda v, t: _scalar_power(base(v, t), exponent(v, t))
        if isinstance(node, Neg):
            inner = self.compile(node.operand)
            return lambda v, t: -inner(v, t)
        if isinstance(node, Not):
            operand = self.compile(node.operand)

            def negate(v: dict[str, list[float]], t: int) -> float:
                x = operand(v, t)
                return _scalar_truth(x == 0.0, x)

            return negate
        if isinstance(node, Cmp):
            left, right = self.compile(node.left), self.compile(node.right)
            cmp = _SCALAR_COMPARE[node.op]

            def compare(v: dict[str, list[float]], t: int) -> float:
                x, y = left(v, t), right(v, t)
                return _scalar_truth(cmp(x, y), x, y)

            return compare
        if isinstance(node, Logic):
            parts = [self.compile(o) for o in node.operands]
            truth = all if node.op == "and" else any

            def combine(v: dict[str, list[float]], t: int) -> float:
                values = [p(v, t) for p in parts]
                return _scalar_truth(truth(x != 0.0 for x in values), *values)

            return combine
        if isinstance(node, Call):
            args = [self.compile(a) for a in node.args]
            if node.func == "if":
                cond, then, other = args

                def choose(v: dict[str, list[float]], t: int) -> float:
                    c = cond(v, t)
                    if not math.isfinite(c):
                        return math.nan
                    return then(v, t) if c != 0.0 else other(v, t)

                return choose
            if node.func == "abs":
                (only,) = args
                return lambda v, t: abs(only(v, t))
            pick = min if node.func == "min" else max

            def extreme(v: dict[str, list[float]], t: int) -> float:
                values = [a(v, t) for a in args]
                return pick(values) if all(math.isfinite(x) for x in values) else math.nan

            return extreme
        raise FormulaError(self.item_id, f"cannot evaluate {node!r}")

    def _reads_loop(self, node: Node) -> bool:
        return reads_any(node, self.loop, self.members, self.item_id)


def _scalar_truth(truth: bool, *operands: float) -> float:
    return float(truth) if all(math.isfinite(x) for x in operands) else math.nan


def reads_any(
    node: Node,
    names: set[str],
    members: Mapping[tuple[str, str], Sequence[str]],
    item_id: str,
) -> bool:
    """Whether ``node`` reads any of ``names``, in this period or the previous one."""
    if isinstance(node, Ref | Prev) and node.name in names:
        return True
    if isinstance(node, SumOf):
        return any(m in names for m in members[(item_id, node.group)])
    return any(reads_any(child, names, members, item_id) for child in children(node))


@dataclass(frozen=True)
class LinearForm:
    """One item of a loop as ``const + sum(coef * variable)``.

    A term is (previous period?, loop member, coefficient); coefficients and the
    constant read nothing of the loop, so they are computed for all periods at once.
    """

    terms: tuple[tuple[bool, str, VecFn], ...]
    const: VecFn | None


def _one(env: dict[str, Array]) -> Value:
    return 1.0


def is_one(coef: VecFn) -> bool:
    """Whether a term's coefficient is the literal 1 (``prev(x) + ...``: a running sum)."""
    return coef is _one


def linear_form(node: Node, loop: set[str], compiler: Compiler) -> LinearForm | None:
    """Decompose ``node`` as linear in the loop's members, or None if it is not."""
    if not reads_any(node, loop, compiler.members, compiler.item_id):
        return LinearForm((), compiler.vector(node))
    if isinstance(node, Prev | Ref) and node.name in loop:
        return LinearForm(((isinstance(node, Prev), node.name, _one),), None)
    if isinstance(node, Neg):
        inner = linear_form(node.operand, loop, compiler)
        if inner is None:
            return None
        terms = tuple((p, m, _neg(c)) for p, m, c in inner.terms)
        return LinearForm(terms, None if inner.const is None else _neg(inner.const))
    if not isinstance(node, Chain) or not node.rest:
        return None
    if node.rest[0][0] in "+-":
        return _linear_sum(node, loop, compiler)
    return _linear_product(node, loop, compiler)


def _linear_sum(node: Chain, loop: set[str], compiler: Compiler) -> LinearForm | None:
    first = linear_form(node.first, loop, compiler)
    if first is None:
        return None
    terms, const = list(first.terms), first.const
    for op, operand in node.rest:
        part = linear_form(operand, loop, compiler)
        if part is None:
            return None
        if op == "-":
            terms.extend((p, m, _neg(c)) for p, m, c in part.terms)
        else:
            terms.extend(part.terms)
        const = _join(_BINARY[op], const, part.const)
    return LinearForm(tuple(terms), const)


def _linear_product(node: Chain, loop: set[str], compiler: Compiler) -> LinearForm | None:
    """``f * x / g ...`` with one factor ``x`` linear in the loop and no divisor reading it:
    ``x`` times the rest of the chain (``x`` read as 1)."""
    operands = [("*", node.first), *node.rest]
    reading = [
        n
        for n, (_, operand) in enumerate(operands)
        if reads_any(operand, loop, compiler.members, compiler.item_id)
    ]
    if len(reading) != 1 or operands[reading[0]][0] == "/":
        return None
    (index,) = reading
    other = linear_form(operands[index][1], loop, compiler)
    if other is None:
        return None
    rest = tuple((op, Num(1.0) if n == index else x) for n, (op, x) in enumerate(operands))
    factor = compiler.vector(Chain(rest[0][1], rest[1:]))
    terms = tuple((p, m, _scale(c, factor)) for p, m, c in other.terms)
    return LinearForm(terms, None if other.const is None else _scale(other.const, factor))
