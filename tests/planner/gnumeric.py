"""Recalculate workbooks in Gnumeric (``ssconvert --recalc``), a second spreadsheet engine.

ssconvert reads one workbook per run, so the runs go in parallel; each writes every
sheet's recalculated values, unformatted, as one CSV file per sheet.
"""

from __future__ import annotations

import csv
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from xlsxwriter.utility import xl_rowcol_to_cell

from tests.planner.libreoffice import same_value

SSCONVERT = shutil.which("ssconvert")
MISSING_REASON = (
    "Gnumeric (ssconvert) is not installed; install gnumeric to run the workbook "
    "recalculation tests"
)

GnumericValues = dict[tuple[str, str], str]


def recalculate(files: Sequence[Path], out_dir: Path) -> list[GnumericValues]:
    """Each workbook's cells after Gnumeric recalculated it: (sheet, cell) -> text shown raw."""
    if SSCONVERT is None:
        raise RuntimeError(MISSING_REASON)
    import openpyxl

    out_dir.mkdir(parents=True, exist_ok=True)
    runs = []
    for n, path in enumerate(files):
        pattern = out_dir / f"{n}-{Path(path).stem}-%n.csv"
        command = [
            SSCONVERT,
            "--recalc",
            "-S",
            "-T",
            "Gnumeric_stf:stf_assistant",
            "-O",
            "format=raw separator=,",
            str(path),
            str(pattern),
        ]
        runs.append(
            subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        )
    problems = []
    for path, run in zip(files, runs, strict=True):
        _, errors = run.communicate(timeout=600)
        if run.returncode != 0:
            problems.append(f"{path}: {errors.strip()}")
    if problems:
        raise RuntimeError("ssconvert failed: " + "; ".join(problems))
    results = []
    for n, path in enumerate(files):
        titles = openpyxl.load_workbook(path, read_only=True).sheetnames
        values: GnumericValues = {}
        for index, title in enumerate(titles):
            sheet_csv = out_dir / f"{n}-{Path(path).stem}-{index}.csv"
            if not sheet_csv.is_file():
                raise RuntimeError(f"Gnumeric wrote no values for sheet {title!r} of {path}")
            with sheet_csv.open(newline="", encoding="utf-8") as stream:
                for row, cells in enumerate(csv.reader(stream)):
                    for col, text in enumerate(cells):
                        if text != "":
                            values[(title, xl_rowcol_to_cell(row, col))] = text
        results.append(values)
    return results


def same_as_gnumeric(expected: Any, shown: object) -> bool:
    """The engine's value against Gnumeric's raw text: numbers within 1e-9, text equal."""
    if isinstance(expected, bool):
        return shown == ("TRUE" if expected else "FALSE")
    if isinstance(expected, int | float):
        if not isinstance(shown, str):
            return False
        try:
            number = float(shown)
        except ValueError:
            return False
        return same_value(expected, number)
    return same_value(expected, shown)
