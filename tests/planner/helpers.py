"""Small projects for tests, built from compact descriptions."""

from __future__ import annotations

from typing import Any

from planner.model import Project


def make_project(items: list[dict[str, Any]], periods: int = 4, **extra: Any) -> Project:
    """A project over ``periods`` years from 2023; items given as LineItem fields."""
    labels = [str(2023 + i) for i in range(periods)]
    full = []
    for item in items:
        data = {"label": item["id"].replace("_", " "), "unit": "$B", "group": "g", **item}
        full.append(data)
    return Project.model_validate({"periods": labels, "items": full, **extra})
