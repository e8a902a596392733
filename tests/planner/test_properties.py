"""Properties over random models and edits: the engine against the cell-by-cell oracle,
the cash corkscrew, scenario inheritance, and save/load round trips."""

import math
from pathlib import Path

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.builtin import builtin_project
from planner.engine import evaluate, evaluate_resolved
from planner.formula import FormulaError
from planner.io.project_file import load_project, save_project
from planner.reference import evaluate_reference
from planner.scenarios import resolve
from tests.planner.helpers import make_project

PERIODS = 6
numbers = st.floats(min_value=-3, max_value=3, allow_nan=False).map(lambda v: round(v, 3))


@st.composite
def expressions(draw: st.DrawFn, index: int, count: int, depth: int = 0) -> str:
    """A formula for item ``index``: same-period names only of earlier items."""
    leaves = [numbers.map(str)]
    if index > 0:
        leaves.append(st.integers(0, index - 1).map(lambda i: f"i{i}"))
    leaves.append(
        st.tuples(st.integers(0, count - 1), numbers).map(lambda p: f"prev(i{p[0]}, {p[1]})")
    )
    leaf = st.one_of(*leaves)
    if depth >= 3 or draw(st.integers(0, 2)) == 0:
        return draw(leaf)
    sub = expressions(index, count, depth + 1)
    kind = draw(st.sampled_from(["+", "-", "*", "/", "min", "max", "if", "neg"]))
    a, b, c = draw(sub), draw(sub), draw(sub)
    if kind in "+-*/":
        return f"({a}) {kind} ({b})"
    if kind == "if":
        return f"if(({a}) > ({b}), {c}, {a})"
    if kind == "neg":
        return f"-({a})"
    return f"{kind}({a}, {b})"


@st.composite
def random_models(draw: st.DrawFn):
    count = draw(st.integers(2, 12))
    items = []
    for index in range(count):
        if draw(st.integers(0, 3)) == 0:
            values = draw(st.lists(numbers, min_size=PERIODS, max_size=PERIODS))
            items.append({"id": f"i{index}", "inputs": values})
        else:
            items.append({"id": f"i{index}", "formula": draw(expressions(index, count))})
    return make_project(items, periods=PERIODS)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_models())
def test_engine_agrees_with_the_cell_by_cell_reference(project) -> None:
    resolved = resolve(project)
    try:
        expected = evaluate_reference(resolved)
    except FormulaError:
        expected = None
    try:
        actual = evaluate_resolved(resolved)
    except FormulaError:
        actual = None
    if expected is None or actual is None:
        # Both refuse the same model (division by zero or overflow somewhere).
        assert expected is None and actual is None
        return
    scale = max(1.0, *(abs(v) for values in expected.values() for v in values))
    for item_id, values in expected.items():
        got = actual.series(item_id)
        assert np.allclose(got, values, rtol=1e-9, atol=1e-9 * scale), item_id


def _input_cells(project):
    return [
        (item.id, t)
        for item in project.items
        if item.inputs is not None
        for t in range(len(project.periods))
    ]


BUILTIN = builtin_project()
CELLS = _input_cells(BUILTIN)


@settings(max_examples=100, deadline=None)
@given(
    edits=st.lists(
        st.tuples(st.sampled_from(CELLS), st.floats(-50, 50, allow_nan=False)), max_size=8
    )
)
def test_cash_at_period_end_is_cash_at_start_minus_burn_plus_funding(edits) -> None:
    project = BUILTIN.model_copy(deep=True)
    for (item_id, t), value in edits:
        project.item(item_id).inputs[t] = value
    opening = project.item("opening_cash").value
    for name in project.scenario_names:
        result = evaluate(project, name)
        cash, burn, funding = (result.series(s) for s in ("cash", "burn", "funding"))
        start = np.concatenate([[opening], cash[:-1]])
        assert np.allclose(cash, start - burn + funding, rtol=1e-12, atol=1e-9)


@settings(max_examples=100, deadline=None)
@given(cell=st.sampled_from(CELLS), value=st.floats(-1e3, 1e3, allow_nan=False))
def test_a_base_edit_changes_exactly_the_scenarios_that_do_not_override_the_cell(
    cell, value
) -> None:
    item_id, t = cell
    period = BUILTIN.periods[t]
    project = BUILTIN.model_copy(deep=True)
    before = {name: evaluate(project, name).series(item_id)[t] for name in project.scenario_names}
    project.item(item_id).inputs[t] = value
    for name in project.scenario_names:
        after = evaluate(project, name).series(item_id)[t]
        scenario = project.scenario(name)
        overridden = scenario is not None and scenario.overrides_cell(item_id, period)
        if overridden:
            assert after == before[name]
        else:
            assert after == value


# Any one-line text a project may hold: no control characters (Cc), surrogates (Cs) or
# non-characters (among the unassigned, Cn).
text = st.text(alphabet=st.characters(blacklist_categories=["Cc", "Cs", "Cn"]), max_size=40)


@settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    name=text,
    note=text,
    value=st.floats(-1e9, 1e9, allow_nan=False),
    cell=st.sampled_from(CELLS),
)
def test_save_then_load_gives_an_equal_project(tmp_path: Path, name, note, value, cell) -> None:
    project = BUILTIN.model_copy(deep=True)
    project.name = name
    item_id, t = cell
    item = project.item(item_id)
    item.inputs[t] = value
    item.note = note
    project.scenarios[0].description = '=HYPERLINK("http://x")' + name[:10]
    path = tmp_path / "p.burnrate"
    save_project(project, path)
    loaded = load_project(path)
    assert loaded == project
    assert not math.isnan(loaded.item(item_id).inputs[t])
