"""Importing a plain sheet of numbers into a scenario's inputs, with a proposed mapping."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest

from planner.builtin import builtin_project
from planner.io.workbook_plain import (
    apply_plain_sheet,
    period_label,
    propose_mapping,
    read_plain_sheet,
)
from planner.io.workbook_safety import WorkbookError
from tests.planner.helpers import peak_memory


def plain_workbook(path: Path) -> Path:
    workbook = openpyxl.Workbook()
    ws = workbook.active
    ws.title = "Plan"
    ws.append(["My forecast"])
    ws.append([])
    ws.append(["Item", "Notes", 2025, "2026", "FY2027", "2040"])
    ws.append(["chatgpt_users", "", 700, 1100, 1400, 9])
    ws.append(["Enterprise and API", "", 5, 15.5, None, 1])
    ws.append(["Staff and other operating cost", "", 7, "n/a", 20, 1])
    ws.append(["Weather in Paris", "", 1, 2, 3, 4])
    ws.append([None, None, 1, 2, 3, 4])
    workbook.save(path)
    return path


def test_period_labels_are_recognised() -> None:
    assert period_label(2025) == "2025"
    assert period_label(2025.0) == "2025"
    assert period_label("FY2027") == "2027"
    assert period_label("2025 Q3") == "2025-Q3"
    assert period_label("2025-Q3") == "2025-Q3"
    assert period_label("Total") is None
    assert period_label(12.5) is None
    assert period_label(True) is None


def test_reads_rows_under_the_period_header(tmp_path: Path) -> None:
    sheet = read_plain_sheet(plain_workbook(tmp_path / "plain.xlsx"))
    assert sheet.periods == ["2025", "2026", "2027", "2040"]
    assert [r.label for r in sheet.rows] == [
        "chatgpt_users",
        "Enterprise and API",
        "Staff and other operating cost",
        "Weather in Paris",
    ]
    assert sheet.rows[1].values == {"2025": 5.0, "2026": 15.5, "2040": 1.0}
    assert sheet.skipped == ["Plan!D6: 'n/a'"]


def test_mapping_by_id_label_and_close_match(tmp_path: Path) -> None:
    project = builtin_project()
    sheet = read_plain_sheet(plain_workbook(tmp_path / "plain.xlsx"))
    matches = {m.label: m for m in propose_mapping(sheet, project)}
    assert (matches["chatgpt_users"].item_id, matches["chatgpt_users"].how) == (
        "chatgpt_users",
        "id",
    )
    assert matches["Enterprise and API"].how == "label"
    assert matches["Staff and other operating cost"].item_id == "other_costs"
    assert matches["Staff and other operating cost"].how == "similar"
    assert matches["Weather in Paris"].item_id is None


def test_applying_sets_only_the_scenarios_overrides(tmp_path: Path) -> None:
    project = builtin_project()
    sheet = read_plain_sheet(plain_workbook(tmp_path / "plain.xlsx"))
    mapping = {m.row: m.item_id for m in propose_mapping(sheet, project) if m.item_id}
    updated, count = apply_plain_sheet(project, "Bear case", sheet, mapping)
    assert count == 3 + 2 + 2  # 2040 is outside the horizon; n/a was skipped
    bear = updated.scenario("Bear case")
    assert bear is not None
    assert bear.inputs["chatgpt_users"]["2025"] == 700.0
    enterprise = bear.inputs["enterprise_api"]
    assert (enterprise["2025"], enterprise["2026"], enterprise["2027"]) == (5.0, 15.5, 13.0)
    assert project.scenario("Bear case") != bear  # the original is untouched
    base, _ = apply_plain_sheet(project, project.base_name, sheet, mapping)
    users = base.item("chatgpt_users").inputs
    assert users is not None and users[2:5] == [700.0, 1100.0, 1400.0]


def test_a_sheet_without_periods_is_refused(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    workbook.active.append(["just", "words"])
    path = tmp_path / "words.xlsx"
    workbook.save(path)
    with pytest.raises(WorkbookError, match="no row of period labels"):
        read_plain_sheet(path)
    path.write_bytes(b"not a workbook")
    with pytest.raises(WorkbookError, match=r"not an \.xlsx workbook: it looks like text"):
        read_plain_sheet(path)


# --- hostile and edited sheets -------------------------------------------------------------

MB = 1024 * 1024


def edited(path: Path, part: str, edit: Callable[[bytes], bytes]) -> Path:
    """Rewrite one part of the zip at ``path`` in place."""
    with zipfile.ZipFile(path) as old:
        parts = [(info.filename, old.read(info)) for info in old.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as new:
        for name, data in parts:
            new.writestr(name, edit(data) if name == part else data)
    return path


def with_rows(xml: bytes, dimension: bytes | None = None) -> Callable[[bytes], bytes]:
    def edit(data: bytes) -> bytes:
        if dimension is not None:
            data = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="' + dimension + b'"', data)
        return data.replace(b"</sheetData>", xml + b"</sheetData>")

    return edit


@pytest.mark.parametrize(
    ("rows", "dimension"),
    [
        (b'<row r="99999"><c r="BXX99999"><v>1</v></c></row>', None),  # far, within limits
        (b'<row r="1048576" s="1" customFormat="1"><c r="A1048576" s="1"/></row>', b"A1:F1048576"),
        (b"", b"A1:XFD1048576"),  # a dimension that lies
    ],
    ids=["far-cell", "libreoffice-last-row", "false-dimension"],
)
def test_memory_follows_the_cells_that_exist(
    tmp_path: Path, rows: bytes, dimension: bytes | None
) -> None:
    expected = read_plain_sheet(plain_workbook(tmp_path / "plain.xlsx"))
    path = edited(
        plain_workbook(tmp_path / "far.xlsx"),
        "xl/worksheets/sheet1.xml",
        with_rows(rows, dimension),
    )
    assert read_plain_sheet(path) == expected
    assert peak_memory(lambda: read_plain_sheet(path)) < 50 * MB


def test_data_claimed_in_the_last_row_is_refused_early(tmp_path: Path) -> None:
    # a row without a number whose cell names the sheet's last row
    path = edited(
        plain_workbook(tmp_path / "far.xlsx"),
        "xl/worksheets/sheet1.xml",
        with_rows(b'<row><c r="BXX1048576"><v>1</v></c></row>'),
    )
    with pytest.raises(WorkbookError, match="sheet Plan holds data in row 1,048,576"):
        read_plain_sheet(path)
    assert peak_memory(lambda: read_plain_sheet(path)) < 50 * MB


def test_messages_cut_long_titles_and_text(tmp_path: Path) -> None:
    path = plain_workbook(tmp_path / "plain.xlsx")
    with pytest.raises(WorkbookError, match="has no sheet named 'xxx") as caught:
        read_plain_sheet(path, "x" * 40_000)
    assert len(str(caught.value)) < 200
    workbook = openpyxl.load_workbook(path)
    workbook["Plan"]["D6"] = "n" * 40_000
    workbook.save(path)
    skipped = read_plain_sheet(path).skipped
    assert skipped[0].startswith("Plan!D6: 'nnn") and len(skipped[0]) < 60
    title = "T" * 5000
    words = tmp_path / "words.xlsx"
    workbook = openpyxl.Workbook()
    workbook.active.append(["just", "words"])
    workbook.save(words)
    edited(
        words,
        "xl/workbook.xml",
        lambda data: data.replace(b'name="Sheet"', f'name="{title}"'.encode()),
    )
    with pytest.raises(WorkbookError, match="no row of period labels") as caught:
        read_plain_sheet(words)
    assert len(str(caught.value)) < 200
