"""A large synthetic model for benchmarks: blocks of inputs, growth chains, balances,
plain formulas and items linked through ``prev``."""

from __future__ import annotations

import json
import math
import random

from planner.model import SCHEMA_VERSION, Project


def synthetic_project(items: int = 1000, periods: int = 120, seed: int = 7) -> Project:
    rng = random.Random(seed)
    labels = [str(1900 + t) for t in range(periods)]
    rows: list[dict[str, object]] = []

    def add(item_id: str, **fields: object) -> None:
        rows.append({"id": item_id, "label": item_id, "unit": "$B", "group": "g", **fields})

    block = 0
    while len(rows) + 10 <= items:
        b = f"b{block}_"
        for name in ("a", "g", "c"):
            add(b + name, inputs=[round(rng.uniform(-1, 1), 3) for _ in labels])
        add(b + "growth", formula=f"prev({b}growth, 1) * (1 + {b}g / 100)")
        add(b + "balance", formula=f"prev({b}balance, 0) + {b}a - {b}c")
        add(b + "mix", formula=f"{b}growth * {b}a + max({b}balance - {b}c, 0)")
        add(b + "choice", formula=f"if({b}a > {b}c, {b}mix, {b}growth / (abs({b}c) + 1))")
        add(b + "interest", formula=f"prev({b}loan, 10) * 0.01")
        add(b + "loan", formula=f"prev({b}loan, 10) + {b}interest + {b}a / 10")
        add(b + "total", formula=f"{b}mix + {b}choice + {b}loan")
        block += 1
    while len(rows) < items:
        add(f"pad{len(rows)}", inputs=[1.0] * periods)
    return Project.model_validate({"periods": labels, "items": rows})


def many_overrides_json(
    scenarios: int = 200, overrides: int = 5000, periods: int = 5, seed: int = 7
) -> str:
    """A project file's text: ``scenarios`` scenarios each overriding ``overrides`` input cells.

    Short item ids, few periods and compact JSON keep 200 x 5,000 overrides well under
    the 20 MB a project file may hold.
    """
    rng = random.Random(seed)
    labels = [str(2023 + t) for t in range(periods)]
    input_items = math.ceil(overrides / periods)
    items: list[dict[str, object]] = [
        {"id": f"i{n}", "label": f"i{n}", "unit": "$B", "group": "g", "inputs": [1.0] * periods}
        for n in range(input_items)
    ]
    items.append(
        {"id": "total", "label": "total", "unit": "$B", "group": "t", "formula": "sum_of(g)"}
    )
    cells = [(f"i{n}", label) for n in range(input_items) for label in labels][:overrides]
    variants = []
    for s in range(scenarios):
        changed: dict[str, dict[str, float]] = {}
        for item_id, label in cells:
            changed.setdefault(item_id, {})[label] = round(rng.uniform(0, 9), 1)
        variants.append({"name": f"s{s}", "inputs": changed})
    project = {
        "schema_version": SCHEMA_VERSION,
        "periods": labels,
        "items": items,
        "scenarios": variants,
    }
    return json.dumps(project, separators=(",", ":"))
