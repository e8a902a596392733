"""Workbook export speed, and the engine against a spreadsheet engine computing the workbook.

``export_s``: the built-in project written with formulas, cached values, styles
and charts, beside pandas writing the same values as plain numbers (openpyxl
engine). ``engine_vs_spreadsheet``: the engine evaluating every scenario,
beside the ``formulas`` package calculating the exported workbook.
"""

from __future__ import annotations

import math
import os
import tempfile
import time
from pathlib import Path
from typing import Any

from planner.builtin import builtin_project
from planner.engine import evaluate
from planner.io.workbook_layout import FIRST_PERIOD_COL, column_letter, sheet_names
from planner.io.xlsx_export import export_workbook
from planner.model import Project
from tests.benchmarks.common import line, median_seconds, paired_median_seconds


def _pandas_dump(project: Project, path: Path) -> None:
    import pandas as pd

    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for name, title in zip(
            project.scenario_names, sheet_names(project.scenario_names), strict=True
        ):
            evaluate(project, name).frame().to_excel(writer, sheet_name=title)


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


def run() -> list[str]:
    project = builtin_project()
    with tempfile.TemporaryDirectory() as folder:
        workbook = Path(folder) / "builtin.xlsx"
        dump = Path(folder) / "values.xlsx"
        export_s, pandas_s = paired_median_seconds(
            lambda: export_workbook(project, workbook), lambda: _pandas_dump(project, dump)
        )
        lines = [line("export_s", export_s, "s", ("pandas to_excel values", pandas_s))]

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
