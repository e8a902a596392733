"""Goal seek: hand-computable answers on a small model, the built-in bear case, and refusals."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from planner.engine import evaluate, evaluate_resolved, input_arrays
from planner.kpis import compute_kpis
from planner.model import Project
from planner.scenarios import resolve
from planner.solve import (
    AtMost,
    BreakevenBy,
    CashNeverBelowZero,
    CashZeroChance,
    ConstantValue,
    EventTerm,
    InputCell,
    RowGrowth,
    RowScale,
    SeriesValue,
    Solution,
    SolveCancelled,
    SolveError,
    Target,
    Variable,
    answer_command,
    applied_copy,
    margins_at,
    new_scenario_command,
    outcome_lines,
    solve,
)
from planner.solve_spec import parse_target
from planner.uncertainty import ranges_for, run_montecarlo
from tests.planner.helpers import make_project


def small_project(**extra: Any) -> Project:
    """Sales 10 and costs 20 a year, $5B raised in 2023 on $5B of opening cash.

    Cash at the end of year t (0-based) is 10 - (t + 1) * (20 - 10 f) with sales
    scaled by f: it runs out in 2024 as it stands.
    """
    return make_project(
        [
            {"id": "sales", "inputs": [10.0] * 4},
            {"id": "costs", "inputs": [20.0] * 4},
            {"id": "revenue", "formula": "sales"},
            {"id": "total_costs", "formula": "costs + committed_spend"},
            {"id": "burn", "formula": "total_costs - revenue"},
            {"id": "funding", "formula": "round_funding"},
            {"id": "opening_cash", "value": 5.0},
            {"id": "cash", "formula": "prev(cash, opening_cash) + funding - burn"},
        ],
        funding_rounds=[{"id": "r1", "period": "2023", "investor": "Angel", "amount": 5.0}],
        scenarios=[{"name": "Lean", "inputs": {"costs": {"2026": 10.0}}}],
        **extra,
    )


def margin_of(project: Project, scenario: str, target: Target) -> float:
    return float(target.margins(evaluate(project, scenario))[0])


def margin_at(project: Project, solution: Solution, value: float) -> float:
    """The target's margin with ``value`` applied through the answer's own command."""
    moved = applied_copy(project, _with_value(solution, value))
    return margin_of(moved, solution.scenario, solution.target)


def _with_value(solution: Solution, value: float) -> Solution:
    from dataclasses import replace

    return replace(solution, value=value)


HAND_COMPUTED: list[tuple[Variable, Target, float]] = [
    # 10 - 4 (20 - 10 f) >= 0
    (RowScale(("sales",)), CashNeverBelowZero(), 1.75),
    (RowScale(("sales",)), CashNeverBelowZero(2026), 1.75),
    # burn 20 - 10 f <= 0 from 2025 on
    (RowScale(("sales",)), BreakevenBy(2025), 2.0),
    # peak 4 (20 - 10 f) <= 20
    (RowScale(("sales",)), AtMost("peak_funding_need", 20.0), 1.5),
    # cash in 2026 is -40 + x
    (InputCell("sales", "2026"), SeriesValue("cash", "2026", ">=", 0.0), 40.0),
    (InputCell("sales", "2026"), SeriesValue("cash", "2026", "=", 5.0), 45.0),
    # cash in 2026 is -20 - (c - 10) with costs c in 2026
    (InputCell("costs", "2026"), SeriesValue("cash", "2026", "<=", -50.0), 40.0),
    # 10 (1 + g)^3 >= 40
    (RowGrowth("sales", "2024"), SeriesValue("sales", "2026", ">=", 40.0), 4 ** (1 / 3) - 1),
    # opening + 5 - 40 >= 0
    (ConstantValue("opening_cash"), CashNeverBelowZero(), 35.0),
    (EventTerm("r1", "amount"), CashNeverBelowZero(), 35.0),
]


@pytest.mark.parametrize(("variable", "target", "expected"), HAND_COMPUTED)
def test_hand_computable_answers(variable: Variable, target: Target, expected: float) -> None:
    project = small_project()
    solution = solve(project, "Base", variable, target)
    assert solution.outcome == "reached"
    assert solution.value == pytest.approx(expected, abs=2 * solution.tolerance)
    assert solution.tolerance <= 1e-4 * max(1.0, abs(expected))


@pytest.mark.parametrize(("variable", "target", "expected"), HAND_COMPUTED)
def test_the_answer_meets_the_target_and_a_little_less_of_a_change_does_not(
    variable: Variable, target: Target, expected: float
) -> None:
    project = small_project()
    solution = solve(project, "Base", variable, target)
    assert margin_at(project, solution, solution.value) >= 0
    before = solution.before
    assert before is not None
    toward_now = math.copysign(3 * solution.tolerance, before - solution.value)
    assert margin_at(project, solution, solution.value + toward_now) < 0


def test_an_exact_value_is_found_within_its_tolerance() -> None:
    project = small_project()
    target = SeriesValue("cash", "2026", "=", 5.0)
    solution = solve(project, "Base", InputCell("sales", "2026"), target)
    moved = applied_copy(project, solution)
    cash = evaluate(moved, "Base").series("cash")[3]
    assert cash == pytest.approx(5.0, abs=2 * solution.tolerance)


def test_a_target_already_met_says_how_far_the_variable_can_move() -> None:
    # cumulative burn 80 - 40 f is 40 now; it stays at most 60 down to f = 0.5.
    project = small_project()
    target = AtMost("cumulative_burn", 60.0)
    solution = solve(project, "Base", RowScale(("sales",)), target)
    assert solution.outcome == "holds_to"
    assert solution.value == pytest.approx(0.5, abs=2 * solution.tolerance)
    assert margin_at(project, solution, solution.value) >= 0
    assert margin_at(project, solution, solution.value - 3 * solution.tolerance) < 0


def test_a_target_met_across_the_whole_range_needs_no_change() -> None:
    project = small_project()
    target = AtMost("cumulative_burn", 1000.0)
    solution = solve(project, "Base", RowScale(("sales",)), target, search_range=(0.5, 2.0))
    assert solution.outcome == "met_throughout"
    assert solution.value == 1.0


def test_no_value_in_the_range_says_so_and_gives_the_closest() -> None:
    project = small_project()
    solution = solve(
        project, "Base", RowScale(("sales",)), CashNeverBelowZero(), search_range=(0.0, 1.5)
    )
    assert solution.status == "no_solution"
    assert solution.value == 1.5
    # At 1.5 the lowest cash is 10 - 4 * 5.
    assert solution.margin == pytest.approx(-10.0)
    assert "-$10.0B" in solution.target.reached(solution.margin)


def test_a_row_scaled_in_a_scenario_keeps_its_own_overrides() -> None:
    # In "Lean", costs are 10 in 2026: cash in 2026 is 10 - 3 (20 - 10 f) - (10 - 10 f).
    project = small_project()
    solution = solve(project, "Lean", RowScale(("sales",)), SeriesValue("cash", "2026", ">=", 0))
    assert solution.value == pytest.approx(1.5, abs=2 * solution.tolerance)
    moved = applied_copy(project, solution)
    lean = moved.scenario("Lean")
    assert lean is not None
    assert lean.inputs["sales"]["2024"] == pytest.approx(15.0, abs=1e-3)
    assert moved.item("sales").inputs == [10.0] * 4  # the base is left alone


def test_two_rows_scale_by_one_factor() -> None:
    # Scaling revenue and costs alike: cash 10 - (t + 1) * 10 f, so f <= 0.25 keeps it >= 0.
    project = small_project()
    solution = solve(project, "Base", RowScale(("sales", "costs")), CashNeverBelowZero())
    assert solution.value == pytest.approx(0.25, abs=2 * solution.tolerance)
    moved = applied_copy(project, solution)
    assert moved.item("costs").inputs == pytest.approx([5.0] * 4, abs=1e-3)


def contract_project() -> Project:
    return small_project(
        compute_contracts=[
            {
                "id": "c1",
                "counterparty": "Chips Inc",
                "gw": 1.0,
                "total_value": 8.0,
                "first_year": 2024,
                "last_year": 2024,
                "service_years": 1,
            }
        ]
    )


def test_a_contract_value_is_solved_through_the_event_tables() -> None:
    # The contract is paid in 2024: cash in 2024 is 10 - 2 * 10 - value; at least -25 needs <= 15.
    project = contract_project()
    target = SeriesValue("cash", "2024", ">=", -25.0)
    solution = solve(project, "Base", EventTerm("c1", "total_value"), target)
    assert solution.outcome == "holds_to"
    assert solution.value == pytest.approx(15.0, abs=2 * solution.tolerance)


def test_a_contract_gw_moves_the_delivered_capacity() -> None:
    project = contract_project()
    target = SeriesValue("contracted_gw", "2024", ">=", 3.0)
    solution = solve(project, "Base", EventTerm("c1", "gw"), target)
    assert solution.value == pytest.approx(3.0, abs=2 * solution.tolerance)


def ranged_project() -> Project:
    return small_project(
        uncertainty=[{"item": "sales", "distribution": "uniform", "low": 0.5, "high": 1.5}]
    )


def test_the_chance_of_running_out_is_solved_on_the_same_draws_every_time() -> None:
    # Cash runs out by 2026 when f * u < 1.75, u uniform on 0.5 to 1.5: p <= 0.5 near f = 1.75.
    project = ranged_project()
    target = CashZeroChance(2026, 0.5, tuple(project.uncertainty))
    first = solve(project, "Base", RowScale(("sales",)), target)
    again = solve(project, "Base", RowScale(("sales",)), target)
    assert first.value == again.value
    assert first.value == pytest.approx(1.75, abs=0.05)
    at = np.array([first.value, first.value - 3 * first.tolerance])
    margins = margins_at(project, "Base", RowScale(("sales",)), target, at)
    assert margins[0] >= 0 > margins[1]


def test_a_chance_target_needs_ranges() -> None:
    project = small_project()
    with pytest.raises(SolveError, match="no ranges"):
        solve(project, "Base", RowScale(("sales",)), CashZeroChance(2026, 0.1))


def test_the_number_of_engine_calls_is_bounded_and_reported() -> None:
    project = small_project()
    calls: list[tuple[int, int]] = []

    def progress(done: int, most: int) -> bool:
        calls.append((done, most))
        return True

    variable = RowGrowth("sales", "2024")
    target = SeriesValue("sales", "2026", ">=", 40.0)
    unbounded = solve(project, "Base", variable, target)
    assert unbounded.evaluations > 2 * 32  # this question takes more than two calls
    solution = solve(project, "Base", variable, target, progress=progress, max_calls=2)
    assert calls == [(1, 2), (2, 2)]
    assert solution.evaluations <= 2 * 32
    assert solution.tolerance > unbounded.tolerance  # what it reached, said as it is
    assert margin_at(project, solution, solution.value) >= 0  # still on the met side


def test_progress_can_cancel() -> None:
    with pytest.raises(SolveCancelled):
        solve(
            small_project(),
            "Base",
            RowScale(("sales",)),
            CashNeverBelowZero(),
            progress=lambda done, most: False,
        )


def test_a_candidate_that_divides_by_zero_misses_rather_than_stopping_the_search() -> None:
    project = make_project(
        [
            {"id": "price", "inputs": [1.0, 1.0, 1.0]},
            {"id": "revenue", "formula": "10 / price"},
            {"id": "burn", "formula": "0 - revenue"},
            {"id": "cash", "formula": "prev(cash, 0) - burn"},
        ],
        periods=3,
    )
    target = SeriesValue("revenue", "2024", ">=", 20.0)
    solution = solve(project, "Base", InputCell("price", "2024"), target, search_range=(0, 4))
    assert solution.value == pytest.approx(0.5, abs=1e-4)


def test_a_range_where_the_model_never_evaluates_says_so() -> None:
    project = make_project(
        [
            {"id": "price", "inputs": [1.0, 1.0, 1.0]},
            {"id": "revenue", "formula": "(price - 5) ** 0.5"},
            {"id": "burn", "formula": "0 - revenue"},
            {"id": "cash", "formula": "prev(cash, 0) - burn"},
        ],
        periods=3,
    )
    target = SeriesValue("revenue", "2024", ">=", 1.0)
    solution = solve(project, "Base", InputCell("price", "2024"), target, search_range=(0, 4))
    assert solution.status == "no_solution"
    assert "the model does not evaluate" in " ".join(outcome_lines(solution))


@pytest.mark.parametrize(
    ("variable", "target", "message"),
    [
        (InputCell("sales", "2040"), CashNeverBelowZero(), "no period '2040'"),
        (RowGrowth("sales", "2023"), CashNeverBelowZero(), "choose a period after 2023"),
        (EventTerm("nope", "amount"), CashNeverBelowZero(), "its funding rounds: r1"),
        (RowScale(("sales",)), CashNeverBelowZero(2040), "from 2023 to 2026"),
        (RowScale(("sales",)), SeriesValue("nope", "2024", "<=", 1), "no series 'nope'"),
    ],
)
def test_questions_that_do_not_apply_are_refused(
    variable: Variable, target: Target, message: str
) -> None:
    with pytest.raises(SolveError, match=message):
        solve(small_project(), "Base", variable, target)


def test_a_range_outside_what_the_file_accepts_is_refused() -> None:
    with pytest.raises(SolveError, match="can only be from 0"):
        solve(
            small_project(),
            "Base",
            EventTerm("r1", "amount"),
            CashNeverBelowZero(),
            search_range=(-10, 10),
        )


def test_applying_the_answer_is_one_command_that_undoes_exactly() -> None:
    project = small_project()
    solution = solve(project, "Lean", RowScale(("sales",)), CashNeverBelowZero())
    before = project.model_dump()
    inverse = answer_command(project, solution).apply(project)
    assert project.model_dump() != before
    inverse.apply(project)
    assert project.model_dump() == before


def test_saving_as_a_new_scenario_names_it_after_the_question() -> None:
    project = small_project()
    solution = solve(project, "Base", RowScale(("sales",)), CashNeverBelowZero())
    command = new_scenario_command(project, solution)
    inverse = command.apply(project)
    name = "Base: cash never below zero (sales, scaled)"
    assert name in project.scenario_names
    assert compute_kpis(evaluate(project, name))["cash_zero"] is None
    assert compute_kpis(evaluate(project, "Base"))["cash_zero"] is not None
    inverse.apply(project)
    assert name not in project.scenario_names


# --- the built-in project ------------------------------------------------------------


def test_the_bear_case_needs_enterprise_revenue_about_five_times_higher(builtin: Project) -> None:
    target = CashNeverBelowZero(2035)
    solution = solve(builtin, "Bear case", RowScale(("enterprise_api",)), target)
    assert solution.outcome == "reached"
    # Found independently (bisection over the engine, revenue scaled from 2026 only, the
    # years to 2025 being actual figures): the lowest cash through 2035 crosses zero at 5.3584.
    assert solution.value == pytest.approx(5.3584, abs=1e-3)
    assert margin_at(builtin, solution, solution.value) >= 0
    assert margin_at(builtin, solution, solution.value - 3 * solution.tolerance) < 0
    kpis = compute_kpis(evaluate(applied_copy(builtin, solution), "Bear case"))
    assert kpis["cash_zero"] is None


def test_the_leaked_plan_holds_with_a_quarter_less_enterprise_revenue(builtin: Project) -> None:
    solution = solve(builtin, "Leaked plan", RowScale(("enterprise_api",)), CashNeverBelowZero())
    assert solution.outcome == "holds_to"
    assert 0.7 < solution.value < 0.8
    assert margin_at(builtin, solution, solution.value) >= 0
    assert margin_at(builtin, solution, solution.value - 3 * solution.tolerance) < 0


def test_the_bear_case_new_round_must_reach_about_a_trillion(builtin: Project) -> None:
    solution = solve(builtin, "Bear case", EventTerm("r2026_round", "amount"), CashNeverBelowZero())
    assert solution.outcome == "reached"
    assert 1000 < solution.value < 1300
    assert margin_at(builtin, solution, solution.value) >= 0
    assert margin_at(builtin, solution, solution.value - 3 * solution.tolerance) < 0


def test_built_in_ranges_give_a_chance_target(builtin: Project) -> None:
    target = CashZeroChance(2035, 0.05, tuple(builtin.uncertainty))
    solution = solve(builtin, "Leaked plan", RowScale(("enterprise_api",)), target)
    assert solution.outcome == "reached"
    assert solution.value > 1.0


def test_the_chance_target_draws_as_the_risk_view_does(builtin: Project) -> None:
    bear = builtin.scenario("Bear case")
    assert bear is not None
    bear.uncertainty = [builtin.uncertainty[0].model_copy(update={"low": 0.5})]
    target = parse_target("p_cash_zero_by:2030<=0.5", builtin, resolve(builtin, "Bear case"))
    assert isinstance(target, CashZeroChance)
    assert target.ranges == ranges_for(builtin, "Bear case") != tuple(builtin.uncertainty)
    assert target.correlations == tuple(builtin.correlations)
    # Nothing moved: the chance the solver sees is the risk view's for the same draws.
    plan = CashZeroChance.of_scenario(builtin, "Leaked plan", 2035, 0.5)
    resolved = resolve(builtin, "Leaked plan")
    unmoved = {"other_costs": np.atleast_2d(input_arrays(resolved)["other_costs"])}
    chance = plan.chances(evaluate_resolved(resolved, plan.widen(resolved, unmoved)))[0]
    view = run_montecarlo(builtin, "Leaked plan", plan.samples, plan.seed)
    assert chance == pytest.approx(view.cash_zero_by_period[-1])


def test_a_scaled_row_keeps_the_actual_figures_up_to_the_reference_period(
    builtin: Project,
) -> None:
    assert builtin.reference_period == "2025"
    solution = solve(builtin, "Bear case", RowScale(("enterprise_api",)), CashNeverBelowZero(2035))
    before = next(i for i in resolve(builtin, "Bear case").items if i.id == "enterprise_api")
    moved = applied_copy(builtin, solution)
    after = next(i for i in resolve(moved, "Bear case").items if i.id == "enterprise_api")
    assert before.inputs is not None and after.inputs is not None
    for period, old, new in zip(builtin.periods, before.inputs, after.inputs, strict=True):
        factor = 1.0 if period <= "2025" else solution.value
        assert new == pytest.approx(old * factor), period
    assert solution.variable.label(resolve(builtin, "Bear case")).endswith("scaled from 2026")
