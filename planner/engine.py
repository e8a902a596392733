"""The evaluator: a resolved scenario in, every line item's values out.

Values are numpy arrays of shape (samples, periods). The model is split into
strongly connected components of its dependency graph (same-period and
``prev`` edges). A component without a ``prev`` loop is computed for all
periods at once; a single item whose formula is affine in its own previous
value (balances, growth chains) is solved as a recurrence without a Python
loop over cells; anything else steps period by period, still vectorised over
samples.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from planner.formula import (
    Bin,
    Call,
    Cmp,
    Formula,
    FormulaError,
    Logic,
    Neg,
    Node,
    Not,
    Num,
    Prev,
    Ref,
    SumOf,
    check_names,
    parse,
)
from planner.model import EVENT_SERIES, LineItem, Project
from planner.scenarios import ResolvedScenario, resolve
from planner.schedules import expand_events

if TYPE_CHECKING:
    import pandas as pd

Array = npt.NDArray[np.float64]
Value = Array | float
VecFn = Callable[[dict[str, Array]], Value]
StepFn = Callable[[dict[str, Array], int], Value]


# --- structure ----------------------------------------------------------------


def formula_of(item: LineItem) -> Formula | None:
    return None if item.formula is None else parse(item.formula, item.id)


def group_members(items: Sequence[LineItem], group: str, exclude: str) -> list[str]:
    """Items that ``sum_of(group)`` adds up inside ``exclude``'s formula.

    Totals are left out: the item itself and any other item that sums the same group.
    """
    members = []
    for item in items:
        if item.group != group or item.id == exclude:
            continue
        formula = formula_of(item)
        if formula is not None and group in formula.groups:
            continue
        members.append(item.id)
    return members


@dataclass(frozen=True)
class Dependencies:
    same_period: dict[str, tuple[str, ...]]
    previous: dict[str, tuple[str, ...]]
    formulas: dict[str, Formula]
    members: dict[tuple[str, str], tuple[str, ...]]


def dependencies(items: Sequence[LineItem]) -> Dependencies:
    """Parse every formula, check its names, and list what each item reads."""
    known = [item.id for item in items] + list(EVENT_SERIES)
    groups = {item.group for item in items}
    same: dict[str, tuple[str, ...]] = {}
    previous: dict[str, tuple[str, ...]] = {}
    formulas: dict[str, Formula] = {}
    members: dict[tuple[str, str], tuple[str, ...]] = {}
    for item in items:
        formula = formula_of(item)
        if formula is None:
            same[item.id] = previous[item.id] = ()
            continue
        check_names(item.id, formula, known, groups)
        formulas[item.id] = formula
        reads = set(formula.refs)
        for group in formula.groups:
            found = tuple(group_members(items, group, item.id))
            members[(item.id, group)] = found
            reads.update(found)
        same[item.id] = tuple(sorted(reads))
        previous[item.id] = tuple(sorted(formula.prevs))
    _check_acyclic(same)
    return Dependencies(same, previous, formulas, members)


def _check_acyclic(same: Mapping[str, Sequence[str]]) -> None:
    state: dict[str, int] = {}
    for start in same:
        if state.get(start):
            continue
        stack: list[tuple[str, Iterable[str]]] = [(start, iter(same.get(start, ())))]
        path = [start]
        state[start] = 1
        while stack:
            node, children = stack[-1]
            for child in children:
                if child not in same:
                    continue
                if state.get(child) == 1:
                    cycle = [*path[path.index(child) :], child]
                    raise FormulaError(cycle[0], "cycle within a period: " + " -> ".join(cycle))
                if not state.get(child):
                    state[child] = 1
                    path.append(child)
                    stack.append((child, iter(same.get(child, ()))))
                    break
            else:
                state[node] = 2
                path.pop()
                stack.pop()


def components(nodes: Sequence[str], edges: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """Strongly connected components, dependencies first (iterative Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    result: list[list[str]] = []
    counter = 0
    for root in nodes:
        if root in index:
            continue
        work: list[tuple[str, Iterable[str]]] = [(root, iter(edges.get(root, ())))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in edges:
                    continue
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(edges.get(child, ()))))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                result.append(component)
    return result


# --- compiling formulas to numpy ---------------------------------------------------


class _Compiler:
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
                    out[:, 0] = first[:, 0] if isinstance(first, np.ndarray) else first
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
        if isinstance(node, Bin):
            left, right = sub(node.left), sub(node.right)
            op = _BINARY[node.op]
            return lambda *a: op(left(*a), right(*a))
        if isinstance(node, Neg):
            inner = sub(node.operand)
            return lambda *a: np.negative(inner(*a))
        if isinstance(node, Cmp):
            left, right = sub(node.left), sub(node.right)
            cmp = _COMPARE[node.op]
            return lambda *a: cmp(left(*a), right(*a)).astype(np.float64)
        if isinstance(node, Not):
            inner = sub(node.operand)
            return lambda *a: np.equal(inner(*a), 0.0).astype(np.float64)
        if isinstance(node, Logic):
            parts = [sub(o) for o in node.operands]
            logic = np.logical_and if node.op == "and" else np.logical_or
            return lambda *a: functools.reduce(
                logic, (np.not_equal(p(*a), 0.0) for p in parts)
            ).astype(np.float64)
        if isinstance(node, Call):
            args = [sub(arg) for arg in node.args]
            if node.func == "if":
                cond, then, other = args
                return lambda *a: np.where(np.not_equal(cond(*a), 0.0), then(*a), other(*a))
            if node.func == "abs":
                (only,) = args
                return lambda *a: np.abs(only(*a))
            reducer = np.minimum if node.func == "min" else np.maximum
            return lambda *a: functools.reduce(reducer, (f(*a) for f in args))
        raise FormulaError(self.item_id, f"cannot evaluate {node!r}")


def _total(parts: Iterable[Value]) -> Value:
    total: Value = 0.0
    for part in parts:
        total = np.add(total, part)
    return total


def _power(base: Value, exponent: Value) -> Value:
    return np.power(np.asarray(base, dtype=np.float64), exponent)


_BINARY: dict[str, Callable[[Value, Value], Value]] = {
    "+": np.add,
    "-": np.subtract,
    "*": np.multiply,
    "/": np.divide,
    "**": _power,
}
_COMPARE: dict[str, Callable[[Value, Value], npt.NDArray[np.bool_]]] = {
    "<": np.less,
    "<=": np.less_equal,
    ">": np.greater,
    ">=": np.greater_equal,
    "==": np.equal,
    "!=": np.not_equal,
}


@dataclass(frozen=True)
class _Affine:
    """``x_t = coef_t * x_{t-1} + const_t``; None stands for 0, ``unit`` for a coefficient of 1."""

    coef: VecFn | None
    const: VecFn | None
    unit: bool


def _affine(node: Node, target: str, compiler: _Compiler) -> _Affine | None:
    """Decompose ``node`` as affine in ``prev(target)``, or None if it is not."""
    if not _mentions_prev(node, target):
        return _Affine(None, compiler.vector(node), False)
    if isinstance(node, Prev):
        return _Affine(None, None, True)
    if isinstance(node, Neg):
        inner = _affine(node.operand, target, compiler)
        if inner is None:
            return None
        return _Affine(_neg(_coef_fn(inner)), _neg(inner.const), False)
    if not isinstance(node, Bin):
        return None
    if node.op in "+-":
        left = _affine(node.left, target, compiler)
        right = _affine(node.right, target, compiler)
        if left is None or right is None:
            return None
        op = _BINARY[node.op]
        one_side_is_prev = left.unit != right.unit and not (left.coef or right.coef)
        if node.op == "+" and one_side_is_prev:
            return _Affine(None, _join(op, left.const, right.const), True)
        if node.op == "-" and left.unit and not right.unit and right.coef is None:
            return _Affine(None, _join(op, left.const, right.const), True)
        coef = _join(op, _coef_fn(left), _coef_fn(right))
        return _Affine(coef, _join(op, left.const, right.const), False)
    if node.op == "*":
        if not _mentions_prev(node.left, target):
            factor, other = compiler.vector(node.left), _affine(node.right, target, compiler)
        elif not _mentions_prev(node.right, target):
            factor, other = compiler.vector(node.right), _affine(node.left, target, compiler)
        else:
            return None
        if other is None:
            return None
        return _Affine(_scale(_coef_fn(other), factor), _scale(other.const, factor), False)
    if node.op == "/" and not _mentions_prev(node.right, target):
        divisor = compiler.vector(node.right)
        other = _affine(node.left, target, compiler)
        if other is None:
            return None
        coef = _coef_fn(other)
        return _Affine(
            None if coef is None else _divide(coef, divisor),
            None if other.const is None else _divide(other.const, divisor),
            False,
        )
    return None


def _mentions_prev(node: Node, target: str) -> bool:
    return _count_prev(node, target) > 0


def _coef_fn(part: _Affine) -> VecFn | None:
    if part.unit:
        return lambda env: 1.0
    return part.coef


def _neg(fn: VecFn | None) -> VecFn | None:
    return None if fn is None else (lambda env: np.negative(fn(env)))


def _join(op: Callable[[Value, Value], Value], a: VecFn | None, b: VecFn | None) -> VecFn | None:
    if a is None and b is None:
        return None
    if b is None:
        return a
    if a is None:
        return b if op is np.add else (lambda env: np.negative(b(env)))
    return lambda env: op(a(env), b(env))


def _scale(fn: VecFn | None, factor: VecFn) -> VecFn | None:
    return None if fn is None else (lambda env: np.multiply(factor(env), fn(env)))


def _divide(fn: VecFn, divisor: VecFn) -> VecFn:
    return lambda env: np.divide(fn(env), divisor(env))


# --- the plan -------------------------------------------------------------------


@dataclass(frozen=True)
class _Step:
    items: tuple[str, ...]
    vector: VecFn | None = None
    affine: _Affine | None = None
    initial: VecFn | None = None
    steps: tuple[StepFn, ...] = ()


@dataclass
class CompiledModel:
    """A scenario's formulas, ordered and compiled; cheap to run again with new inputs."""

    item_ids: tuple[str, ...]
    plan: list[_Step] = field(default_factory=list)

    def run(self, inputs: Mapping[str, Array], periods: Sequence[str]) -> dict[str, Array]:
        """Evaluate; ``inputs`` holds every input, constant and event series as (S, T)."""
        env: dict[str, Array] = dict(inputs)
        shape = _shape(inputs, len(periods))
        with np.errstate(all="ignore"):
            for step in self.plan:
                _run_step(step, env, shape, periods)
        return env


def _shape(inputs: Mapping[str, Array], n_periods: int) -> tuple[int, int]:
    samples = max((a.shape[0] for a in inputs.values()), default=1)
    return samples, n_periods


def _run_step(
    step: _Step, env: dict[str, Array], shape: tuple[int, int], periods: Sequence[str]
) -> None:
    if step.vector is not None:
        (item_id,) = step.items
        out = np.empty(shape)
        out[...] = step.vector(env)
        env[item_id] = _finite_or_raise(item_id, out, periods)
        return
    if step.affine is not None:
        (item_id,) = step.items
        env[item_id] = _finite_or_raise(item_id, _solve_affine(step, env, shape), periods)
        return
    for item_id in step.items:
        env[item_id] = np.empty(shape)
    for t in range(shape[1]):
        for item_id, fn in zip(step.items, step.steps, strict=True):
            env[item_id][:, t] = fn(env, t)
    for item_id in step.items:
        _finite_or_raise(item_id, env[item_id], periods)


def _solve_affine(step: _Step, env: dict[str, Array], shape: tuple[int, int]) -> Array:
    assert step.affine is not None
    affine = step.affine
    const = np.zeros(shape)
    if affine.const is not None:
        const[...] = affine.const(env)
    start = np.zeros(shape[0])
    if step.initial is not None:
        first = step.initial(env)
        start[...] = first[:, 0] if isinstance(first, np.ndarray) else first
    if affine.unit:
        return np.cumsum(np.concatenate([start[:, None], const], axis=1), axis=1)[:, 1:]
    coef = np.zeros(shape)
    if affine.coef is not None:
        coef[...] = affine.coef(env)
    out = np.empty(shape)
    if shape[0] == 1:
        level = float(start[0])
        row = out[0]
        for t, (a, b) in enumerate(zip(coef[0].tolist(), const[0].tolist(), strict=True)):
            level = a * level + b
            row[t] = level
        return out
    level_vec = start
    for t in range(shape[1]):
        level_vec = coef[:, t] * level_vec + const[:, t]
        out[:, t] = level_vec
    return out


def _finite_or_raise(item_id: str, values: Array, periods: Sequence[str]) -> Array:
    if not np.isfinite(values).all():
        bad = np.flatnonzero(~np.isfinite(values).all(axis=0))[0]
        raise FormulaError(
            item_id,
            f"the result in {periods[bad]} is not a number (division by zero or overflow)",
        )
    return values


def compile_items(items: Sequence[LineItem]) -> CompiledModel:
    """Order and compile the formulas of ``items`` (cached on the model's structure)."""
    key = tuple((i.id, i.group, i.formula) for i in items)
    compiled = _COMPILED.pop(key, None) or _compile(items)
    _COMPILED[key] = compiled  # most recently used last
    while len(_COMPILED) > 64:
        del _COMPILED[next(iter(_COMPILED))]
    return compiled


_COMPILED: dict[tuple[tuple[str, str, str | None], ...], CompiledModel] = {}


def _compile(items: Sequence[LineItem]) -> CompiledModel:
    deps = dependencies(items)
    formula_ids = [item.id for item in items if item.id in deps.formulas]
    edges = {i: set(deps.same_period[i]) | set(deps.previous[i]) for i in formula_ids}
    model = CompiledModel(item_ids=tuple(item.id for item in items))
    for component in components(formula_ids, edges):
        model.plan.append(_plan_component(component, deps))
    return model


def _plan_component(component: list[str], deps: Dependencies) -> _Step:
    if len(component) == 1:
        (item_id,) = component
        formula = deps.formulas[item_id]
        compiler = _Compiler(item_id, deps.members)
        if item_id not in formula.prevs:
            return _Step((item_id,), vector=compiler.vector(formula.root))
        affine = (
            _affine(formula.root, item_id, compiler)
            if _count_prev(formula.root, item_id) == 1
            else None
        )
        if affine is not None:
            initial = _self_prev_default(formula.root, item_id)
            return _Step(
                (item_id,),
                affine=affine,
                initial=None if initial is None else compiler.vector(initial),
            )
    members = set(component)
    ordered = [i for i in same_period_order(component, deps) if i in members]
    steps = tuple(_Compiler(i, deps.members).step(deps.formulas[i].root) for i in ordered)
    return _Step(tuple(ordered), steps=steps)


def _children(node: Node) -> tuple[Node, ...]:
    if isinstance(node, Neg | Not):
        return (node.operand,)
    if isinstance(node, Bin | Cmp):
        return (node.left, node.right)
    if isinstance(node, Logic):
        return node.operands
    if isinstance(node, Call):
        return node.args
    if isinstance(node, Prev) and node.default is not None:
        return (node.default,)
    return ()


def _count_prev(node: Node, target: str) -> int:
    own = 1 if isinstance(node, Prev) and node.name == target else 0
    return own + sum(_count_prev(child, target) for child in _children(node))


def _self_prev_default(node: Node, target: str) -> Node | None:
    if isinstance(node, Prev) and node.name == target:
        return node.default
    for child in _children(node):
        found = _self_prev_default(child, target)
        if found is not None:
            return found
    return None


def same_period_order(component: list[str], deps: Dependencies) -> list[str]:
    members = set(component)
    done: set[str] = set()
    order: list[str] = []

    def visit(node: str) -> None:
        pending = [(node, iter(deps.same_period[node]))]
        done.add(node)
        while pending:
            current, children = pending[-1]
            for child in children:
                if child in members and child not in done:
                    done.add(child)
                    pending.append((child, iter(deps.same_period[child])))
                    break
            else:
                order.append(current)
                pending.pop()

    for node in component:
        if node not in done:
            visit(node)
    return order


# --- results -------------------------------------------------------------------


@dataclass
class Result:
    """Every line item's and event series' values for one scenario."""

    scenario: str
    periods: tuple[str, ...]
    values: dict[str, Array]
    order: tuple[str, ...]
    resolved: ResolvedScenario

    @property
    def samples(self) -> int:
        return int(next(iter(self.values.values())).shape[0])

    def series(self, item_id: str, sample: int = 0) -> Array:
        return np.asarray(self.values[item_id][sample], dtype=np.float64)

    def frame(self, sample: int = 0) -> pd.DataFrame:
        """Line items x periods as a pandas DataFrame (imported only when asked for)."""
        import pandas as pd

        data = np.array([self.values[i][sample] for i in self.order])
        return pd.DataFrame(data, index=list(self.order), columns=list(self.periods))


def input_arrays(resolved: ResolvedScenario) -> dict[str, Array]:
    """Inputs, constants and event series of a resolved scenario as (1, T) arrays."""
    n = len(resolved.periods)
    arrays: dict[str, Array] = {}
    for item in resolved.items:
        if item.inputs is not None:
            arrays[item.id] = np.asarray(item.inputs, dtype=np.float64).reshape(1, n)
        elif item.value is not None:
            arrays[item.id] = np.full((1, n), item.value)
    events = expand_events(resolved.periods, resolved.funding_rounds, resolved.compute_contracts)
    for name, series in events.items():
        arrays[name] = series.reshape(1, n)
    return arrays


def evaluate_resolved(
    resolved: ResolvedScenario, overrides: Mapping[str, Array] | None = None
) -> Result:
    """Evaluate a resolved scenario; ``overrides`` replaces inputs, e.g. with (S, T) samples."""
    arrays = input_arrays(resolved)
    if overrides:
        samples = max(np.atleast_2d(a).shape[0] for a in overrides.values())
        n = len(resolved.periods)
        arrays = {k: np.broadcast_to(v, (samples, n)) for k, v in arrays.items()}
        for key, value in overrides.items():
            arrays[key] = np.broadcast_to(np.atleast_2d(value), (samples, n))
    compiled = compile_items(resolved.items)
    values = compiled.run(arrays, resolved.periods)
    order = (*compiled.item_ids, *EVENT_SERIES)
    return Result(resolved.name, resolved.periods, values, order, resolved)


def evaluate(
    project: Project,
    scenario: str | None = None,
    overrides: Mapping[str, Array] | None = None,
) -> Result:
    """Evaluate one scenario of ``project`` (the base when ``scenario`` is None)."""
    return evaluate_resolved(resolve(project, scenario), overrides)
