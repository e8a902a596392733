"""The streaming reader of workbook parts: cell kinds other writers use, and hostile parts."""

from __future__ import annotations

import re
import struct
import zipfile
from pathlib import Path

import pytest

from planner.io.workbook_safety import WorkbookError
from planner.io.workbook_stream import (
    ErrorCell,
    EveryRow,
    FormulaCell,
    LongText,
    Package,
    cell_position,
)

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
DOC_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

# Written the way other spreadsheet programs may write them: a namespace
# prefix, rows and cells without their "r", inline and rich text, phonetic
# runs, shared formulas without text, booleans and error values.
WORKBOOK = f"""<?xml version="1.0" encoding="UTF-8"?>
<x:workbook xmlns:x="{MAIN}" xmlns:r="{DOC_RELS}"><x:sheets>
<x:sheet name="Plan" sheetId="1" r:id="rId1"/><x:sheet name="Other" sheetId="2" r:id="rId2"/>
</x:sheets></x:workbook>"""
WORKBOOK_RELS = f"""<?xml version="1.0" encoding="UTF-8"?>
<Relationships xmlns="{RELS}">
<Relationship Id="rId1" Type="{DOC_RELS}/worksheet" Target="worksheets/sheet1.xml"/>
<Relationship Id="rId2" Type="{DOC_RELS}/worksheet" Target="/xl/worksheets/sheet2.xml"/>
<Relationship Id="rId3" Type="{DOC_RELS}/sharedStrings" Target="sharedStrings.xml"/>
</Relationships>"""
SHEET = f"""<?xml version="1.0" encoding="UTF-8"?>
<x:worksheet xmlns:x="{MAIN}"><x:dimension ref="A1:XFD1048576"/><x:sheetData>
<x:row r="1"><x:c r="A1" t="s"><x:v>0</x:v></x:c><x:c r="B1" t="s"><x:v>1</x:v></x:c></x:row>
<x:row><x:c t="inlineStr"><x:is><x:r><x:t>in</x:t></x:r><x:r><x:t>line</x:t></x:r></x:is></x:c>
<x:c><x:v>2.5</x:v></x:c><x:c t="b"><x:v>1</x:v></x:c><x:c t="e"><x:v>#REF!</x:v></x:c></x:row>
<x:row r="4"><x:c r="A4"><x:f t="shared" ref="A4:C4" si="0">B3*2</x:f><x:v>5</x:v></x:c>
<x:c r="B4"><x:f t="shared" si="0"/><x:v>2</x:v></x:c><x:c r="C4" t="str"><x:v>text</x:v></x:c>
<x:c r="D4" s="3"/><x:c r="E4"><x:v>not a number</x:v></x:c></x:row>
<x:row r="1048576" hidden="false"/>
</x:sheetData></x:worksheet>"""
STRINGS = f"""<?xml version="1.0" encoding="UTF-8"?>
<sst xmlns="{MAIN}"><si><t>plain</t></si>
<si><r><rPr><b/></rPr><t xml:space="preserve">rich </t></r><r><t>text</t></r>
<rPh sb="0" eb="1"><t>PHONETIC</t></rPh></si><si><t>unused</t></si></sst>"""
SHEET_RELS = f"""<?xml version="1.0" encoding="UTF-8"?>
<Relationships xmlns="{RELS}">
<Relationship Id="rId1" Type="{DOC_RELS}/comments" Target="../comments1.xml"/>
</Relationships>"""
COMMENTS = f"""<?xml version="1.0" encoding="UTF-8"?>
<comments xmlns="{MAIN}"><authors><author>me</author></authors><commentList>
<comment ref="A1" authorId="0"><text><r><t>first, </t></r><r><t>second</t></r></text></comment>
<comment ref="B2" authorId="0"><text><t>plain note</t></text></comment>
<comment ref="C9" authorId="0"><text><t>{"n" * 5000}</t></text></comment>
</commentList></comments>"""


def build(path: Path, sheet: str = SHEET) -> Path:
    """A workbook of two sheets; the first one's XML is ``sheet``."""
    parts = {
        "xl/workbook.xml": WORKBOOK,
        "xl/_rels/workbook.xml.rels": WORKBOOK_RELS,
        "xl/worksheets/sheet1.xml": sheet,
        "xl/worksheets/sheet2.xml": SHEET,
        "xl/worksheets/_rels/sheet1.xml.rels": SHEET_RELS,
        "xl/comments1.xml": COMMENTS,
        "xl/sharedStrings.xml": STRINGS,
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return path


def test_cell_kinds_of_other_writers(tmp_path: Path) -> None:
    with zipfile.ZipFile(build(tmp_path / "kinds.xlsx")) as archive:
        package = Package(archive, "kinds.xlsx")
        parts = package.sheet_parts()
        assert parts == {"Plan": "xl/worksheets/sheet1.xml", "Other": "xl/worksheets/sheet2.xml"}
        cells = package.read_cells("Plan", parts["Plan"], EveryRow(range(6)))
        package.fill_shared_strings([cells])
    assert cells.rows[0] == {0: "plain", 1: "rich text"}
    assert cells.rows[1] == {0: "inline", 1: 2.5, 2: True, 3: ErrorCell("#REF!")}
    # A formula keeps the value saved with it, a shared one too.
    assert cells.rows[3] == {
        0: FormulaCell(5.0),
        1: FormulaCell(2.0),
        2: "text",
        4: "not a number",
    }


def test_only_the_cells_asked_for_are_kept_and_later_rows_are_not_read(tmp_path: Path) -> None:
    # everything after row 4 is broken XML: the reader must have stopped before it
    broken = SHEET.replace('<x:row r="1048576" hidden="false"/>', '<x:row r="9"><x:c r="A9">')
    with zipfile.ZipFile(build(tmp_path / "cut.xlsx", broken)) as zf:
        package = Package(zf, "cut.xlsx")
        cells = package.read_cells("Plan", "xl/worksheets/sheet1.xml", {1: {1}, 3: {0, 2}}, 3)
        assert cells.rows == {1: {1: 2.5}, 3: {0: FormulaCell(5.0), 2: "text"}}
        with pytest.raises(WorkbookError, match=r"sheet1\.xml is not well-formed XML"):
            package.read_cells("Plan", "xl/worksheets/sheet1.xml", {1: {1}, 8: {0}})


def test_notes_join_their_runs_and_long_ones_keep_only_their_length(tmp_path: Path) -> None:
    with zipfile.ZipFile(build(tmp_path / "notes.xlsx")) as archive:
        package = Package(archive, "notes.xlsx")
        notes = package.read_notes("xl/worksheets/sheet1.xml", {(0, 0), (8, 2)})
        assert package.read_notes("xl/worksheets/sheet2.xml", {(0, 0)}) == {}
    assert notes == {(0, 0): "first, second", (8, 2): LongText(5000)}


def test_a_doctype_is_refused_wherever_it_sits(tmp_path: Path) -> None:
    padded = SHEET.replace(
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<?xml version="1.0" encoding="UTF-8"?>'
        + "<!-- " + "padding " * 2000 + "-->"
        + '<!DOCTYPE worksheet SYSTEM "http://example.com/evil.dtd">',
    )  # fmt: skip
    refused = pytest.raises(WorkbookError, match="declares a DOCTYPE or XML entities; refused")
    with zipfile.ZipFile(build(tmp_path / "dtd.xlsx", padded)) as zf, refused:
        Package(zf, "dtd.xlsx").read_cells("Plan", "xl/worksheets/sheet1.xml", {0: {0}})


def test_a_part_inflating_past_its_declared_size_is_refused(tmp_path: Path) -> None:
    path = build(tmp_path / "liar.xlsx", SHEET + " " * 5_000_000)
    data = bytearray(path.read_bytes())
    name = b"xl/worksheets/sheet1.xml"
    # the uncompressed size in the part's local header and in the central directory
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = 0
        while (at := data.find(signature, at)) >= 0:
            header = 30 if signature == b"PK\x03\x04" else 46
            if data[at + header : at + header + len(name)] == name:
                struct.pack_into("<I", data, at + offset, len(SHEET))
            at += 4
    path.write_bytes(bytes(data))
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(name.decode())
        assert info.file_size == len(SHEET)
        with pytest.raises(WorkbookError, match=r"sheet1\.xml cannot be unpacked"):
            Package(archive, "liar.xlsx").read_cells("Plan", name.decode(), {0: {0}})


def test_an_encrypted_part_is_refused(tmp_path: Path) -> None:
    path = build(tmp_path / "locked.xlsx")
    data = bytearray(path.read_bytes())
    name = b"xl/worksheets/sheet1.xml"
    # bit 0 of the general purpose flags, in the local header and the central directory
    for signature, flags, header in ((b"PK\x03\x04", 6, 30), (b"PK\x01\x02", 8, 46)):
        at = 0
        while (at := data.find(signature, at)) >= 0:
            if data[at + header : at + header + len(name)] == name:
                data[at + flags] |= 1
            at += 4
    path.write_bytes(bytes(data))
    with zipfile.ZipFile(path) as archive, pytest.raises(WorkbookError, match="is encrypted"):
        Package(archive, "locked.xlsx").read_cells("Plan", name.decode(), {0: {0}})


@pytest.mark.parametrize(
    "ref, expected",
    [("A1", (0, 0)), ("K13", (12, 10)), ("XFD1048576", (1048575, 16383)), ("ABCD1", None)],
)
def test_cell_position(ref: str, expected: tuple[int, int] | None) -> None:
    assert cell_position(ref) == expected


def test_a_formula_saved_with_no_value_keeps_its_text_alone(tmp_path: Path) -> None:
    """Its text is all that tells a link from a user's formula; a value makes it moot."""
    rows = (
        '<x:row r="1">\n  <x:c r="A1"><x:f>\'Base\'!$K$14</x:f></x:c>\n'
        '  <x:c r="B1"><x:f>B0*2</x:f><x:v></x:v></x:c>\n'
        f'  <x:c r="C1"><x:f>{"1+" * 600}1</x:f></x:c>\n'
        '  <x:c r="D1"><x:f>Base!K14</x:f><x:v>3</x:v></x:c>\n  <x:c r="E1"><x:v>4</x:v></x:c>\n'
        "</x:row>\n"
    )
    sheet = re.sub(r"<x:row r=\"1\">.*?</x:row>", lambda _: rows, SHEET, count=1, flags=re.S)
    with zipfile.ZipFile(build(tmp_path / "unsaved.xlsx", sheet)) as archive:
        cells = Package(archive, "unsaved.xlsx").read_cells(
            "Plan", "xl/worksheets/sheet1.xml", {0: range(5)}, 0
        )
    assert cells.rows[0] == {
        0: FormulaCell(None, "'Base'!$K$14"),
        1: FormulaCell(None, "B0*2"),
        2: FormulaCell(None, None),  # longer than any link: not kept
        3: FormulaCell(3.0),
        4: 4.0,
    }
