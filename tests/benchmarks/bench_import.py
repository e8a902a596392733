"""Importing a large workbook back: time and peak memory.

``import_large_s`` and ``import_large_peak_mb``: the workbook exported from a
generated project of 1,000 line items over 600 periods in 4 scenarios
(tests/benchmarks/synthetic.py), imported in a fresh process each time, so
that the peak resident memory is the import's own (the interpreter and its
libraries included: about 50 MB). The time is the import alone, checks and evaluation of
every scenario included; the median of a few runs.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from planner.io.xlsx_export import export_workbook
from tests.benchmarks.common import line
from tests.benchmarks.synthetic import large_project

ROOT = Path(__file__).resolve().parents[2]
ITEMS, PERIODS, SCENARIOS = 1000, 600, 4
GOAL_SECONDS = 10.0
GOAL_MB = 600.0
REPEAT = 3

# Run in a child process: prints the import's seconds and the process's peak memory.
# Linux keeps ru_maxrss across exec, so a child started from a large parent would
# report the parent's size: the kernel's high-water mark of this process is read instead.
_CHILD = """
import json, resource, sys, time
from planner.io.xlsx_import import import_workbook
start = time.perf_counter()
project = import_workbook(sys.argv[1])
seconds = time.perf_counter() - start
try:
    with open("/proc/self/status") as status:
        peak_mb = next(int(l.split()[1]) for l in status if l.startswith("VmHWM:")) / 1024
except (OSError, StopIteration):
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    peak_mb = peak / (2**20 if sys.platform == "darwin" else 1024)  # bytes on macOS
print(json.dumps({"seconds": seconds, "peak_mb": peak_mb,
                  "items": len(project.items), "scenarios": len(project.scenario_names)}))
"""


def _import_in_child(path: Path) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, str(path)],
        cwd=ROOT,
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
        check=True,
        capture_output=True,
        text=True,
        timeout=600,
    )
    figures: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


def run() -> list[str]:
    project = large_project()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "large.xlsx"
        export_workbook(project, path)
        runs = [_import_in_child(path) for _ in range(REPEAT)]
    got = runs[0]
    if (got["items"], got["scenarios"]) != (ITEMS, SCENARIOS):
        return [f"import_large_s: imported {got['items']} items, {got['scenarios']} scenarios"]
    seconds = statistics.median(r["seconds"] for r in runs)
    peak = max(r["peak_mb"] for r in runs)
    size = f"{ITEMS:,} items x {PERIODS} periods x {SCENARIOS} scenarios"
    return [
        f"{line('import_large_s', seconds, 's')} (goal < {GOAL_SECONDS:g}; {size})",
        f"{line('import_large_peak_mb', peak, 'MB')} (goal < {GOAL_MB:g})",
    ]
