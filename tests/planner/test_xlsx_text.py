"""Text that XML cannot hold, and scenario names Excel would refuse as sheet names.

The model refuses control characters at its edge; these projects get them in
by assignment, which skips validation, as any path around the edge would.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pytest
from defusedxml import ElementTree

from planner.builtin import builtin_project
from planner.io.workbook_layout import sheet_names
from planner.io.workbook_write import xml_text
from planner.io.xlsx_export import export_workbook
from planner.io.xlsx_import import import_workbook
from planner.model import Project

ESC, NONCHAR, BELL, NUL, VTAB = "\x1b", "\ufffe", "\x07", "\x00", "\x0b"


def hostile_project() -> Project:
    project = builtin_project().model_copy(deep=True)
    project.name = f"Plan{ESC}{NONCHAR}"
    project.description = f"A description{BELL} with a bell"
    project.base_name = f"Leaked{ESC} plan"
    project.base_description = f"base{NUL}"
    bull, bear, chips = project.scenarios[:3]
    bull.name = f"Bull{ESC} case"
    bull.description = f"{NONCHAR}bullish"
    bear.name = f"{NONCHAR}Bear case"
    chips.name = f"Chips{VTAB}"
    item = project.items[0]
    item.label = f"Users{ESC}"
    item.unit = f"M{BELL} users"
    item.note = f"a note{VTAB} with{NONCHAR} junk"
    item.input_notes = {project.periods[0]: f"period{ESC} note"}
    project.funding_rounds[0].investor = f"Investor{ESC}"
    project.funding_rounds[0].note = f"round{NUL} note"
    project.compute_contracts[0].counterparty = f"{NONCHAR}Counterparty"
    project.uncertainty[0].note = f"range{ESC}"
    return project


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_control_characters_leave_every_part_well_formed(tmp_path: Path) -> None:
    path = tmp_path / "hostile.xlsx"
    export_workbook(hostile_project(), path)
    parts = _parts(path)
    assert "xl/workbook.xml" in parts and "xl/comments1.xml" in parts
    for name, data in parts.items():
        if name.endswith((".xml", ".rels", ".vml")):
            ElementTree.fromstring(data)  # raises on a part that is not well-formed
        assert ESC.encode() not in data and NONCHAR.encode() not in data, name


def test_a_workbook_with_cleaned_text_imports_back(tmp_path: Path) -> None:
    project = hostile_project()
    path = tmp_path / "hostile.xlsx"
    export_workbook(project, path)
    imported = import_workbook(path)
    assert imported.scenario_names == [xml_text(n) for n in project.scenario_names]
    assert imported.name == "Plan"
    assert imported.items[0].label == "Users"
    assert imported.items[0].note == "a note with junk"
    assert imported.funding_rounds[0].investor == "Investor"
    assert imported.compute_contracts[0].counterparty == "Counterparty"
    workbook = openpyxl.load_workbook(path)
    titles = workbook.sheetnames
    assert titles[1:5] == ["Leaked plan", "Bull case", "Bear case", "Chips"]


def test_names_left_empty_or_equal_by_cleaning_stay_apart(tmp_path: Path) -> None:
    project = builtin_project().model_copy(deep=True)
    project.scenarios[0].name = ESC
    project.scenarios[1].name = f"Leaked plan{ESC}"
    path = tmp_path / "clash.xlsx"
    export_workbook(project, path)
    imported = import_workbook(path)
    assert len(set(imported.scenario_names)) == len(project.scenario_names)
    assert all(name.strip() for name in imported.scenario_names)
    # each sheet is headed with the name the import gives its scenario
    workbook = openpyxl.load_workbook(path, read_only=True)
    titles = sheet_names(project.scenario_names)
    headings = [workbook[title]["A1"].value for title in titles]
    assert headings == imported.scenario_names


@pytest.mark.parametrize(
    ("scenarios", "expected"),
    [
        (["History", "history"], ["History (2)", "history (3)"]),
        (["summary", "SOURCES"], ["summary (2)", "SOURCES (2)"]),
        (["Bear case", "BEAR CASE", "bear case"], ["Bear case", "BEAR CASE (2)", "bear case (3)"]),
        (["'quoted'", "a[b]c:d*e?f/g\\h"], ["quoted", "a b c d e f g h"]),
        ([f"x{ESC}y", NONCHAR, "\t"], ["xy", "Scenario", "Scenario (2)"]),
        (["x" * 30 + "'z"], ["x" * 30]),  # cut to 31, then no apostrophe at the end
        (["Bob's case"], ["Bob\u2019s case"]),  # Gnumeric misreads "''" in a sheet reference
        (["😀" * 20], ["😀" * 15]),  # Excel counts UTF-16 units: each of these is two
    ],
)
def test_sheet_names_follow_excels_rules(scenarios: list[str], expected: list[str]) -> None:
    assert sheet_names(scenarios) == expected


def test_every_sheet_name_is_one_excel_accepts(tmp_path: Path) -> None:
    project = builtin_project().model_copy(deep=True)
    hostile = ["History", "'[Bear]: case*?/\\ with a very long name indeed'", f"{NONCHAR}HISTORY"]
    for scenario, name in zip(project.scenarios, hostile, strict=False):
        scenario.name = name
    path = tmp_path / "names.xlsx"
    export_workbook(project, path)
    titles = openpyxl.load_workbook(path).sheetnames
    assert len({t.casefold() for t in titles}) == len(titles)
    for title in titles:
        assert len(title.encode("utf-16-le")) <= 62
        assert not set(title) & set("[]:*?/\\") and title.strip("'") == title
    assert "history" not in {t.casefold() for t in titles}
    assert import_workbook(path).scenario_names[1:4] == [xml_text(n) for n in hostile]
