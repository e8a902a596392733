"""Monte Carlo speed and memory.

``montecarlo_samples_per_s``: 10,000 samples of the built-in base scenario with
ranges on its eight key drivers, drawn, evaluated in blocks and summarised,
beside samples evaluated one engine call and one :func:`planner.kpis.compute_kpis`
at a time. ``montecarlo_10k_mid_s``: 10,000 samples of a generated project of
100 items over 120 periods with ranges on 10 inputs. ``montecarlo_1m_peak_mb``:
the peak resident memory of a process that runs a million samples of the
built-in plan (the interpreter and its imports included).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from planner.builtin import builtin_project
from planner.engine import evaluate_resolved, input_arrays
from planner.kpis import compute_kpis
from planner.model import Uncertainty
from planner.scenarios import resolve
from planner.uncertainty import draw_factors, run_montecarlo
from tests.benchmarks.common import line, median_seconds
from tests.benchmarks.synthetic import synthetic_project

ROOT = Path(__file__).resolve().parents[2]
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
MID_GOAL_S = 1.0
PEAK_GOAL_MB = 500.0

_CHILD = """
import resource, sys
from planner.builtin import builtin_project
from planner.uncertainty import run_montecarlo
project = builtin_project()
mc = run_montecarlo(project, "Leaked plan", 1_000_000, seed=1)
try:
    with open("/proc/self/status") as status:
        peak_mb = next(int(l.split()[1]) for l in status if l.startswith("VmHWM:")) / 1024
except (OSError, StopIteration):
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    peak_mb = peak / (2**20 if sys.platform == "darwin" else 1024)  # bytes on macOS
print(peak_mb)
"""


def mid_project_ranges() -> tuple[object, list[Uncertainty]]:
    """The generated project and ranges on ten of its inputs, those the key figures read first."""
    project = synthetic_project(items=100, periods=120)
    inputs = [item.id for item in project.items if item.inputs is not None][:10]
    shapes = ("triangular", "uniform", "pert", "lognormal")
    ranges = [
        Uncertainty(item=item, distribution=shapes[n % 4], low=0.8, high=1.25)
        for n, item in enumerate(inputs)
    ]
    return project, ranges


def peak_of_a_million() -> float:
    done = subprocess.run(
        [sys.executable, "-c", _CHILD],
        cwd=ROOT,
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
        check=True,
        capture_output=True,
        text=True,
        timeout=1200,
    )
    return float(json.loads(done.stdout.strip().splitlines()[-1]))


def run() -> list[str]:
    project = builtin_project()
    project.uncertainty = specs = list(RANGES)
    project.correlations = []
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
    mid, mid_ranges = mid_project_ranges()
    mid.uncertainty = mid_ranges  # type: ignore[attr-defined]
    mid_s = median_seconds(
        lambda: run_montecarlo(mid, "Base", SAMPLES, seed=1),  # type: ignore[arg-type]
        repeat=5,
        warmup=1,
    )
    peak_mb = peak_of_a_million()
    return [
        line(
            "montecarlo_samples_per_s",
            SAMPLES / vectorised_s,
            "samples/s",
            ("one at a time", ONE_AT_A_TIME / looped_s),
        ),
        line("montecarlo_10000_s", vectorised_s, "s"),
        f"{line('montecarlo_10k_mid_s', mid_s, 's')} (goal < {MID_GOAL_S:g} s)",
        f"{line('montecarlo_1m_peak_mb', peak_mb, 'MB')} (goal < {PEAK_GOAL_MB:g} MB)",
    ]
