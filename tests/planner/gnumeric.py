"""Recalculate workbooks in Gnumeric (``ssconvert --recalc``), a second spreadsheet engine.

ssconvert reads one workbook per run, so the runs go in parallel; each writes every
sheet's recalculated values, unformatted and at full precision, as one CSV file per sheet.
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
    return [_read_sheets(path, out_dir / f"{n}-{Path(path).stem}") for n, path in enumerate(files)]


def _extents(path: Path) -> dict[str, tuple[int, int, int, int] | None]:
    """Each sheet's first and last row and column holding anything, 0-based, or None if empty."""
    import openpyxl

    workbook = openpyxl.load_workbook(path, read_only=True)
    extents: dict[str, tuple[int, int, int, int] | None] = {}
    for ws in workbook.worksheets:
        rows: list[int] = []
        cols: list[int] = []
        for row, cells in enumerate(ws.iter_rows(min_row=1, min_col=1, values_only=True)):
            used = [col for col, value in enumerate(cells) if value not in (None, "")]
            if used:
                rows.append(row)
                cols.extend((used[0], used[-1]))
        extents[ws.title] = (min(rows), max(rows), min(cols), max(cols)) if rows else None
    workbook.close()
    return extents


def _read_sheets(path: Path, stem: Path) -> GnumericValues:
    """The CSV files of one workbook, cell by cell.

    Gnumeric writes a sheet from its first used row and column, not from A1: the
    workbook's own first used cell places each value, and a block that does not
    start there is refused rather than read shifted.
    """
    values: GnumericValues = {}
    for index, (title, extent) in enumerate(_extents(path).items()):
        sheet_csv = Path(f"{stem}-{index}.csv")
        if not sheet_csv.is_file():
            raise RuntimeError(f"Gnumeric wrote no values for sheet {title!r} of {path}")
        with sheet_csv.open(newline="", encoding="utf-8") as stream:
            rows = list(csv.reader(stream))
        if extent is None:
            continue
        top, bottom, left, right = extent
        # Charts and notes may stretch the written block down and right, never up or left
        # of the first cell with a value: then its first row and column hold text.
        fits = (
            len(rows) >= bottom - top + 1
            and all(len(cells) >= right - left + 1 for cells in rows)
            and any(rows[0])
            and any(cells[0] for cells in rows)
        )
        if not fits:
            raise RuntimeError(
                f"Gnumeric wrote sheet {title!r} of {path} as a block that does not start "
                f"at its first used cell {xl_rowcol_to_cell(top, left)}"
            )
        for row, cells in enumerate(rows):
            for col, text in enumerate(cells):
                if text != "":
                    values[(title, xl_rowcol_to_cell(top + row, left + col))] = text
    return values


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
