"""Monte Carlo speed: the built-in base scenario with ranges on its eight key drivers.

``montecarlo_samples_per_s``: 10,000 samples drawn, evaluated in one engine
call and summarised (KPI percentiles, cash bands, tornado), beside samples
evaluated one engine call and one :func:`planner.kpis.compute_kpis` at a time.
"""

from __future__ import annotations

from planner.builtin import builtin_project
from planner.engine import evaluate_resolved, input_arrays
from planner.kpis import compute_kpis
from planner.model import Uncertainty
from planner.scenarios import resolve
from planner.uncertainty import draw_factors, run_montecarlo
from tests.benchmarks.common import line, median_seconds

# The load to time, fixed here so that the figure does not move with the project's own ranges.
RANGES = [
    Uncertainty(item="chatgpt_users", distribution="triangular", low=0.8, high=1.15),
    Uncertainty(item="paying_share", distribution="triangular", low=0.7, high=1.2),
    Uncertainty(item="subscription_price", distribution="triangular", low=0.85, high=1.15),
    Uncertainty(item="ad_revenue_per_user", distribution="triangular", low=0.3, high=1.5),
    Uncertainty(item="enterprise_api", distribution="triangular", low=0.7, high=1.3),
    Uncertainty(item="cloud_cost_per_gw", distribution="triangular", low=0.9, high=1.2),
    Uncertainty(item="other_costs", distribution="triangular", low=0.9, high=1.25),
    Uncertainty(item="custom_chip_discount", distribution="uniform", low=1.0, high=5.0),
]
SAMPLES = 10_000
ONE_AT_A_TIME = 200  # a steady rate without slowing make bench by seconds


def run() -> list[str]:
    project = builtin_project()
    project.uncertainty = specs = list(RANGES)
    vectorised_s = median_seconds(
        lambda: run_montecarlo(project, project.base_name, SAMPLES, seed=1), repeat=5, warmup=1
    )
    resolved = resolve(project)
    base = input_arrays(resolved)
    factors = draw_factors(specs, ONE_AT_A_TIME, seed=1)

    def one_at_a_time() -> None:
        for row in factors:
            overrides = {s.item: base[s.item] * f for s, f in zip(specs, row, strict=True)}
            compute_kpis(evaluate_resolved(resolved, overrides))

    looped_s = median_seconds(one_at_a_time, repeat=3, warmup=1)
    return [
        line(
            "montecarlo_samples_per_s",
            SAMPLES / vectorised_s,
            "samples/s",
            ("one at a time", ONE_AT_A_TIME / looped_s),
        ),
        line("montecarlo_10000_s", vectorised_s, "s"),
    ]
