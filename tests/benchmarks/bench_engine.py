"""Engine speed against the cell-by-cell reference evaluator, in one process."""

from __future__ import annotations

from planner.builtin import builtin_project
from planner.engine import evaluate_resolved
from planner.reference import evaluate_reference
from planner.scenarios import resolve
from tests.benchmarks.common import line, median_seconds
from tests.benchmarks.synthetic import synthetic_project


def run() -> list[str]:
    project = builtin_project()
    resolved = [resolve(project, name) for name in project.scenario_names]

    def engine_all() -> None:
        for scenario in resolved:
            evaluate_resolved(scenario)

    def reference_all() -> None:
        for scenario in resolved:
            evaluate_reference(scenario)

    engine_ms = median_seconds(engine_all, repeat=50) * 1000
    reference_ms = median_seconds(reference_all, repeat=10) * 1000
    lines = [line("engine_eval_ms", engine_ms, "ms", ("reference", reference_ms))]

    big = resolve(synthetic_project(1000, 120))
    formula_cells = sum(1 for i in big.items if i.formula is not None) * len(big.periods)
    engine_s = median_seconds(lambda: evaluate_resolved(big), repeat=10)
    reference_s = median_seconds(lambda: evaluate_reference(big), repeat=2, warmup=0)
    lines.append(
        line(
            "engine_cells_per_s",
            formula_cells / engine_s,
            "cells/s",
            ("reference", formula_cells / reference_s),
        )
    )
    return lines
