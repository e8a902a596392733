"""A large synthetic model for benchmarks: blocks of inputs, growth chains, balances,
plain formulas and items linked through ``prev``."""

from __future__ import annotations

import random

from planner.model import Project

# The items the key figures need, fed from the first block of inputs.
KEY_FORMULAS = {
    "revenue": "max(b0_total, 0)",
    "compute_cost": "abs(b0_c)",
    "total_costs": "compute_cost + abs(b0_a)",
    "burn": "total_costs - revenue",
    "funding": "if(prev(cash, 1) < 0, 10, 0)",
    "cash": "prev(cash, 5) + funding - burn",
    "capacity_gw": "prev(capacity_gw, 1) * 1.1",
}


def timeline(periods: int) -> list[str]:
    """Years from 1900, or quarters when there are more periods than the years allowed."""
    if periods <= 301:
        return [str(1900 + t) for t in range(periods)]
    return [f"{1900 + t // 4}-Q{t % 4 + 1}" for t in range(periods)]


def synthetic_project(
    items: int = 1000, periods: int = 120, seed: int = 7, scenarios: int = 1
) -> Project:
    """``scenarios`` counts the base: each other one overrides a few inputs and a formula."""
    rng = random.Random(seed)
    labels = timeline(periods)
    rows: list[dict[str, object]] = []

    def add(item_id: str, **fields: object) -> None:
        rows.append({"id": item_id, "label": item_id, "unit": "$B", "group": "g", **fields})

    block = 0
    while len(rows) + 10 + len(KEY_FORMULAS) <= items:
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
    while len(rows) + len(KEY_FORMULAS) < items:
        add(f"pad{len(rows)}", inputs=[1.0] * periods)
    for item_id, formula in KEY_FORMULAS.items():
        add(item_id, formula=formula)
    inputs = [r for r in rows if "inputs" in r]
    others = []
    for n in range(1, scenarios):
        changed = rng.sample(inputs, k=min(5, len(inputs)))
        picked = rng.sample(labels, k=min(3, periods))
        others.append(
            {
                "name": f"Scenario {n + 1}",
                "inputs": {
                    str(r["id"]): {p: round(rng.uniform(-1, 1), 3) for p in picked} for r in changed
                },
                "formulas": {"b0_mix": f"b0_growth * b0_a * {1 + n / 10}"} if block else {},
            }
        )
    return Project.model_validate(
        {"periods": labels, "items": rows, "scenarios": others, "name": "Synthetic"}
    )


def large_project() -> Project:
    """The project of the large-workbook figures: 1,000 items, 600 periods, 4 scenarios."""
    return synthetic_project(1000, 600, scenarios=4)
