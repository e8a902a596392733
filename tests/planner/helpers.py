"""Small projects for tests, built from compact descriptions, and large ones for measuring."""

from __future__ import annotations

import json
import tracemalloc
from collections.abc import Callable
from typing import Any

from planner.io.workbook_safety import WorkbookError
from planner.model import REQUIRED_ITEMS, Project


def make_project(items: list[dict[str, Any]], periods: int = 4, **extra: Any) -> Project:
    """A project over ``periods`` years from 2023; items given as LineItem fields.

    The items every project needs for its key figures and not given are added as
    zero inputs in a group of their own, after the given ones.
    """
    labels = [str(2023 + i) for i in range(periods)]
    full = []
    for item in items:
        data = {"label": item["id"].replace("_", " "), "unit": "$B", "group": "g", **item}
        full.append(data)
    given = {item["id"] for item in items}
    for item_id in REQUIRED_ITEMS:
        if item_id not in given:
            full.append(
                {"id": item_id, "label": item_id, "group": "required", "inputs": [0.0] * periods}
            )
    return Project.model_validate({"periods": labels, "items": full, **extra})


def large_project_json(
    scenarios: int = 170, overrides: int = 5000, periods: int = 10, cells_per_item: int = 2
) -> str:
    """A legal project file of ``scenarios`` scenarios, each overriding ``overrides`` input cells.

    The overrides spread over ``overrides / cells_per_item`` input rows. With the
    defaults it is about 17 MB, near the largest file a project may be.
    """
    assert 1 <= cells_per_item <= periods
    labels = [str(2025 + t) for t in range(periods)]
    rows = -(-overrides // cells_per_item)
    items: list[dict[str, Any]] = [
        {"id": f"x{r}", "label": f"Input {r}", "group": "inputs", "inputs": [1.0] * periods}
        for r in range(rows)
    ]
    total = " + ".join(f"x{r}" for r in range(min(rows, 20)))
    items += [
        {"id": "revenue", "label": "Revenue", "group": "sums", "formula": total},
        {"id": "total_costs", "label": "Costs", "group": "sums", "formula": "x0 * 2"},
        {"id": "burn", "label": "Burn", "group": "sums", "formula": "total_costs - revenue"},
        {"id": "funding", "label": "Funding", "group": "sums", "inputs": [5.0] * periods},
        {
            "id": "cash",
            "label": "Cash",
            "group": "sums",
            "formula": "prev(cash, 0) + funding - burn",
        },
        {"id": "capacity_gw", "label": "Capacity", "group": "sums", "value": 1.0},
        {"id": "compute_cost", "label": "Compute", "group": "sums", "formula": "x0"},
    ]
    scenario_list = []
    for s in range(scenarios):
        inputs: dict[str, dict[str, float]] = {}
        for n in range(overrides):
            row = n // cells_per_item
            period = labels[(n % cells_per_item + row + s) % periods]
            inputs.setdefault(f"x{row}", {})[period] = 1 + (s * 7 + n) % 997 / 1000
        scenario_list.append({"name": f"Scenario {s + 1}", "inputs": inputs})
    project = {
        "schema_version": 1,
        "name": "Large",
        "periods": labels,
        "items": items,
        "scenarios": scenario_list,
    }
    return json.dumps(project, separators=(",", ":"))


def peak_memory(action: Callable[[], object]) -> int:
    """Peak bytes Python allocated while ``action`` ran; a refusal still counts as done."""
    tracemalloc.start()
    try:
        action()
    except WorkbookError:
        pass
    finally:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return peak
