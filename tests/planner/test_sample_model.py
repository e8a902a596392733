"""The cut-down model that samples go through gives exactly the whole model's values."""

from __future__ import annotations

import numpy as np
import pytest

from planner.analysis.risk_stats import exact_percentiles
from planner.analysis.sample_model import sampled_scenario
from planner.model import Project
from planner.scenarios import resolve
from planner.uncertainty import draw_factors, evaluate_factors
from tests.planner.helpers import make_project

READ = ("cash", "burn", "funding", "revenue")


def same_read_series(project: Project, scenario: str | None, specs, samples: int = 50) -> int:
    """Compare the read series of the whole and the cut model; the cut model's item count."""
    resolved = resolve(project, scenario)
    cut = sampled_scenario(resolved, {spec.item for spec in specs}, READ)
    factors = draw_factors(specs, samples, seed=3)
    whole = evaluate_factors(resolved, specs, factors).values
    kept = {item.id for item in cut.items}
    columns = [i for i, spec in enumerate(specs) if spec.item in kept]
    part = evaluate_factors(cut, [specs[i] for i in columns], factors[:, columns]).values
    for sid in READ:
        assert np.array_equal(np.broadcast_to(part[sid], whole[sid].shape), whole[sid]), sid
    return len(cut.items)


@pytest.mark.parametrize("scenario", ["Leaked plan", "Bear case", "Custom silicon"])
def test_the_built_in_plan_cut_down_gives_the_same_series(builtin: Project, scenario) -> None:
    assert same_read_series(builtin, scenario, builtin.uncertainty) < len(builtin.items)


def test_a_large_model_is_cut_to_what_its_varied_inputs_reach() -> None:
    from tests.benchmarks.bench_montecarlo import mid_project_ranges

    project, ranges = mid_project_ranges()
    assert same_read_series(project, None, ranges) < 20


def test_a_fixed_item_that_sums_its_own_group_is_not_counted_in_other_sums() -> None:
    # "subtotal" sums group g and sits in it; it does not depend on the varied input,
    # so it is fixed; "total" sums g too and must not count it twice.
    project = make_project(
        [
            {"id": "a", "inputs": [1.0, 2.0, 3.0, 4.0], "group": "g"},
            {"id": "b", "inputs": [5.0, 5.0, 5.0, 5.0], "group": "g"},
            {"id": "subtotal", "formula": "sum_of(g)", "group": "g"},
            {"id": "x", "inputs": [1.0, 1.0, 1.0, 1.0], "group": "h"},
            {"id": "total", "formula": "sum_of(g) + subtotal * x", "group": "t"},
            {"id": "revenue", "formula": "total", "group": "t"},
            {"id": "burn", "formula": "0 - revenue", "group": "t"},
            {"id": "cash", "formula": "prev(cash, 0) - burn", "group": "t"},
        ],
        uncertainty=[{"item": "x", "distribution": "uniform", "low": 0.5, "high": 1.5}],
    )
    same_read_series(project, None, project.uncertainty)


@pytest.mark.parametrize("samples", [1, 2, 3, 10, 1000, 1001])
def test_exact_percentiles_are_numpy_s_to_the_bit(samples: int) -> None:
    rng = np.random.default_rng(samples)
    values = rng.normal(size=(samples, 9)) * 1e3
    values[:, 0] = 4.0
    values[: samples // 2, 1] = np.round(values[: samples // 2, 1])
    percents = (5.0, 25.0, 50.0, 75.0, 95.0, 0.0, 100.0, 33.3)
    assert np.array_equal(exact_percentiles(values, percents), np.percentile(values, percents, 0))
