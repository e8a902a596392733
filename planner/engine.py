"""The evaluator: a resolved scenario in, every line item's values out.

Values are numpy arrays of shape (samples, periods). The model is split into
strongly connected components of its dependency graph (same-period and
``prev`` edges). A component without a ``prev`` loop is computed for all
periods at once; a single item whose formula is affine in its own previous
value (balances, growth chains) is solved as a recurrence without a Python
loop over cells. Items linked to each other through ``prev`` step period by
period: vectorised over samples, or, with one sample, as plain float
arithmetic (a linear combination when their formulas are linear in each other).
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from planner.compiled import (
    Array,
    Compiler,
    LinearForm,
    ScalarCompiler,
    ScalarFn,
    StepFn,
    VecFn,
    count_prev,
    first_period,
    is_one,
    linear_form,
    self_prev_default,
)
from planner.formula import Formula, FormulaError, check_names, parse
from planner.model import EVENT_SERIES, LineItem, Project
from planner.scenarios import ResolvedScenario, resolve
from planner.schedules import expand_events

if TYPE_CHECKING:
    import pandas as pd


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
    known = frozenset([*(item.id for item in items), *EVENT_SERIES])
    groups = frozenset(item.group for item in items)
    formulas: dict[str, Formula] = {}
    for item in items:
        formula = formula_of(item)
        if formula is not None:
            check_names(item.id, formula, known, groups)
            formulas[item.id] = formula
    summed = _summed_groups(items, formulas)
    same: dict[str, tuple[str, ...]] = {}
    previous: dict[str, tuple[str, ...]] = {}
    members: dict[tuple[str, str], tuple[str, ...]] = {}
    for item in items:
        formula = formulas.get(item.id)
        if formula is None:
            same[item.id] = previous[item.id] = ()
            continue
        reads = set(formula.refs)
        for group in formula.groups:
            members[(item.id, group)] = summed[group]
            reads.update(summed[group])
        same[item.id] = tuple(sorted(reads))
        previous[item.id] = tuple(sorted(formula.prevs))
    _check_acyclic(same)
    return Dependencies(same, previous, formulas, members)


def _summed_groups(
    items: Sequence[LineItem], formulas: Mapping[str, Formula]
) -> dict[str, tuple[str, ...]]:
    """What ``sum_of`` adds up, per summed group, in one pass over the items.

    The same for every formula that sums the group, as :func:`group_members`
    leaves out exactly the items that sum it, the formula's own item among them.
    """
    found: dict[str, list[str]] = {g: [] for f in formulas.values() for g in f.groups}
    for item in items:
        members = found.get(item.group)
        formula = formulas.get(item.id)
        if members is not None and (formula is None or item.group not in formula.groups):
            members.append(item.id)
    return {group: tuple(members) for group, members in found.items()}


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


# --- the plan -------------------------------------------------------------------


@dataclass(frozen=True)
class _Step:
    items: tuple[str, ...]
    vector: VecFn | None = None
    affine: LinearForm | None = None
    initial: VecFn | None = None
    steps: tuple[StepFn, ...] = ()
    scalar_steps: tuple[ScalarFn, ...] = ()
    reads: tuple[str, ...] = ()
    hoisted: tuple[tuple[str, VecFn], ...] = ()
    linear: tuple[LinearForm, ...] | None = None


@dataclass
class CompiledModel:
    """A scenario's formulas, ordered and compiled; cheap to run again with new inputs."""

    item_ids: tuple[str, ...]
    plan: list[_Step] = field(default_factory=list)
    broken: frozenset[str] = frozenset()
    """Items that read a deleted line item, directly or through others: errors, not refused."""

    def run(
        self, inputs: Mapping[str, Array], periods: Sequence[str], *, refuse_errors: bool = True
    ) -> dict[str, Array]:
        """Evaluate; ``inputs`` holds every input, constant and event series as (S, T).

        A cell in error (division by zero, overflow) raises :class:`FormulaError`
        naming the first such item, unless ``refuse_errors`` is False: then it is NaN.
        """
        env: dict[str, Array] = dict(inputs)
        shape = _shape(inputs, len(periods))
        check = _as_is
        if refuse_errors:
            broken = self.broken

            def check(item_id: str, values: Array, periods: Sequence[str]) -> Array:
                if item_id in broken:
                    return values
                return _finite_or_raise(item_id, values, periods)

        with np.errstate(all="ignore"):
            for step in self.plan:
                _run_step(step, env, shape, periods, check)
        return env


def _shape(inputs: Mapping[str, Array], n_periods: int) -> tuple[int, int]:
    samples = max((a.shape[0] for a in inputs.values()), default=1)
    return samples, n_periods


def _run_step(
    step: _Step,
    env: dict[str, Array],
    shape: tuple[int, int],
    periods: Sequence[str],
    check: Callable[[str, Array, Sequence[str]], Array],
) -> None:
    if step.vector is not None:
        (item_id,) = step.items
        out = np.empty(shape)
        out[...] = step.vector(env)
        env[item_id] = check(item_id, out, periods)
        return
    if step.affine is not None:
        (item_id,) = step.items
        env[item_id] = check(item_id, _solve_affine(step, env, shape), periods)
        return
    if shape[0] == 1:
        _run_scalar_loop(step, env, shape[1])
    else:
        for item_id in step.items:
            env[item_id] = np.empty(shape)
        for t in range(shape[1]):
            for item_id, fn in zip(step.items, step.steps, strict=True):
                env[item_id][:, t] = fn(env, t)
    # Items of a loop feed each other's errors: name the one whose error came first.
    for item_id in sorted(step.items, key=lambda i: _first_error(env[i])):
        check(item_id, env[item_id], periods)


def _run_scalar_loop(step: _Step, env: dict[str, Array], n_periods: int) -> None:
    """Items linked through ``prev`` with one sample: plain floats beat numpy on scalars."""
    values = {name: env[name][0].tolist() for name in step.reads}
    for name, hoisted in step.hoisted:
        values[name] = np.broadcast_to(hoisted(env), (1, n_periods))[0].tolist()
    rows: list[list[float]] = [[] for _ in step.items]
    for item_id, row in zip(step.items, rows, strict=True):
        values[item_id] = row
    first_linear = 1 if step.linear is not None else n_periods
    for t in range(min(first_linear, n_periods)):
        for row, fn in zip(rows, step.scalar_steps, strict=True):
            row.append(fn(values, t))
    if step.linear is not None and n_periods > 1:
        _run_linear(step.linear, rows, values, env, n_periods)
    for item_id, row in zip(step.items, rows, strict=True):
        env[item_id] = np.asarray(row, dtype=np.float64).reshape(1, n_periods)


def _run_linear(
    forms: tuple[LinearForm, ...],
    rows: list[list[float]],
    values: dict[str, list[float]],
    env: dict[str, Array],
    n_periods: int,
) -> None:
    """Periods after the first of a loop whose items are linear in each other."""

    def full(fn: VecFn) -> list[float]:
        return list(np.broadcast_to(fn(env), (1, n_periods))[0].tolist())

    plan = [
        (
            row,
            full(form.const) if form.const is not None else [0.0] * n_periods,
            [
                (1 if previous else 0, values[member], full(coef))
                for previous, member, coef in form.terms
            ],
        )
        for row, form in zip(rows, forms, strict=True)
    ]
    for t in range(1, n_periods):
        for row, const, terms in plan:
            total = const[t]
            for lag, source, coef in terms:
                total += coef[t] * source[t - lag]
            row.append(total)


def _solve_affine(step: _Step, env: dict[str, Array], shape: tuple[int, int]) -> Array:
    """``x_t = coef_t * x_{t-1} + const_t`` from the item's single ``prev`` term."""
    assert step.affine is not None
    ((_, _, coef_fn),) = step.affine.terms
    const = np.zeros(shape)
    if step.affine.const is not None:
        const[...] = step.affine.const(env)
    start = np.zeros(shape[0])
    if step.initial is not None:
        first = step.initial(env)
        start[...] = first_period(first)
    if is_one(coef_fn):
        return np.cumsum(np.concatenate([start[:, None], const], axis=1), axis=1)[:, 1:]
    coef = np.empty(shape)
    coef[...] = coef_fn(env)
    if shape[0] == 1:
        level = float(start[0])
        levels = []
        for a, b in zip(coef[0].tolist(), const[0].tolist(), strict=True):
            level = a * level + b
            levels.append(level)
        return np.asarray(levels, dtype=np.float64).reshape(shape)
    out = np.empty(shape)
    level_vec = start
    for t in range(shape[1]):
        level_vec = coef[:, t] * level_vec + const[:, t]
        out[:, t] = level_vec
    return out


def _first_error(values: Array) -> int:
    """The first period in which any sample is not a number; the period count if none is."""
    in_error = ~np.isfinite(values).all(axis=0)
    return int(np.argmax(in_error)) if in_error.any() else values.shape[1]


def _as_is(item_id: str, values: Array, periods: Sequence[str]) -> Array:
    return values


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


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Hold off Python's cyclic garbage collector while building a compiled model.

    Compiling allocates a closure or two per formula node, all kept: on a large
    model that growth alone sets off full collections over the whole heap, which
    cost twice the compile itself (5,000 items). Nothing is freed by pausing, only
    put off: the collector runs as usual once it is back on.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _compile(items: Sequence[LineItem]) -> CompiledModel:
    with _collector_paused():
        return _compile_all(items)


def _compile_all(items: Sequence[LineItem]) -> CompiledModel:
    deps = dependencies(items)
    formula_ids = [item.id for item in items if item.id in deps.formulas]
    edges = {i: set(deps.same_period[i]) | set(deps.previous[i]) for i in formula_ids}
    model = CompiledModel(item_ids=tuple(item.id for item in items), broken=broken_items(deps))
    for component in components(formula_ids, edges):
        model.plan.append(_plan_component(component, deps))
    return model


def _plan_component(component: list[str], deps: Dependencies) -> _Step:
    if len(component) == 1:
        (item_id,) = component
        formula = deps.formulas[item_id]
        compiler = Compiler(item_id, deps.members)
        if item_id not in formula.prevs:
            return _Step((item_id,), vector=compiler.vector(formula.root))
        affine = (
            linear_form(formula.root, {item_id}, compiler)
            if count_prev(formula.root, item_id) == 1
            else None
        )
        if affine is not None and len(affine.terms) == 1:
            initial = self_prev_default(formula.root, item_id)
            return _Step(
                (item_id,),
                affine=affine,
                initial=None if initial is None else compiler.vector(initial),
            )
    members = set(component)
    ordered = [i for i in same_period_order(component, deps) if i in members]
    steps = tuple(Compiler(i, deps.members).step(deps.formulas[i].root) for i in ordered)
    hoisted: list[tuple[str, VecFn]] = []
    forms = [
        linear_form(deps.formulas[i].root, members, Compiler(i, deps.members)) for i in ordered
    ]
    scalar = tuple(
        ScalarCompiler(i, deps.members, members, hoisted).compile(deps.formulas[i].root)
        for i in ordered
    )
    reads = {r for i in ordered for r in (*deps.same_period[i], *deps.previous[i])} - members
    return _Step(
        tuple(ordered),
        steps=steps,
        scalar_steps=scalar,
        reads=tuple(sorted(reads)),
        hoisted=tuple(hoisted),
        linear=None if any(f is None for f in forms) else tuple(f for f in forms if f is not None),
    )


def broken_items(deps: Dependencies) -> frozenset[str]:
    """Items whose formula names a deleted line item, and every item that reads them."""
    readers: dict[str, set[str]] = {}
    for item_id in deps.formulas:
        for source in (*deps.same_period[item_id], *deps.previous[item_id]):
            readers.setdefault(source, set()).add(item_id)
    pending = [i for i, formula in deps.formulas.items() if formula.deleted]
    broken = set(pending)
    while pending:
        for reader in readers.get(pending.pop(), ()):
            if reader not in broken:
                broken.add(reader)
                pending.append(reader)
    return frozenset(broken)


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
    broken: frozenset[str] = frozenset()
    """Items in error because they read a deleted line item (see :func:`broken_items`)."""

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
    return Result(resolved.name, resolved.periods, values, order, resolved, compiled.broken)


def evaluate(
    project: Project,
    scenario: str | None = None,
    overrides: Mapping[str, Array] | None = None,
) -> Result:
    """Evaluate one scenario of ``project`` (the base when ``scenario`` is None)."""
    return evaluate_resolved(resolve(project, scenario), overrides)
