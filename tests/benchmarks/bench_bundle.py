"""The standalone bundle: its size, and its start-up time beside the source install's.

Start-up is the wall time of ``--screenshot`` (start, build the window on the
built-in project, render it, exit), measured the same way for the bundle and
for the source install (``source_startup_s``; bench_ui's ``startup_s`` is the
time to first paint, a different measure).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.benchmarks.common import line

ROOT = Path(__file__).resolve().parents[2]
BUNDLE = ROOT / "dist" / "burnrate"
EXECUTABLE = BUNDLE / ("burnrate.exe" if sys.platform == "win32" else "burnrate")
REPEAT = 3


def folder_megabytes(folder: Path) -> float:
    """Size on disk in MiB, as ``du -sm`` counts it: symlinked libraries once."""
    files = [f for f in folder.rglob("*") if f.is_file() and not f.is_symlink()]
    return sum(f.stat().st_size for f in files) / 2**20


def startup_seconds(command: list[str]) -> float:
    """Median wall time of ``command --screenshot``, after one warm-up run."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    times = []
    with tempfile.TemporaryDirectory() as folder:
        out = str(Path(folder) / "shot.png")
        for attempt in range(REPEAT + 1):
            start = time.perf_counter()
            subprocess.run(
                [*command, "--screenshot", out],
                env=env,
                cwd=ROOT,
                check=True,
                timeout=120,
                capture_output=True,
            )
            if attempt:
                times.append(time.perf_counter() - start)
    return statistics.median(times)


def run() -> list[str]:
    source = startup_seconds([sys.executable, str(ROOT / "main.py")])
    lines = [line("source_startup_s", source, "s")]
    if not EXECUTABLE.is_file():
        lines.append("bundle_size_mb: not built (run make bundle first)")
        lines.append("bundle_startup_s: not built (run make bundle first)")
        return lines
    lines.append(line("bundle_size_mb", folder_megabytes(BUNDLE), "MB"))
    bundle = startup_seconds([str(EXECUTABLE)])
    lines.append(line("bundle_startup_s", bundle, "s", peer=("source_startup_s", source)))
    return lines
