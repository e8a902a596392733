"""A large synthetic model for benchmarks: blocks of inputs, growth chains, balances,
plain formulas and items linked through ``prev``."""

from __future__ import annotations

import random

from planner.model import Project, Scenario


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


def synthetic_scenario_project(
    items: int = 1000, periods: int = 600, scenarios: int = 4, seed: int = 11
) -> Project:
    """:func:`synthetic_project` with notes and ``scenarios - 1`` scenarios over its base.

    Each scenario overrides a tenth of the input rows in a tenth of their
    periods and one formula, and follows the base everywhere else, as a
    scenario edited by hand would; one input row in 25 carries notes.
    """
    rng = random.Random(seed)
    project = synthetic_project(items, periods, seed)
    inputs = [item for item in project.items if item.inputs is not None]
    for n, item in enumerate(inputs[::25]):
        item.note = f"source {n}: assumption"
        item.input_notes = {project.periods[0]: "first year from the plan"}
    formulas = [item for item in project.items if item.formula is not None]
    for n in range(1, scenarios):
        overrides: dict[str, dict[str, float]] = {}
        for item in rng.sample(inputs, max(1, len(inputs) // 10)):
            overrides[item.id] = {
                period: round(rng.uniform(-1, 1), 3)
                for period in rng.sample(project.periods, max(1, periods // 10))
            }
        changed = formulas[n % len(formulas)]
        project.scenarios.append(
            Scenario(
                name=f"Scenario {n}",
                inputs=overrides,
                formulas={changed.id: f"({changed.formula}) * 1.1"},
            )
        )
    return project
