"""``make bench``: one line per figure, ``name: value unit (peer NAME: value unit, ratio R)``.

Every ``bench_*.py`` module here defines ``run() -> list[str]``; their lines are
printed in module order. Figures are compared as ratios within one run.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path


def main() -> int:
    folder = Path(__file__).parent
    only = set(sys.argv[1:])
    for module in sorted(pkgutil.iter_modules([str(folder)]), key=lambda m: m.name):
        if not module.name.startswith("bench_"):
            continue
        if only and module.name.removeprefix("bench_") not in only:
            continue
        bench = importlib.import_module(f"tests.benchmarks.{module.name}")
        for line in bench.run():
            print(line, flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
