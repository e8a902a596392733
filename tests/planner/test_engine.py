import numpy as np
import pytest

from planner.engine import (
    compile_items,
    dependencies,
    evaluate,
    evaluate_resolved,
    group_members,
    input_arrays,
)
from planner.formula import FormulaError
from planner.model import ComputeContract, FundingRound
from planner.reference import evaluate_reference
from planner.scenarios import resolve
from tests.planner.helpers import make_project


def series(project, item_id, scenario=None):
    return evaluate(project, scenario).series(item_id).tolist()


def test_inputs_constants_and_formulas() -> None:
    project = make_project(
        [
            {"id": "price", "inputs": [1, 2, 3, 4]},
            {"id": "volume", "value": 10},
            {"id": "sales", "formula": "price * volume"},
        ]
    )
    assert series(project, "sales") == [10, 20, 30, 40]


def test_corkscrew_with_a_default_from_a_constant() -> None:
    project = make_project(
        [
            {"id": "opening", "value": 5},
            {"id": "flow", "inputs": [1, -2, 3, 0]},
            {"id": "balance", "formula": "prev(balance, opening) + flow"},
        ]
    )
    assert series(project, "balance") == [6, 4, 7, 7]


def test_growth_chain_and_alternating_recurrence() -> None:
    project = make_project(
        [
            {"id": "growth", "inputs": [0.5, 0.5, 0.1, 0]},
            {"id": "level", "formula": "prev(level, 2) * (1 + growth)"},
            {"id": "r", "inputs": [1, 2, 3, 4]},
            {"id": "exit", "formula": "2 * r - prev(exit, 0.5)"},
        ]
    )
    assert series(project, "level") == pytest.approx([3, 4.5, 4.95, 4.95])
    assert series(project, "exit") == pytest.approx([1.5, 2.5, 3.5, 4.5])


def test_items_linked_through_prev_step_period_by_period() -> None:
    project = make_project(
        [
            {"id": "rate", "value": 0.1},
            {"id": "interest", "formula": "prev(cash, 100) * rate"},
            {"id": "cash", "formula": "prev(cash, 100) + interest"},
        ]
    )
    assert series(project, "cash") == pytest.approx([110, 121, 133.1, 146.41])


def test_sum_of_leaves_out_totals() -> None:
    project = make_project(
        [
            {"id": "a", "group": "costs", "inputs": [1, 1, 1, 1]},
            {"id": "b", "group": "costs", "inputs": [2, 2, 2, 2]},
            {"id": "total", "group": "costs", "formula": "sum_of(costs)"},
            {"id": "double", "group": "costs", "formula": "2 * sum_of(costs)"},
        ]
    )
    assert series(project, "total") == [3, 3, 3, 3]
    assert series(project, "double") == [6, 6, 6, 6]


def test_comparisons_and_if() -> None:
    project = make_project(
        [
            {"id": "x", "inputs": [-1, 0, 1, 2]},
            {"id": "positive", "formula": "x > 0"},
            {"id": "clipped", "formula": "if(x > 0 and x < 2, x, 0)"},
            {"id": "safe_ratio", "formula": "if(x == 0, 0, 1 / x)"},
        ]
    )
    assert series(project, "positive") == [0, 0, 1, 1]
    assert series(project, "clipped") == [0, 0, 1, 0]
    assert series(project, "safe_ratio") == [-1, 0, 1, 0.5]


def test_cycle_within_a_period_names_the_items() -> None:
    project = make_project(
        [{"id": "a", "formula": "b + 1"}, {"id": "b", "formula": "a * 2"}],
    )
    with pytest.raises(FormulaError, match=r"cycle within a period: (a -> b -> a|b -> a -> b)"):
        evaluate(project)


def test_self_reference_without_prev_is_a_cycle() -> None:
    project = make_project([{"id": "a", "formula": "a + 1"}])
    with pytest.raises(FormulaError, match="cycle within a period: a -> a"):
        evaluate(project)


def test_division_by_zero_names_the_item_and_the_period() -> None:
    project = make_project(
        [{"id": "x", "inputs": [1, 2, 0, 4]}, {"id": "ratio", "formula": "1 / x"}]
    )
    with pytest.raises(FormulaError, match="line item 'ratio': the result in 2025 is not a number"):
        evaluate(project)


def test_unknown_name_is_refused_before_evaluating() -> None:
    project = make_project([{"id": "x", "inputs": [1, 2, 3, 4]}, {"id": "y", "formula": "z + 1"}])
    with pytest.raises(FormulaError, match="line item 'y': unknown name 'z'"):
        evaluate(project)


def test_samples_axis_matches_separate_runs() -> None:
    project = make_project(
        [
            {"id": "g", "inputs": [0.1, 0.2, 0.3, 0.4]},
            {"id": "level", "formula": "prev(level, 1) * (1 + g)"},
            {"id": "cash", "formula": "prev(cash, 0) + level - 1"},
        ]
    )
    samples = np.array([[0.1, 0.2, 0.3, 0.4], [0.0, 0.0, 0.0, 0.0], [1.0, -0.5, 0.2, 0.1]])
    result = evaluate(project, overrides={"g": samples})
    assert result.values["cash"].shape == (3, 4)
    for s, row in enumerate(samples):
        single = make_project(
            [
                {"id": "g", "inputs": row.tolist()},
                {"id": "level", "formula": "prev(level, 1) * (1 + g)"},
                {"id": "cash", "formula": "prev(cash, 0) + level - 1"},
            ]
        )
        assert result.series("cash", s).tolist() == pytest.approx(series(single, "cash"))


def test_contract_delivers_evenly_and_pays_each_delivery_over_its_service_years() -> None:
    contract = ComputeContract(
        id="c",
        counterparty="X",
        gw=3,
        total_value=60,
        first_year=2024,
        last_year=2026,
        service_years=2,
        custom_chip_share=0.5,
    )
    project = make_project(
        [{"id": "gw", "formula": "contracted_gw"}],
        periods=6,
        compute_contracts=[contract.model_dump()],
    )
    result = evaluate(project)
    assert result.series("contracted_gw").tolist() == pytest.approx([0, 1, 1, 1, 0, 0])
    assert result.series("contracted_custom_gw").tolist() == pytest.approx([0, 0.5, 0.5, 0.5, 0, 0])
    # Each year's GW costs 60 / (3 x 2) = 10 a year for two years.
    assert result.series("committed_spend").tolist() == pytest.approx([0, 10, 20, 20, 10, 0])
    assert result.series("committed_custom_spend").tolist() == pytest.approx([0, 5, 10, 10, 5, 0])


def test_tranches_follow_delivered_capacity_up_to_the_amount() -> None:
    contract = ComputeContract(
        id="c", counterparty="X", gw=8, total_value=0, first_year=2023, last_year=2026
    )
    tranche = FundingRound(
        id="n", period="2024", investor="N", amount=50, pre_money=100, tranche_per_gw=10
    )
    plain = FundingRound(id="p", period="2023", investor="P", amount=25, pre_money=75)
    project = make_project(
        [{"id": "f", "formula": "round_funding"}],
        compute_contracts=[contract.model_dump()],
        funding_rounds=[tranche.model_dump(), plain.model_dump()],
    )
    result = evaluate(project)
    # 2 GW a year; the tranche round counts GW from 2024: 20, then 40 -> capped at 50.
    assert result.series("round_funding").tolist() == pytest.approx([25, 20, 20, 10])
    kept = result.series("round_share_kept").tolist()
    assert kept == pytest.approx([0.75, 100 / 120, 100 / 120, 100 / 110])


def test_scenario_overrides_only_what_it_names() -> None:
    project = make_project(
        [
            {"id": "x", "inputs": [1, 2, 3, 4]},
            {"id": "y", "formula": "x * 2"},
        ],
        scenarios=[
            {"name": "S", "inputs": {"x": {"2024": 20}}},
            {"name": "F", "formulas": {"y": "x * 3"}},
        ],
    )
    assert series(project, "y", "S") == [2, 40, 6, 8]
    assert series(project, "y", "F") == [3, 6, 9, 12]
    assert series(project, "y") == [2, 4, 6, 8]


def test_reference_evaluator_agrees_on_the_builtin_scenarios(builtin) -> None:
    for name in builtin.scenario_names:
        resolved = resolve(builtin, name)
        engine = evaluate_resolved(resolved)
        reference = evaluate_reference(resolved)
        for item_id, values in reference.items():
            assert engine.series(item_id).tolist() == pytest.approx(values, rel=1e-12, abs=1e-12)


def test_result_as_a_dataframe_of_line_items_by_period(builtin) -> None:
    result = evaluate(builtin, "Bear case")
    frame = result.frame()
    assert list(frame.columns) == builtin.periods
    assert frame.loc["cash", "2030"] == result.series("cash")[7]
    assert {"revenue", "burn", "committed_spend"} <= set(frame.index)


# A spreadsheet error (#DIV/0!, #NUM!) in any operand poisons the cell, as in the workbook.
# ``z`` stands for a value read three ways: an input (whole rows at once), and ``prev`` of an
# item in a loop, with one sample (plain floats) and with two (numpy, period by period).
POISONED = [
    "(z / 0) ** 0",
    "1 ** (z / 0)",
    "(z * 1e200 * 1e200) ** 0",
    "1 ** (z * 1e200 * 1e200)",
    "0.5 ** (z * 1e200 * 1e200)",
    "1 / (z * 1e200 * 1e200)",
    "min(z / 0, 1)",
    "max(1, z * 1e200 * 1e200 * -1)",
    "abs(z / 0)",
    "(z / 0) > 1",
    "(z * 1e200 * 1e200) > 1",
    "not (z * 1e200 * 1e200)",
    "(z / 0 > 1) or 1",
    "1 and (z * 1e200 * 1e200)",
    "if(z / 0, 1, 2)",
    "if(z * 1e200 * 1e200, 1, 2)",
    "-(z / 0) + 3",
    "prev(nothing, z / 0) * 0",
]
CLEAN = [
    ("if(1, 2, z / 0)", 2.0),
    ("if(0, z / 0, 3)", 3.0),
    ("z ** 0 + 0 ** 0", 2.0),
    ("(z - z) * 5 + 1", 1.0),
]


def _reading(formula: str, path: str) -> list[dict[str, object]]:
    nothing = {"id": "nothing", "inputs": [1, 1, 1, 1]}
    if path == "vector":
        return [{"id": "z", "inputs": [1, 2, 3, 4]}, nothing, {"id": "s", "formula": formula}]
    looped = formula.replace("z", "prev(loop, 1)")
    return [
        nothing,
        {"id": "s", "formula": looped + " + prev(loop, 0) * 0"},
        {"id": "loop", "formula": "prev(s, 0) * 0 + 1"},
    ]


def _run(formula: str, path: str) -> np.ndarray:
    project = make_project(_reading(formula, path))
    samples = {"nothing": np.ones((2, 4))} if path == "samples" else None
    return evaluate(project, overrides=samples).values["s"]


@pytest.mark.parametrize("path", ["vector", "floats", "samples"])
@pytest.mark.parametrize("formula", POISONED)
def test_an_error_in_any_operand_poisons_the_result(formula: str, path: str) -> None:
    with pytest.raises(FormulaError, match="line item 's': the result in 2023 is not a number"):
        _run(formula, path)
    project = make_project(_reading(formula, path))
    with pytest.raises(FormulaError, match="line item 's'"):
        evaluate_reference(resolve(project))


@pytest.mark.parametrize("path", ["vector", "floats", "samples"])
@pytest.mark.parametrize(("formula", "expected"), CLEAN)
def test_if_looks_only_at_the_branch_it_takes(formula: str, expected: float, path: str) -> None:
    assert _run(formula, path)[:, 0].tolist() == [expected] * (2 if path == "samples" else 1)


def test_errors_kept_as_nan_when_asked_and_only_where_they_are() -> None:
    project = make_project(
        [
            {"id": "x", "inputs": [1, 0, 2, 0]},
            {"id": "ratio", "formula": "(1 / x) ** 0"},
            {"id": "later", "formula": "prev(ratio, 5) + 1"},
        ]
    )
    resolved = resolve(project)
    values = compile_items(resolved.items).run(
        input_arrays(resolved), resolved.periods, refuse_errors=False
    )
    assert np.isnan(values["ratio"][0]).tolist() == [False, True, False, True]
    assert np.isnan(values["later"][0]).tolist() == [False, False, True, False]
    reference = evaluate_reference(resolved, keep_errors=True)
    assert np.isnan(reference["later"]).tolist() == [False, False, True, False]


@pytest.mark.parametrize("default", ["2 ** 2", "1 / 2", "-(3 - 1) * 2", "abs(-2) + 0 ** 0"])
def test_a_prev_default_computed_from_numbers_alone(default: str) -> None:
    project = make_project(
        [
            {"id": "y", "inputs": [1, 2, 3, 4]},
            {"id": "shifted", "formula": f"prev(y, {default})"},
            {"id": "balance", "formula": f"prev(balance, {default}) + y"},
        ]
    )
    first = float(evaluate_reference(resolve(project))["shifted"][0])
    assert series(project, "shifted") == [first, 1, 2, 3]
    assert series(project, "balance") == [first + 1, first + 3, first + 6, first + 10]


@pytest.mark.parametrize("op", ["+", "-", "*", "/"])
def test_a_flat_chain_of_600_terms_evaluates_as_written(op: str) -> None:
    chain = "a" + f" {op}a" * 599
    project = make_project(
        [
            {"id": "a", "inputs": [1, 1.001, 0.999, 1]},
            {"id": "flat", "formula": chain},
            {"id": "running", "formula": f"prev(running, 1) {op} ({chain})"},
            {"id": "linked", "formula": f"prev(other, 1) + {chain}"},
            {"id": "other", "formula": f"prev(linked, 1) - {chain}"},
        ]
    )
    resolved = resolve(project)
    reference = evaluate_reference(resolved)
    for samples in (None, {"a": np.tile([1, 1.001, 0.999, 1], (2, 1))}):
        result = evaluate_resolved(resolved, samples)
        for item_id in ("flat", "running", "linked", "other"):
            got = result.values[item_id]
            assert got == pytest.approx(np.tile(reference[item_id], (len(got), 1)), rel=1e-12)


def test_sum_of_members_are_the_same_as_group_members(builtin) -> None:
    items = resolve(builtin).items
    deps = dependencies(items)
    assert deps.members
    for (item_id, group), members in deps.members.items():
        assert list(members) == group_members(items, group, item_id)
