"""Plain random sampling gives, for a seed, the very numbers it gave before Latin hypercube
sampling, correlations and bounded memory came; the file holds those numbers."""

import json
from pathlib import Path

import pytest

from planner.builtin import builtin_project
from planner.model import Uncertainty
from planner.uncertainty import as_json, run_montecarlo

PINNED = Path(__file__).parent / "data" / "montecarlo_random_before_lhs.json"
CASES = json.loads(PINNED.read_text())
OLD_BANDS = ("p5", "p50", "p95")
OLD_TORNADO = ("item", "low", "high", "peak_funding_need", "cumulative_burn")


@pytest.mark.parametrize("case", CASES, ids=lambda case: f"{case['scenario']}-{case['seed']}")
def test_random_sampling_gives_the_numbers_of_before_to_the_bit(case: dict) -> None:
    project = builtin_project()
    project.correlations = []  # the project as it was: correlations came later
    if case["ranges"] is not None:
        project.uncertainty = [Uncertainty.model_validate(r) for r in case["ranges"]]
    labels = {item.id: (item.label, item.unit) for item in project.items}
    mc = run_montecarlo(project, case["scenario"], case["samples"], case["seed"], "random")
    now = as_json(mc, labels)
    before = case["json"]
    for key in ("kpis", "cash_zero", "breakeven", "inputs", "periods"):
        assert now[key] == before[key], key
    for sid, bands in before["bands"].items():
        assert {name: now["bands"][sid][name] for name in OLD_BANDS} == bands
    assert [{k: row[k] for k in OLD_TORNADO} for row in now["tornado"]] == before["tornado"]
