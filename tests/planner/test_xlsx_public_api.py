"""The workbook writer keeps to XlsxWriter's documented API, so any 3.x release will do.

Two checks: the planner's source imports only XlsxWriter's public modules and
subclasses none of its classes; and a whole export, run against guarded
XlsxWriter objects, touches no name with a leading underscore.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest
import xlsxwriter

from planner.builtin import builtin_project
from planner.io import xlsx_export
from planner.io.xlsx_export import export_workbook
from planner.io.xlsx_import import import_workbook

PLANNER = Path(__file__).resolve().parents[2] / "planner"
PUBLIC_MODULES = {"xlsxwriter", "xlsxwriter.utility", "xlsxwriter.exceptions"}


def _xlsxwriter_imports(tree: ast.AST) -> list[tuple[str, list[str]]]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(a.name, []) for a in node.names if a.name.split(".")[0] == "xlsxwriter"]
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "xlsxwriter":
            found.append((node.module or "", [a.name for a in node.names]))
    return found


def test_planner_imports_only_public_xlsxwriter_modules_and_subclasses_none() -> None:
    offences = []
    for path in sorted(PLANNER.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imported: set[str] = set()
        for module, names in _xlsxwriter_imports(tree):
            if module not in PUBLIC_MODULES:
                offences.append(f"{path.name} imports {module}")
            if module == "xlsxwriter" and set(names) - {"Workbook"}:
                offences.append(f"{path.name} imports {names} from xlsxwriter")
            offences += [f"{path.name} imports {n}" for n in names if n.startswith("_")]
            imported.update(names)
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                bases = {ast.unparse(base) for base in node.bases}
                if bases & (imported | {"xlsxwriter.Workbook"}):
                    offences.append(f"{path.name}: class {node.name} subclasses {bases}")
    assert not offences


class _Guard:
    """Stands for an XlsxWriter object; refuses private names, guards what it hands out."""

    def __init__(self, real: Any, seen: list[str]) -> None:
        self._real = real
        self._seen = seen

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AssertionError(f"private XlsxWriter name used: {name}")
        self._seen.append(name)
        value = getattr(self._real, name)
        if not callable(value):
            return value
        seen = self._seen

        def call(*args: Any, **kwargs: Any) -> Any:
            result = value(*map(_unwrapped, args), **{k: _unwrapped(v) for k, v in kwargs.items()})
            # A negative code is a cell XlsxWriter left out (say, a row already streamed out).
            if name.startswith("write") and isinstance(result, int) and result < 0:
                raise AssertionError(f"{name}{args[:2]} was refused: {result}")
            module = type(result).__module__ or ""
            return _Guard(result, seen) if module.startswith("xlsxwriter") else result

        return call


def _unwrapped(value: Any) -> Any:
    return value._real if isinstance(value, _Guard) else value


@pytest.mark.parametrize("streamed", [False, True])
def test_an_export_touches_no_private_xlsxwriter_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, streamed: bool
) -> None:
    # Streamed, a workbook refuses any cell written to a row above the current one.
    monkeypatch.setattr(xlsx_export, "STREAMED_FROM_CELLS", 0 if streamed else 10**9)
    seen: list[str] = []
    real_workbook = xlsxwriter.Workbook

    def guarded(*args: Any, **kwargs: Any) -> _Guard:
        return _Guard(real_workbook(*args, **kwargs), seen)

    monkeypatch.setattr(xlsxwriter, "Workbook", guarded)
    project = builtin_project()
    export_workbook(project, tmp_path / "plan.xlsx")
    # the guard saw the whole export: sheets, cells, notes, charts and the closing write
    for name in ("add_worksheet", "write_formula", "write_comment", "add_chart", "close"):
        assert name in seen
    monkeypatch.setattr(xlsxwriter, "Workbook", real_workbook)
    assert import_workbook(tmp_path / "plan.xlsx") == project
