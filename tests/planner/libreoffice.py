"""Recalculate workbooks in LibreOffice headless, as a spreadsheet user would see them.

Each run gets its own profile whose settings make LibreOffice recalculate every
formula on load; without that it keeps the cached values, and a second run
sharing a profile can silently write nothing. Several files go through one
start-up, which is what costs the time.
"""

from __future__ import annotations

import math
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
MISSING_REASON = (
    "LibreOffice (soffice) is not installed; install libreoffice-calc-nogui to run the "
    "workbook recalculation tests"
)

_RECALC_ALWAYS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
 xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">
 <prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">
 <prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


def convert(files: Sequence[Path], out_dir: Path, target: str = "xlsx") -> list[Path]:
    """Open ``files`` in one LibreOffice run, recalculate, and save them as ``target``."""
    if SOFFICE is None:
        raise RuntimeError(MISSING_REASON)
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="lo-profile-") as profile:
        user = Path(profile) / "user"
        user.mkdir()
        (user / "registrymodifications.xcu").write_text(_RECALC_ALWAYS, encoding="utf-8")
        command = [
            SOFFICE,
            f"-env:UserInstallation={Path(profile).as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            target,
            "--outdir",
            str(out_dir),
            *(str(f) for f in files),
        ]
        subprocess.run(command, check=False, capture_output=True, timeout=600)
    outputs = [out_dir / (Path(f).stem + "." + target) for f in files]
    missing = [str(p) for p in outputs if not p.is_file() or p.stat().st_size == 0]
    if missing:
        raise RuntimeError(f"LibreOffice wrote nothing for {', '.join(missing)}")
    return outputs


def formula_cells(path: Path) -> dict[tuple[str, str], str]:
    """Every formula cell of a workbook: (sheet, cell) -> formula text."""
    import openpyxl

    workbook = openpyxl.load_workbook(path, data_only=False)
    found = {}
    for ws in workbook.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    found[(ws.title, cell.coordinate)] = cell.value
    return found


def cell_values(path: Path) -> dict[tuple[str, str], Any]:
    """Every cell's stored value (cached results for formulas)."""
    import openpyxl

    workbook = openpyxl.load_workbook(path, data_only=True)
    return {
        (ws.title, cell.coordinate): cell.value
        for ws in workbook.worksheets
        for row in ws.iter_rows()
        for cell in row
        if cell.value is not None
    }


def same_value(expected: Any, actual: Any, rel: float = 1e-9, floor: float = 1e-9) -> bool:
    """Numbers within a relative 1e-9 (absolute ``floor`` near zero); anything else equal."""
    if isinstance(expected, bool) or isinstance(actual, bool):
        return expected == actual
    if isinstance(expected, int | float) and isinstance(actual, int | float):
        if not (math.isfinite(expected) and math.isfinite(actual)):
            return False
        return abs(expected - actual) <= max(rel * max(abs(expected), abs(actual)), floor)
    if expected in (None, "") and actual in (None, ""):
        return True
    return str(expected) == str(actual)
