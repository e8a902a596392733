"""The live scenario switch, recalculated in LibreOffice, and workbooks LibreOffice itself edited.

One LibreOffice run recalculates the built-in workbook with each scenario chosen
in turn; a second runs a Basic macro that deletes a row and changes the chosen
scenario, as a user would, and saves the workbook for the import.
"""

from __future__ import annotations

import subprocess
import tempfile
import zipfile
from collections import Counter
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from planner.builtin import builtin_project
from planner.io.workbook_active import CHOICE_COL, CHOICE_ROW, ActiveSheet
from planner.io.workbook_layout import ACTIVE_SHEET, CONTROL_SHEET, sheet_names
from planner.io.workbook_sheet import ScenarioSheet
from planner.io.xlsx_export import export_workbook
from planner.io.xlsx_import import import_workbook
from planner.model import FundingRound
from tests.planner.libreoffice import MISSING_REASON, SOFFICE, convert, same_value
from tests.planner.test_xlsx_switch import variants_project

pytestmark = [
    pytest.mark.libreoffice,
    pytest.mark.skipif(SOFFICE is None, reason=MISSING_REASON),
]

LAST_COL = 23  # column W, the built-in project's last period


def choose(path: Path, scenario: str, out: Path) -> Path:
    """The workbook with ``scenario`` typed into the Control sheet's choice cell."""
    workbook = openpyxl.load_workbook(path)
    workbook[CONTROL_SHEET].cell(CHOICE_ROW + 1, CHOICE_COL + 1).value = scenario
    workbook.save(out)
    return out


PROJECTS = {"builtin": builtin_project, "variants": variants_project}


@pytest.fixture(scope="module")
def chosen(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], Path]:
    """(project, scenario) -> the workbook recalculated by LibreOffice with it chosen."""
    folder = tmp_path_factory.mktemp("active")
    keys, sources = [], []
    for key, make in PROJECTS.items():
        exported = folder / f"{key}.xlsx"
        export_workbook(make(), exported)
        for n, name in enumerate(make().scenario_names):
            keys.append((key, name))
            sources.append(choose(exported, name, folder / f"{key}{n}.xlsx"))
    outputs = convert(sources, folder / "out")
    return dict(zip(keys, outputs, strict=True))


def labelled_rows(ws: Any) -> list[tuple[tuple[Any, ...], list[Any]]]:
    """Each labelled row below the header as ((label, occurrence), values of columns B on).

    Rows without a label are gaps, or on the Active sheet a table row the chosen
    scenario lacks, whose per-period rows are checked to hold zeros.
    """
    seen: Counter[Any] = Counter()
    rows = []
    for row in ws.iter_rows(min_row=4, max_col=LAST_COL, values_only=True):
        label = row[0]
        if label in (None, ""):
            continue
        if label == ActiveSheet.key_figures_title:  # the same rows, titled for this sheet
            label = ScenarioSheet.key_figures_title
        seen[label] += 1
        rows.append(((label, seen[label]), list(row[1:])))
    return rows


def differences(active: Any, scenario: Any) -> list[str]:
    theirs = dict(labelled_rows(scenario))
    found = []
    for key, values in labelled_rows(active):
        if key not in theirs:
            # the per-period rows of a table row the chosen scenario lacks pay nothing
            label = str(key[0])
            neutral = {": share holders keep": 1, ": GW delivered since the round": None}
            if not label.startswith(":") or (label not in neutral and any(values[9:])):
                found.append(f"{key}: not on the scenario's sheet, holds {values}")
            elif neutral.get(label) == 1 and set(values[9:]) != {1}:
                found.append(f"{key}: dilutes, {values}")
            continue
        for col, (mine, other) in enumerate(zip(values, theirs[key], strict=True), start=2):
            if not same_value(other, mine):
                found.append(f"{key} column {col}: Active {mine!r}, scenario {other!r}")
    return found


def test_the_active_sheet_shows_each_chosen_scenario_as_its_own_sheet_does(
    chosen: dict[tuple[str, str], Path],
) -> None:
    compared = 0
    for (key, name), path in chosen.items():
        names = PROJECTS[key]().scenario_names
        title = sheet_names(names)[names.index(name)]
        workbook = openpyxl.load_workbook(path, data_only=True)
        active, own = workbook[ACTIVE_SHEET], workbook[title]
        assert active.cell(1, 1).value == f"Active scenario: {name}"
        assert differences(active, own) == [], (key, name)
        compared += 1
    assert compared == 7


def test_the_active_sheet_differs_between_scenarios(
    chosen: dict[tuple[str, str], Path],
) -> None:
    cash = set()
    for (key, _), path in chosen.items():
        if key == "builtin":
            ws = openpyxl.load_workbook(path, data_only=True)[ACTIVE_SHEET]
            row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 3).value == "cash")
            cash.add(round(ws.cell(row, LAST_COL).value, 6))
    assert len(cash) == len(builtin_project().scenario_names)


def test_a_workbook_saved_with_another_scenario_chosen_imports(
    chosen: dict[tuple[str, str], Path],
) -> None:
    for (key, _), path in chosen.items():
        assert import_workbook(path) == PROJECTS[key]()


# Run by LibreOffice from the profile's own Basic library, so no document macro is involved.
_MACRO = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE script:module PUBLIC "-//OpenOffice.org//DTD OfficeDocument 1.0//EN" "module.dtd">
<script:module xmlns:script="http://openoffice.org/2000/script" script:name="Edit"
 script:language="StarBasic">
Sub EditBook(sourcePath As String, targetPath As String, sheetName As String, _
             choice As String, spareRow As Long)
    Dim loadArgs(0) As New com.sun.star.beans.PropertyValue
    loadArgs(0).Name = "Hidden"
    loadArgs(0).Value = True
    Dim doc As Object
    doc = StarDesktop.loadComponentFromURL(ConvertToURL(sourcePath), "_blank", 0, loadArgs())
    Dim sheet As Object
    sheet = doc.Sheets.getByName(sheetName)
    Dim used As Object
    used = sheet.createCursor()
    used.gotoEndOfUsedArea(False)
    sheet.Rows.removeByIndex(used.RangeAddress.EndRow + 3, 1)
    sheet.getCellByPosition(0, spareRow).setString("Sovereign fund")
    sheet.getCellByPosition(3, spareRow).setValue(2028)
    sheet.getCellByPosition(4, spareRow).setValue(40)
    sheet.getCellByPosition(5, spareRow).setValue(1200)
    doc.Sheets.getByName("Control").getCellByPosition(1, 3).setString(choice)
    doc.calculateAll()
    Dim saveArgs(0) As New com.sun.star.beans.PropertyValue
    saveArgs(0).Name = "FilterName"
    saveArgs(0).Value = "Calc MS Excel 2007 XML"
    doc.storeToURL(ConvertToURL(targetPath), saveArgs())
    doc.close(True)
    StarDesktop.terminate()
End Sub
</script:module>
"""
_LIBRARY = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE library:library PUBLIC "-//OpenOffice.org//DTD OfficeDocument 1.0//EN" "library.dtd">
<library:library xmlns:library="http://openoffice.org/2000/library" library:name="Standard"
 library:readonly="false" library:passwordprotected="false">
 <library:element library:name="Edit"/>
</library:library>
"""
_LIBRARIES = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE library:libraries PUBLIC "-//OpenOffice.org//DTD OfficeDocument 1.0//EN"
 "libraries.dtd">
<library:libraries xmlns:library="http://openoffice.org/2000/library"
 xmlns:xlink="http://www.w3.org/1999/xlink">
 <library:library library:name="Standard" xlink:href="$(USER)/basic/Standard/script.xlb/"
  xlink:type="simple" library:link="false"/>
</library:libraries>
"""
_DIALOGS = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE library:libraries PUBLIC "-//OpenOffice.org//DTD OfficeDocument 1.0//EN"
 "libraries.dtd">
<library:libraries xmlns:library="http://openoffice.org/2000/library"
 xmlns:xlink="http://www.w3.org/1999/xlink"/>
"""


def edit_in_libreoffice(
    source: Path, target: Path, sheet: str, scenario: str, spare_row: int
) -> None:
    """Have LibreOffice delete an empty row below ``sheet``'s data, type a funding round in
    its 0-based ``spare_row``, choose ``scenario`` and save.

    A fresh profile replaces its Basic library with the default one on its first
    start, so the first start only makes the profile.
    """
    assert SOFFICE is not None
    with tempfile.TemporaryDirectory(prefix="lo-profile-") as profile:
        start = [SOFFICE, f"-env:UserInstallation={Path(profile).as_uri()}", "--headless"]
        subprocess.run([*start, "--terminate_after_init"], capture_output=True, timeout=300)
        basic = Path(profile) / "user" / "basic"
        (basic / "Standard").mkdir(parents=True, exist_ok=True)
        (basic / "script.xlc").write_text(_LIBRARIES, encoding="utf-8")
        (basic / "dialog.xlc").write_text(_DIALOGS, encoding="utf-8")
        (basic / "Standard" / "script.xlb").write_text(_LIBRARY, encoding="utf-8")
        (basic / "Standard" / "Edit.xba").write_text(_MACRO, encoding="utf-8")
        arguments = f'"{source}","{target}","{sheet}","{scenario}",{spare_row}'
        macro = f"macro:///Standard.Edit.EditBook({arguments})"
        subprocess.run([*start, "--norestore", macro], capture_output=True, timeout=300)
    if not target.is_file():
        raise RuntimeError("LibreOffice wrote nothing: the macro did not run")


def test_a_workbook_edited_in_libreoffice_imports_with_its_new_round(tmp_path: Path) -> None:
    """A row deleted below the model, and a round typed under the funding table."""
    project = builtin_project()
    exported = tmp_path / "builtin.xlsx"
    export_workbook(project, exported)
    sheet = sheet_names(project.scenario_names)[0]
    ids = [
        row[0].value
        for row in openpyxl.load_workbook(exported)[sheet].iter_rows(min_col=3, max_col=3)
    ]
    spare_row = ids.index(project.funding_rounds[-1].id) + 1  # 0-based: the row under the table
    edited = tmp_path / "edited.xlsx"
    edit_in_libreoffice(exported, edited, sheet, project.scenario_names[1], spare_row)
    check = openpyxl.load_workbook(edited, read_only=True)
    choice = check[CONTROL_SHEET].cell(CHOICE_ROW + 1, CHOICE_COL + 1).value
    check.close()
    assert choice == project.scenario_names[1]  # the macro ran and LibreOffice wrote the file
    with zipfile.ZipFile(edited) as archive:
        parts = [archive.read(n) for n in archive.namelist() if n.startswith("xl/worksheets/")]
    assert any(b'r="1048576"' in part for part in parts)  # how LibreOffice records a deletion
    typed = FundingRound(
        id="round1", investor="Sovereign fund", period="2028", amount=40, pre_money=1200
    )
    project.funding_rounds.append(typed)
    assert import_workbook(edited) == project
