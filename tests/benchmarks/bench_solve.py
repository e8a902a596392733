"""Goal seek speed: the built-in bear case, enterprise and API revenue scaled until cash
never goes below zero through 2035.

``solve_ms``: :func:`planner.solve.solve` from the project to the answer (a grid of
candidates in one engine call, then narrowing calls), beside plain bisection that
evaluates one candidate per engine call to the same tolerance.
"""

from __future__ import annotations

import numpy as np

from planner.builtin import builtin_project
from planner.solve import CashNeverBelowZero, RowScale, margins_at, solve
from tests.benchmarks.common import line, paired_median_seconds

SCENARIO = "Bear case"
VARIABLE = RowScale(("enterprise_api",))
TARGET = CashNeverBelowZero(2035)
GOAL_MS = 100.0


def run() -> list[str]:
    project = builtin_project()
    answer = solve(project, SCENARIO, VARIABLE, TARGET)
    high = answer.search_range[1]

    def one_at_a_time() -> float:
        fail, met = 1.0, high
        while met - fail > answer.tolerance:
            middle = (fail + met) / 2
            margin = margins_at(project, SCENARIO, VARIABLE, TARGET, np.array([middle]))[0]
            fail, met = (fail, middle) if margin >= 0 else (middle, met)
        return met

    assert abs(one_at_a_time() - answer.value) <= 2 * answer.tolerance
    solve_s, bisect_s = paired_median_seconds(
        lambda: solve(project, SCENARIO, VARIABLE, TARGET), one_at_a_time, repeat=9
    )
    text = line(
        "solve_ms", solve_s * 1000, "ms", ("bisection, one value per call", bisect_s * 1000)
    )
    return [
        f"{text} (goal < {GOAL_MS:g} ms) "
        f"(enterprise and API x{answer.value:.4f}, {answer.evaluations} values tried)"
    ]
