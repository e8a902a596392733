"""Workbook export speed and memory, and the engine against a spreadsheet engine.

``export_s``: the built-in project written with formulas, cached values, styles
and charts. ``export_large_s`` and ``export_large_peak_mb``: the large synthetic
project (tests.benchmarks.synthetic.large_project) exported in a process of its
own, whose peak resident memory is the figure. Each time figure is followed by
the time XlsxWriter alone takes to write the same formulas with their cached
values (no styles, charts or notes), and as many plain numbers: the least that
writing each formula through its public ``write_formula``, or any cell at all,
can cost. ``engine_vs_spreadsheet``: the engine evaluating every scenario, beside
the ``formulas`` package calculating the exported workbook.
"""

from __future__ import annotations

import html
import json
import math
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from planner.builtin import builtin_project
from planner.engine import evaluate
from planner.io.workbook_layout import FIRST_PERIOD_COL, column_letter, sheet_names
from planner.io.xlsx_export import export_workbook
from planner.model import Project
from tests.benchmarks.common import line, median_seconds

EXPORT_GOAL_S = 0.3
EXPORT_LARGE_GOAL_S = 5.0
EXPORT_LARGE_GOAL_MB = 600.0
FLOOR_SAMPLE = 200_000  # formulas timed; the rest are counted and costed at the same rate

_FORMULA = re.compile(r"<f>([^<]*)</f>")
_SHEET_PART = re.compile(r"xl/worksheets/sheet[0-9]+\.xml")


def _formulas(path: Path) -> tuple[int, list[str]]:
    """How many formula cells the workbook holds, and the first ``FLOOR_SAMPLE`` of them."""
    count, sample = 0, []
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if _SHEET_PART.fullmatch(name):
                found = _FORMULA.findall(archive.read(name).decode("utf-8"))
                count += len(found)
                sample += [html.unescape(f) for f in found[: FLOOR_SAMPLE - len(sample)]]
    return count, sample


def _xlsxwriter_alone(path: Path) -> str:
    """What XlsxWriter alone takes to write the workbook's formulas, and as many plain
    numbers, timed on a sample: the least any workbook of that many cells can cost."""
    count, sample = _formulas(path)
    if not sample:
        return "no formulas"

    def write_formula(sheet: Any, n: int) -> None:
        sheet.write_formula(n // 1000, n % 1000, "=" + sample[n], None, 1.0)

    def write_number(sheet: Any, n: int) -> None:
        sheet.write_number(n // 1000, n % 1000, 1.0)

    scale = count / len(sample)
    formulas_s = _xlsxwriter_seconds(write_formula, len(sample)) * scale
    numbers_s = _xlsxwriter_seconds(write_number, len(sample)) * scale
    timed = "" if len(sample) == count else f", timed on {len(sample):,}"
    return (
        f"XlsxWriter alone writing its {count:,} formulas: {formulas_s:.3g} s"
        f" at {formulas_s / count * 1e6:.0f} us each, or as many plain numbers:"
        f" {numbers_s:.3g} s{timed}"
    )


def _xlsxwriter_seconds(write: Callable[[Any, int], object], cells: int) -> float:
    """Seconds XlsxWriter takes to write ``cells`` cells with ``write`` and close the file."""
    import xlsxwriter

    with tempfile.TemporaryDirectory() as folder:
        book = xlsxwriter.Workbook(str(Path(folder) / "floor.xlsx"), {"constant_memory": True})
        sheet = book.add_worksheet()
        start = time.perf_counter()
        for n in range(cells):
            write(sheet, n)
        book.close()
        return time.perf_counter() - start


def _spreadsheet_engine(path: Path) -> tuple[float, Any] | str:
    """Seconds the ``formulas`` package needs to calculate ``path``, and its solution."""
    try:
        os.environ.setdefault("TQDM_DISABLE", "1")  # its progress bars are not figures
        import formulas
    except ImportError:
        return "the formulas package is not installed"
    try:
        model = formulas.ExcelModel().loads(str(path)).finish()
        start = time.perf_counter()
        solution = model.calculate()
        return time.perf_counter() - start, solution
    except Exception as exc:  # report, do not fake a figure
        return f"{type(exc).__name__}: {exc}"


def _agreement(project: Project, path: Path, solution: Any) -> tuple[int, float]:
    """Cells of the cash rows compared, and the largest relative difference."""
    import openpyxl

    workbook = openpyxl.load_workbook(path, read_only=False)
    compared, worst = 0, 0.0
    titles = sheet_names(project.scenario_names)
    book = path.name
    for name, title in zip(project.scenario_names, titles, strict=True):
        ws = workbook[title]
        row = next(r[0].row for r in ws.iter_rows(min_col=3, max_col=3) if r[0].value == "cash")
        expected = evaluate(project, name).series("cash")
        for t, want in enumerate(expected):
            ref = f"'[{book}]{title.upper()}'!{column_letter(FIRST_PERIOD_COL + t)}{row}"
            got = float(solution[ref].value[0][0])
            worst = max(worst, abs(got - want) / max(abs(want), 1e-9))
            compared += 1
    return compared, worst


def _with_goal(text: str, goal: float, unit: str, floor: str = "") -> str:
    return f"{text} (goal < {goal:g} {unit}{'; ' + floor if floor else ''})"


def _large_export(folder: Path) -> dict[str, float] | str:
    """The large export's seconds and its process's peak memory, or why it failed."""
    target = folder / "large.xlsx"
    command = [sys.executable, "-m", "tests.benchmarks.bench_export", "large", str(target)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        return (done.stderr.strip().splitlines() or ["no output"])[-1]
    figures: dict[str, float] = json.loads(done.stdout)
    return figures


def _export_large_here(target: str) -> None:
    """Run in a process of its own: build, evaluate and export the large project."""
    from tests.benchmarks.synthetic import large_project

    project = large_project()
    start = time.perf_counter()
    export_workbook(project, target)
    seconds = time.perf_counter() - start
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kilobytes on Linux
    print(json.dumps({"seconds": seconds, "peak_mb": peak_kb / 1024}))


def run() -> list[str]:
    project = builtin_project()
    with tempfile.TemporaryDirectory() as folder:
        workbook = Path(folder) / "builtin.xlsx"
        export_s = median_seconds(lambda: export_workbook(project, workbook), repeat=15)
        floor = _xlsxwriter_alone(workbook)
        lines = [_with_goal(line("export_s", export_s, "s"), EXPORT_GOAL_S, "s", floor)]
        large = _large_export(Path(folder))
        if isinstance(large, str):
            lines.append(f"export_large_s: could not export the large project: {large}")
        else:
            text = line("export_large_s", large["seconds"], "s")
            floor = _xlsxwriter_alone(Path(folder) / "large.xlsx")
            lines.append(_with_goal(text, EXPORT_LARGE_GOAL_S, "s", floor))
            text = line("export_large_peak_mb", large["peak_mb"], "MB")
            lines.append(_with_goal(text, EXPORT_LARGE_GOAL_MB, "MB"))

        def engine_all() -> None:
            for name in project.scenario_names:
                evaluate(project, name)

        engine_s = median_seconds(engine_all, repeat=20)
        outcome = _spreadsheet_engine(workbook)
        if isinstance(outcome, str):
            lines.append(
                f"engine_vs_spreadsheet: {engine_s:.4g} s (peer formulas: could not compute "
                f"the workbook: {outcome})"
            )
            return lines
        spreadsheet_s, solution = outcome
        text = line("engine_vs_spreadsheet", engine_s, "s", ("formulas", spreadsheet_s))
        try:
            compared, worst = _agreement(project, workbook, solution)
            agree = (
                f"; formulas agrees on {compared} cash cells, worst relative difference {worst:.1e}"
            )
            if not math.isfinite(worst) or worst > 1e-9:
                agree += " (DISAGREES)"
        except (KeyError, TypeError, ValueError, IndexError) as exc:
            agree = f"; could not compare its cash cells ({type(exc).__name__})"
        lines.append(text + agree)
    return lines


if __name__ == "__main__":
    if sys.argv[1:2] == ["large"] and len(sys.argv) == 3:
        _export_large_here(sys.argv[2])
    else:
        print("usage: python -m tests.benchmarks.bench_export large OUT.xlsx", file=sys.stderr)
        raise SystemExit(2)
