"""Large projects: loading many scenarios from a file, and compiling many formulas.

``load_large_s``: :func:`planner.io.project_file.load_project` on a generated file of
200 scenarios that each override 5,000 input cells (parse, validate, check every
scenario). ``compile_5000_items_s``: :func:`planner.engine.compile_items` on 5,000
line items, seven in ten of them formulas, each time a model it has not compiled
before (one more input with a new id), so its cache never answers.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from planner.engine import compile_items
from planner.formula import _parse_cached
from planner.io.project_file import MAX_FILE_BYTES, load_project
from tests.benchmarks.common import line, median_seconds
from tests.benchmarks.synthetic import synthetic_project
from tests.planner.helpers import large_project_json

SCENARIOS = 200
OVERRIDES = 5000
ITEMS = 5000
LOAD_GOAL_S = 2.0
COMPILE_GOAL_S = 0.3


def run() -> list[str]:
    return [load_large(), compile_many()]


def load_large() -> str:
    text = large_project_json(SCENARIOS, OVERRIDES)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "large.burnrate"
        path.write_text(text, encoding="utf-8")
        size = path.stat().st_size
        assert size <= MAX_FILE_BYTES, f"the generated file is {size:,} bytes, over the limit"
        project = load_project(path)
        assert len(project.scenarios) == SCENARIOS
        seconds = median_seconds(lambda: load_project(path), repeat=3, warmup=0)
    return (
        f"{line('load_large_s', seconds, 's')} (goal < {LOAD_GOAL_S:g} s) "
        f"({size / 2**20:.1f} MB file: {SCENARIOS} scenarios x {OVERRIDES:,} overridden cells)"
    )


def compile_many() -> str:
    items = list(synthetic_project(ITEMS, periods=10).items)
    formulas = sum(1 for item in items if item.formula is not None)
    probe = items[0]
    versions = iter(range(1_000_000))

    def compile_a_new_model() -> None:
        extra = probe.model_copy(update={"id": f"probe_{next(versions)}"})
        compile_items([*items, extra])

    def parse_and_compile() -> None:
        # A project just opened: no formula parsed yet.
        _parse_cached.cache_clear()
        compile_a_new_model()

    seconds = median_seconds(compile_a_new_model, repeat=5, warmup=1)
    first = median_seconds(parse_and_compile, repeat=3, warmup=0)
    return (
        f"{line('compile_5000_items_s', seconds, 's')} (goal < {COMPILE_GOAL_S:g} s) "
        f"({len(items):,} items, {formulas:,} formulas, already parsed as after an edit; "
        f"parsing them too: {first:.3g} s)"
    )
