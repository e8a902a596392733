"""Small projects for tests, built from compact descriptions."""

from __future__ import annotations

from typing import Any

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
