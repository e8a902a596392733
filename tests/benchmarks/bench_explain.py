"""Attribution speed: the bear case against the leaked plan on peak funding need, exact.

``explain_ms``: every coalition of the eight groups of changes (256) evaluated
in as few engine calls as the formula changes allow, and the Shapley split;
beside it, the same coalitions evaluated one engine call each.
"""

from __future__ import annotations

import numpy as np

from planner.attribution import explain
from planner.builtin import builtin_project
from planner.coalitions import Coalitions
from planner.scenarios import resolve
from tests.benchmarks.common import line, median_seconds

GOAL_MS = 500.0
FROM, TO, KPI = "Leaked plan", "Bear case", "peak_funding_need"


def run() -> list[str]:
    project = builtin_project()
    vectorised_ms = median_seconds(lambda: explain(project, FROM, TO, KPI), repeat=10) * 1000
    coalitions = Coalitions(resolve(project, FROM), resolve(project, TO), KPI)
    n = len(coalitions.groups)
    every = ((np.arange(1 << n)[:, None] >> np.arange(n)) & 1).astype(bool)

    def one_call_each() -> None:
        for row in every:
            coalitions.values(row[None, :])

    looped_ms = median_seconds(one_call_each, repeat=3, warmup=1) * 1000
    text = line("explain_ms", vectorised_ms, "ms", ("one engine call per coalition", looped_ms))
    return [f"{text} (goal < {GOAL_MS:g} ms)"]
