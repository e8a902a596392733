"""Attribution of a KPI's difference between two scenarios to the groups of changes."""

from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np
import pytest

from planner.attribution import AttributionError, explain, waterfall_steps
from planner.coalitions import Coalitions
from planner.engine import evaluate
from planner.kpis import compute_kpis
from planner.model import Project, Scenario
from planner.scenarios import resolve
from tests.planner.helpers import make_project


def product_project(changes: dict[str, float], base: dict[str, float], **extra: Any) -> Project:
    """revenue = x * y + z over two periods; burn = -revenue; scenario B sets inputs."""
    items = [{"id": name, "inputs": [value, value]} for name, value in base.items()] + [
        {"id": "revenue", "formula": "x * y + z"},
        {"id": "burn", "formula": "total_costs - revenue"},
    ]
    scenario = {"name": "B", "inputs": {k: {"2023": v, "2024": v} for k, v in changes.items()}}
    return make_project(items, periods=2, scenarios=[scenario], **extra)


def values_of(result: Any) -> dict[str, float]:
    return {part.group: part.value for part in result.parts}


def test_hand_computed_shapley_values_with_an_interaction() -> None:
    # v({}) = 1, v(x) = 2, v(y) = 3, v(xy) = 6 per period: x gets 2, y gets 3 per period.
    project = product_project({"x": 2.0, "y": 3.0}, {"x": 1.0, "y": 1.0, "z": 0.0})
    result = explain(project, "Base", "B", "cumulative_burn")
    assert result.method == "exact"
    assert result.value_from == pytest.approx(-2.0)
    assert result.value_to == pytest.approx(-12.0)
    assert values_of(result) == pytest.approx({"x": -4.0, "y": -6.0})
    assert [p.group for p in result.parts] == ["y", "x"]  # largest first


def test_symmetric_groups_get_equal_parts() -> None:
    project = product_project({"x": 3.0, "y": 3.0}, {"x": 1.0, "y": 1.0, "z": 0.0})
    parts = values_of(explain(project, "Base", "B", "cumulative_burn"))
    assert parts["x"] == pytest.approx(parts["y"])
    assert parts["x"] == pytest.approx(-8.0)  # (9 - 1) * 2 periods, halved


def test_one_group_gets_the_whole_difference() -> None:
    project = product_project({"z": 5.0}, {"x": 1.0, "y": 1.0, "z": 0.0})
    result = explain(project, "Base", "B", "cumulative_burn")
    assert [(p.group, p.value) for p in result.parts] == [("z", result.difference)]
    assert result.difference == pytest.approx(-10.0)


def test_a_group_that_changes_nothing_gets_zero() -> None:
    project = product_project(
        {"x": 2.0, "unused": 7.0}, {"x": 1.0, "y": 1.0, "z": 0.0, "unused": 1.0}
    )
    parts = values_of(explain(project, "Base", "B", "cumulative_burn"))
    assert parts["unused"] == 0.0
    assert parts["x"] == pytest.approx(-2.0)


def test_the_parts_add_up_exactly_on_the_built_in_project(builtin: Project) -> None:
    for kpi in ("peak_funding_need", "cumulative_burn", "total_raised", "last_post_money"):
        result = explain(builtin, "Leaked plan", "Bear case", kpi)
        total = sum(part.value for part in result.parts)
        assert math.isclose(total, result.difference, rel_tol=1e-12, abs_tol=1e-9), kpi


def test_the_ends_are_the_scenarios_own_kpis(builtin: Project) -> None:
    for a, b in (("Leaked plan", "Bear case"), ("Bull case", "Custom silicon")):
        kpis_a, kpis_b = compute_kpis(evaluate(builtin, a)), compute_kpis(evaluate(builtin, b))
        for kpi in (
            "peak_funding_need",
            "cumulative_burn",
            "total_raised",
            "last_post_money",
            "commitments_total",
            "commitments_to_revenue",
        ):
            result = explain(builtin, a, b, kpi)
            assert result.value_from == pytest.approx(kpis_a[kpi]), (a, kpi)
            assert result.value_to == pytest.approx(kpis_b[kpi]), (b, kpi)


def test_groups_cover_formulas_values_and_rows_of_both_sides(builtin: Project) -> None:
    # Bull overrides the chip discount and Bear does not: that is a change from Bull to Bear too.
    result = explain(builtin, "Bull case", "Bear case", "total_raised")
    groups = {part.group for part in result.parts}
    assert {"custom_chip_discount", "round:r2026_round", "round:r2027_ipo"} <= groups
    labels = {part.group: part.label for part in result.parts}
    assert labels["round:r2027_ipo"].endswith("(removed)")
    assert values_of(result)["round:r2027_ipo"] == pytest.approx(-60.0)


def test_formula_overrides_and_rows_are_evaluated_as_mixes() -> None:
    items = [
        {"id": "x", "inputs": [1.0, 1.0, 1.0]},
        {"id": "k", "value": 2.0},
        {"id": "revenue", "formula": "x * k"},
        {"id": "burn", "formula": "total_costs - revenue"},
        {"id": "funding", "formula": "round_funding"},
    ]
    rounds = [{"id": "r1", "period": "2023", "investor": "Fund", "amount": 5.0}]
    scenario = {
        "name": "B",
        "formulas": {"revenue": "x * k * 2"},
        "values": {"k": 3.0},
        "inputs": {"x": {"2024": 4.0}},
        "removed_rows": ["r1"],
        "funding_rounds": {"r2": {"id": "r2", "period": "2024", "investor": "New", "amount": 1.0}},
    }
    project = make_project(items, periods=3, funding_rounds=rounds, scenarios=[scenario])
    for kpi in ("cumulative_burn", "total_raised"):
        result = explain(project, "Base", "B", kpi)
        assert {p.group for p in result.parts} == {"x", "k", "revenue", "round:r1", "round:r2"}
        kpis_a = compute_kpis(evaluate(project, "Base"))
        kpis_b = compute_kpis(evaluate(project, "B"))
        assert result.value_from == pytest.approx(kpis_a[kpi])
        assert result.value_to == pytest.approx(kpis_b[kpi])
        assert sum(p.value for p in result.parts) == pytest.approx(result.difference, abs=1e-12)
    burn = values_of(explain(project, "Base", "B", "cumulative_burn"))
    # Each of x, k and the doubling formula multiplies revenue: all three interact.
    assert burn["revenue"] < 0 and burn["k"] < 0 and burn["x"] < 0
    assert burn["round:r1"] == 0.0
    # The engine runs once per formula mix, not once per coalition.
    assert explain(project, "Base", "B", "cumulative_burn").engine_calls <= 4


def many_groups_project(count: int) -> Project:
    """burn = (a0 + ...) * (b0 + ...) + a0 * a1 * b0 + max(a2, b2): uneven interactions.

    Three-way and max terms: the effects of an ordering and of its reverse do not
    simply average to the exact part, so the sampled estimate has an error to show.
    """
    half = count // 2
    names = [f"a{i}" for i in range(half)] + [f"b{i}" for i in range(count - half)]
    items = [{"id": n, "inputs": [1.0, 1.0]} for n in names]
    formula = (
        f"({' + '.join(names[:half])}) * ({' + '.join(names[half:])}) + a0 * a1 * b0 + max(a2, b2)"
    )
    items += [
        {"id": "burn", "formula": formula},
    ]
    changes = {n: {"2023": 1.0 + 0.3 * i, "2024": 2.0 - 0.1 * i} for i, n in enumerate(names)}
    return make_project(items, periods=2, scenarios=[{"name": "B", "inputs": changes}])


def test_sampled_estimates_converge_to_the_exact_values() -> None:
    project = many_groups_project(14)
    exact = explain(project, "Base", "B", "peak_funding_need", max_exact_groups=14)
    sampled = explain(project, "Base", "B", "peak_funding_need", orderings=1000, seed=3)
    assert exact.method == "exact" and sampled.method == "sampled"
    assert sampled.error > 0
    by_group = {p.group: p for p in sampled.parts}
    for part in exact.parts:
        estimate = by_group[part.group]
        assert abs(estimate.value - part.value) <= 4 * estimate.error + 1e-9, part.group
    total = sum(p.value for p in sampled.parts)
    assert math.isclose(total, sampled.difference, rel_tol=1e-12, abs_tol=1e-9)


def test_sampling_is_reproducible_and_depends_on_the_seed() -> None:
    project = many_groups_project(16)
    first = explain(project, "Base", "B", "cumulative_burn", orderings=50, seed=7)
    again = explain(project, "Base", "B", "cumulative_burn", orderings=50, seed=7)
    other = explain(project, "Base", "B", "cumulative_burn", orderings=50, seed=8)
    assert first.parts == again.parts
    assert first.parts != other.parts


def cash_project(b_cost: float, a_cost: float = 3.0) -> Project:
    items = [
        {"id": "total_costs", "inputs": [a_cost] * 4},
        {"id": "revenue", "inputs": [1.0] * 4},
        {"id": "burn", "formula": "total_costs - revenue"},
        {"id": "funding", "inputs": [5.0, 0.0, 0.0, 0.0]},
        {"id": "cash", "formula": "prev(cash, 0) + funding - burn"},
    ]
    scenario = {
        "name": "B",
        "inputs": {"total_costs": dict.fromkeys(("2023", "2024", "2025", "2026"), b_cost)},
    }
    return make_project(items, periods=4, scenarios=[scenario])


def test_cash_zero_is_counted_in_months_from_the_start() -> None:
    # Cash 3, 1, -1: runs out in 2025 (month 6 by interpolation); with costs 4: 2, -1 in 2024.
    project = cash_project(b_cost=4.0)
    kpis_a = compute_kpis(evaluate(project, "Base"))
    kpis_b = compute_kpis(evaluate(project, "B"))
    result = explain(project, "Base", "B", "cash_zero")
    months = {
        m: (int(m[:4]) - 2023) * 12 + int(m[5:]) - 1
        for m in (kpis_a["cash_zero"], kpis_b["cash_zero"])
    }  # type: ignore[index]
    assert result.value_from == months[kpis_a["cash_zero"]]  # type: ignore[index]
    assert result.value_to == months[kpis_b["cash_zero"]]  # type: ignore[index]
    assert result.unit == "months" and "months from the start of 2023" in result.note


def test_a_date_kpi_that_is_never_on_one_side_is_refused() -> None:
    project = cash_project(b_cost=0.5)
    with pytest.raises(AttributionError, match="cash never runs out in 'B'"):
        explain(project, "Base", "B", "cash_zero")


def test_unknown_names_are_refused_with_the_valid_ones(builtin: Project) -> None:
    with pytest.raises(AttributionError, match="'Leaked plan', 'Bull case'"):
        explain(builtin, "Leaked plan", "Worst case", "peak_funding_need")
    with pytest.raises(AttributionError, match="peak_funding_need"):
        explain(builtin, "Leaked plan", "Bear case", "peak")


def test_a_scenario_against_itself_has_nothing_to_split(builtin: Project) -> None:
    result = explain(builtin, "Bear case", "Bear case", "peak_funding_need")
    assert result.parts == () and result.difference == 0.0


def test_the_waterfall_runs_from_a_through_the_parts_to_b() -> None:
    project = many_groups_project(14)
    result = explain(project, "Base", "B", "cumulative_burn", max_exact_groups=14)
    steps = waterfall_steps(result, bars=5)
    assert [s.kind for s in (steps[0], steps[-1])] == ["total", "total"]
    assert (steps[0].start, steps[0].end) == (0.0, result.value_from)
    assert steps[-1].end == result.value_to
    middle = steps[1:-1]
    assert [s.label for s in middle[:5]] == [p.label for p in result.parts[:5]]
    assert middle[-1].label == "Other (9 changes)" and middle[-1].changes == 9
    for before, after in itertools.pairwise(middle):
        assert after.start == before.end
    assert middle[-1].end == pytest.approx(result.value_to, abs=1e-9)
    assert all(s.kind == ("increase" if s.end > s.start else "decrease") for s in middle)


def test_the_waterfall_leaves_out_parts_of_zero(builtin: Project) -> None:
    result = explain(builtin, "Leaked plan", "Bear case", "total_raised")
    labels = [step.label for step in waterfall_steps(result)]
    assert labels == [
        "Leaked plan",
        "Funding round: New round, 2026",
        "Funding round: Stock market listing, 2027 (removed)",
        "Bear case",
    ]


def mixed_scenario(project: Project, name: str, groups: set[str]) -> Scenario:
    """The scenario ``name`` (over the base) keeping only the overrides of ``groups``."""
    full = project.scenario(name)
    assert full is not None
    return Scenario(
        name=f"mix {sorted(groups)}",
        inputs={k: v for k, v in full.inputs.items() if k in groups},
        values={k: v for k, v in full.values.items() if k in groups},
        formulas={k: v for k, v in full.formulas.items() if k in groups},
        funding_rounds={k: v for k, v in full.funding_rounds.items() if f"round:{k}" in groups},
        compute_contracts={
            k: v for k, v in full.compute_contracts.items() if f"contract:{k}" in groups
        },
        removed_rows=[r for r in full.removed_rows if {f"round:{r}", f"contract:{r}"} & groups],
    )


@pytest.mark.parametrize(
    "kpi",
    ["peak_funding_need", "total_raised", "last_post_money", "commitments_to_revenue",
     "breakeven_year", "cash_zero"],
)  # fmt: skip
def test_every_coalition_is_the_scenario_made_of_its_changes(builtin: Project, kpi: str) -> None:
    """Each mix of the bear case's changes, evaluated together, is what the engine says of a
    scenario holding just those changes (dates as numbers, "never" after the horizon)."""
    coalitions = Coalitions(resolve(builtin, "Leaked plan"), resolve(builtin, "Bear case"), kpi)
    n = len(coalitions.groups)
    rng = np.random.default_rng(5)
    membership = rng.random((24, n)) < 0.5
    values = coalitions.values(membership)
    for row, value in zip(membership, values, strict=True):
        groups = {g.key for g, on in zip(coalitions.groups, row, strict=True) if on}
        builtin.scenarios.append(mixed_scenario(builtin, "Bear case", groups))
        expected = compute_kpis(evaluate(builtin, builtin.scenarios[-1].name))[kpi]
        builtin.scenarios.pop()
        if kpi == "cash_zero":
            month = expected or "2036-01"
            expected = (int(month[:4]) - 2023) * 12 + int(month[5:]) - 1  # type: ignore[index]
        elif kpi == "breakeven_year":
            expected = expected or 2036
        assert value == pytest.approx(expected, rel=1e-12), sorted(groups)


def test_a_date_kpi_never_reached_on_both_sides_is_refused() -> None:
    project = cash_project(b_cost=0.8, a_cost=0.5)
    with pytest.raises(AttributionError, match="cash never runs out in both 'Base' and 'B'"):
        explain(project, "Base", "B", "cash_zero")


def test_a_kpi_undefined_for_some_mixes_is_refused() -> None:
    # A has one priced round, B swaps it for another: the mix without either has no last round.
    items = [{"id": "funding", "formula": "round_funding"}]
    priced = {"period": "2023", "investor": "Fund", "amount": 1.0, "pre_money": 10.0}
    scenario = {
        "name": "B",
        "removed_rows": ["r1"],
        "funding_rounds": {"r2": {**priced, "id": "r2", "pre_money": 20.0}},
    }
    project = make_project(
        items, periods=2, funding_rounds=[{**priced, "id": "r1"}], scenarios=[scenario]
    )
    with pytest.raises(AttributionError, match="no value for some mixes of 'Base' and 'B'"):
        explain(project, "Base", "B", "last_post_money")
    assert explain(project, "Base", "B", "total_raised").difference == 0.0


def test_a_row_whose_note_alone_changed_says_so(builtin: Project) -> None:
    result = explain(builtin, "Leaked plan", "Custom silicon", "peak_funding_need")
    amd = next(p for p in result.parts if p.group == "contract:c_amd")
    assert amd.label == "Compute contract: AMD (note only)" and amd.value == 0.0
